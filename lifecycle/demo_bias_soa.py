"""Demo bias assessments and Statement of Applicability for Northbank Credit (ISO/IEC 42001 A.7.4, A.6.2.4,
6.1.3 d). Made through the registers' services, so measured results, the risk a failure opens, history,
the board's approval and the published version are the real thing. Matched by title: a second run
creates nothing."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from aims import demo, publishing
from lifecycle.models import AISystem, BiasAssessment, SoAEntry, Statement
from lifecycle.standard import soa, soa_entries
from lifecycle.standard.bias.checklist import CHECKLIST
from lifecycle.standard.bias.services import services as bias_services
from registers.demo_names import CHATBOT, CREDIT, FRAUD, HIRING, OCR

HIRING_TITLE = "CV screening: gender and age fairness, spring 2026"
CREDIT_TITLE = "Northbank Score v3: fairness by age band, spring 2026"
FRAUD_TITLE = "Transaction monitoring: flags by card holder age band, spring 2026"
SOA_TITLE = "Statement of Applicability: Northbank Credit AIMS"


def _rows(group: str, other: str, tp: int, fn: int, fp: int, tn: int) -> list[str]:
    # `other` alternates between two values so a second column crosses every group.
    labels = ["1,1"] * tp + ["1,0"] * fn + ["0,1"] * fp + ["0,0"] * tn
    values = other.split("|")
    return [f"{label},{group},{values[i % len(values)]}" for i, label in enumerate(labels)]


def hiring_csv() -> bytes:
    """Women selected at 0.30, men at 0.45: ratio 0.67, below the four-fifths rule (fails)."""
    lines = ["y_true,y_pred,gender,age_band"]
    lines += _rows("female", "under 40|40 plus", 90, 110, 30, 170)
    lines += _rows("male", "under 40|40 plus", 130, 70, 50, 150)
    return ("\n".join(lines) + "\n").encode()


def credit_csv() -> bytes:
    """Approval rates 0.50, 0.53 and 0.47 across age bands with close error rates: passes."""
    lines = ["y_true,y_pred,age_band"]
    lines += [r.rsplit(",", 1)[0] for r in _rows("under 30", "x", 170, 30, 30, 170)]
    lines += [r.rsplit(",", 1)[0] for r in _rows("30 to 50", "x", 180, 20, 32, 168)]
    lines += [r.rsplit(",", 1)[0] for r in _rows("over 50", "x", 160, 40, 28, 172)]
    return ("\n".join(lines) + "\n").encode()


def fraud_csv() -> bytes:
    """A fraud flag (y_pred 1) is the unfavourable outcome: rates count the transactions let through.
    Under 30: 94% not flagged, 30 plus: 96%: ratio 0.98 passes; error rates within 0.1."""
    lines = ["y_true,y_pred,age_band"]
    lines += [r.rsplit(",", 1)[0] for r in _rows("under 30", "x", 14, 2, 10, 374)]
    lines += [r.rsplit(",", 1)[0] for r in _rows("30 plus", "x", 13, 3, 3, 381)]
    return ("\n".join(lines) + "\n").encode()


def _checklist(no=(), partly=()) -> dict:
    notes = {
        "representativeness": "Compared with the applicant population of the last 24 months.",
        "metrics": "Selection-rate ratio (four-fifths rule) and equalized odds, agreed with Legal.",
        "thresholds": "Ratio 0.8 and odds difference 0.2, set before the test.",
        "monitoring": "Monthly KPI on the approval-rate ratio.",
    }
    answer = lambda key: "no" if key in no else "partly" if key in partly else "yes"  # noqa: E731
    return {key: {"answer": answer(key), "note": notes.get(key, "")} for key, *_ in CHECKLIST}


def _system(title: str):
    return demo.find(AISystem, title)


def seed_bias(users: dict) -> int:
    made = 0
    specs = [
        (HIRING_TITLE, HIRING, "owner3", "hiring-model-test-2026.csv", hiring_csv,
         _checklist(no=("proxies", "mitigation"), partly=("labels", "intersectional", "monitoring")), 1),
        (CREDIT_TITLE, CREDIT, "owner", "score-v3-holdout-2026.csv", credit_csv,
         _checklist(partly=("intersectional",)), 1),
        (FRAUD_TITLE, FRAUD, "owner2", "fraud-flags-q1-2026.csv", fraud_csv,
         _checklist(partly=("labels", "intersectional")), 0),  # not flagged is favourable
    ]  # fmt: skip
    for title, system_title, who, file_name, content, checklist, favourable in specs:
        system = _system(system_title)
        if system is None or demo.seeded(BiasAssessment, title):
            continue
        made_now = bias_services.create(
            actor=users[who],
            fields={"title": title, "system": system, "checklist": checklist, "owner": users[who],
                    "favourable_outcome": favourable,
                    "file": SimpleUploadedFile(file_name, content(), content_type="text/csv")},
        )  # fmt: skip
        demo.remember(made_now, title)
        made += 1
    return made


# Annex A control: (implementation, justification, evidence); "excluded" marks a control not applied.
SOA = {
    "A.2.2": ("implemented", "Required by 5.2; sets direction for all AI use.", "POL-0001 AI policy v2"),
    "A.2.3": ("implemented", "AI use touches data protection, model risk and IT security policies.",
              "Policy alignment matrix in the policy library"),
    "A.2.4": ("implemented", "The policy must stay current with the EU AI Act.", "Board minutes, annual review"),
    "A.3.2": ("implemented", "Clear accountability for each AI system.", "RACI matrix; role descriptions"),
    "A.3.3": ("implemented", "Staff need a safe route to raise AI concerns.", "Concerns register; intranet page"),
    "A.4.2": ("partial", "Resources must be known to manage them.", "AI system inventory, resources section"),
    "A.4.3": ("implemented", "Credit and hiring models depend on personal data.", "Dataset register"),
    "A.4.4": ("partial", "Model tooling affects reproducibility.", "MLOps tooling list"),
    "A.4.5": ("implemented", "Scoring runs on our own cloud tenancy.", "Cloud architecture record"),
    "A.4.6": ("partial", "Competence is needed for every AI role.", "Competence matrix"),
    "A.5.2": ("implemented", "High-risk systems under the EU AI Act need impact assessments.",
              "Impact assessment procedure"),
    "A.5.3": ("implemented", "Assessments must be kept as evidence.", "Impact assessment register"),
    "A.5.4": ("partial", "Credit and hiring decisions affect individuals directly.", "Bias assessments"),
    "A.5.5": ("planned", "Lending at scale can affect financial inclusion.", ""),
    "A.6.1.2": ("implemented", "Development must follow responsible AI objectives.", "AI objectives register"),
    "A.6.1.3": ("implemented", "We build the credit and fraud models in-house.", "SOP: AI model development"),
    "A.6.2.2": ("implemented", "Requirements drive validation.", "Model requirement specifications"),
    "A.6.2.3": ("partial", "Design choices must be traceable.", "Design records in the model repository"),
    "A.6.2.4": ("partial", "Models must be validated, including for fairness, before release.",
                "Validation reports; bias assessments"),
    "A.6.2.5": ("implemented", "Releases go through life-cycle gates.", "Gate reviews"),
    "A.6.2.6": ("implemented", "Performance and fairness drift must be caught.", "KPI register"),
    "A.6.2.7": ("partial", "Regulators and users need technical documentation.", "Model cards"),
    "A.6.2.8": ("implemented", "Decisions must be traceable for complaints.", "Decision log retention 7 years"),
    "A.7.2": ("implemented", "Training data decides model behaviour.", "Data management SOP"),
    "A.7.3": ("implemented", "Bureau data is acquired from a supplier.", "Supplier contract, data schedule"),
    "A.7.4": ("partial", "Data quality and representativeness drive fairness.", "Data quality checks"),
    "A.7.5": ("planned", "Provenance of the CV training data is not fully known.", ""),
    "A.7.6": ("implemented", "Preparation steps change what the model learns.", "Feature pipeline code review"),
    "A.8.2": ("implemented", "Loan officers must understand the score.", "User guide for Score v3"),
    "A.8.3": ("planned", "Serious incidents may need reporting to the regulator.", ""),
    "A.8.4": ("implemented", "Incidents must reach those affected quickly.", "Incident procedure"),
    "A.8.5": ("partial", "Applicants are told an AI contributes to the decision.", "Privacy notice"),
    "A.9.2": ("implemented", "Use must follow the intended purpose.", "Acceptable use procedure"),
    "A.9.3": ("implemented", "Use needs measurable objectives.", "AI objectives register"),
    "A.9.4": ("implemented", "Misuse of the chatbot and score must be prevented.", "Intended use statements"),
    "A.10.2": ("implemented", "Suppliers share responsibility for supplied AI.", "Supplier register"),
    "A.10.3": ("implemented", "OCR and the LLM platform are supplied.", "Supplier assessments"),
    "A.10.4": ("excluded", "Northbank provides no AI system to customers for their own use; customers are "
               "affected people, covered under A.5.4 and A.8.5.", ""),
}  # fmt: skip


# The AI systems each control applies to (by title, as the inventory names them); a control not named here
# applies to the whole AIMS (the policy, roles and responsible-use objectives). "every": each system in scope.
EVERY = "every"
SYSTEMS_FOR = {
    **dict.fromkeys(("A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6", "A.5.2", "A.5.3"), EVERY),
    **dict.fromkeys(("A.6.1.2", "A.6.1.3", "A.6.2.2", "A.6.2.3", "A.6.2.4", "A.6.2.5", "A.6.2.6"), EVERY),
    **dict.fromkeys(("A.6.2.7", "A.6.2.8", "A.8.3", "A.8.4", "A.9.4"), EVERY),
    "A.5.4": (CREDIT, HIRING), "A.5.5": (CREDIT,), "A.8.5": (CREDIT, HIRING), "A.8.2": (CREDIT, CHATBOT),
    **dict.fromkeys(("A.7.2", "A.7.4", "A.7.6"), (CREDIT, FRAUD, HIRING)),
    "A.7.3": (CREDIT, CHATBOT), "A.7.5": (HIRING,),
    **dict.fromkeys(("A.10.2", "A.10.3"), (OCR, CHATBOT, HIRING)),
}  # fmt: skip


def _systems_for(code: str) -> list:
    wanted = SYSTEMS_FOR.get(code)
    if wanted is None:
        return []
    systems = AISystem.objects.live().filter(in_scope=True).order_by("reference")
    return list(systems if wanted == EVERY else systems.filter(title__in=wanted))


def seed_soa(users: dict) -> int:
    if demo.seeded(Statement, SOA_TITLE):
        return 0
    manager = users["manager"]
    statement = soa.services.create(
        actor=manager,
        fields={"title": SOA_TITLE, "owner": manager, "introduction":
                "Which ISO/IEC 42001 Annex A controls Northbank Credit applies to the AI systems in the scope "
                "of its AIMS, why, and how far each is implemented. Reviewed each year and after any change "
                "to the scope."},
    )  # fmt: skip
    demo.remember(statement, SOA_TITLE)
    if soa._missing_controls():
        soa.create_entries(statement, actor=manager, expected_version=statement.version)
    for entry in SoAEntry.objects.live().filter(control__code__in=SOA).select_related("control"):
        if entry.justification.strip():
            continue  # completed before: leave it as people left it
        implementation, justification, evidence = SOA[entry.control.code]
        # Where the evidence is, until it is in the evidence library (the audits demo adds the pieces,
        # mapped to their controls: the SoA shows them there).
        fields = {"justification": justification, "evidence_note": evidence}
        if implementation != "excluded":
            fields["systems"] = _systems_for(entry.control.code)
        if implementation == "excluded":
            fields["applicable"] = False
        else:
            fields["implementation"] = implementation
        soa_entries.services.update(entry, actor=manager, expected_version=entry.version, fields=fields)
    statement = publishing.submit(statement, actor=manager, expected_version=statement.version)
    statement = publishing.approve(
        statement, actor=users["board"], expected_version=statement.version,
        change_summary="First Statement of Applicability of the AIMS.",
    )  # fmt: skip
    publishing.publish(statement, actor=manager, expected_version=statement.version)
    return 1


@transaction.atomic
def seed_bias_soa(users: dict) -> dict:
    """users: manager, board, board2, owner, owner2, owner3, auditor. Returns what was created."""
    return {"bias_assessments": seed_bias(users), "statements": seed_soa(users)}

"""Demo impact assessments (A.5), datasets (A.7) and model versions (A.6.2) for Northbank Credit's credit
scoring and CV screening systems, made through the registers' services so versions, history and the
reassessment rule are real: the second credit-scoring model version arrives after the assessment was
approved, so the assessment and the system's risks show "reassessment due". Systems that do not exist
are skipped; everything is entered in the demo ledger (aims.demo), so a second run creates nothing and
leaves what people did to them alone (a renamed model version, an archived assessment)."""

import datetime as dt

from django.utils import timezone

from aims import demo, publishing
from registers.demo_names import CREDIT  # noqa: E402
from registers.demo_names import HIRING as CV  # noqa: E402

from .models import AISystem, Dataset, ImpactAssessment, ModelVersion
from .standard import datasets, model_versions
from .standard.impact_assessments import harms
from .standard.impact_assessments import services as assessments

DATASETS = [
    {
        "title": "Loan applications and repayments 2015-2024",
        "system": CREDIT,
        "provenance": "Northbank's loan origination and servicing systems.",
        "acquisition": "Extracted monthly from the core banking warehouse by the data platform team.",
        "quality_requirements": "Fewer than 1% missing income values; outcomes known for 12 months.",
        "quality_checks": "Completeness and range checks on each extract; drift report against 2023.",
        "preparation": "Joined on application id; incomes winsorised at the 99th percentile.",
        "personal_data": True,
        "legal_basis": "Contract (GDPR Art. 6(1)(b)) and legal obligation for creditworthiness checks",
        "retention": "10 years after the loan closes",
    },
    {
        "title": "Credit bureau extract",
        "system": CREDIT,
        "provenance": "The national credit bureau, under the data-sharing agreement of 2021.",
        "acquisition": "Queried per application through the bureau's API.",
        "quality_checks": "Match rate monitored weekly.",
        "personal_data": True,
        "legal_basis": "Legitimate interest (GDPR Art. 6(1)(f)), balancing test of 2021",
        "retention": "As the application file",
    },
    {
        "title": "Anonymised CV corpus 2019-2024",
        "system": CV,
        "provenance": "CVs of past applicants who consented to research use.",
        "acquisition": "Exported from the applicant tracking system, names and contact details removed.",
        "quality_requirements": "Balanced by gender and age band within 5 points of the applicant pool.",
        "preparation": "Photos, names and addresses removed; job titles normalised.",
        "personal_data": True,
        "legal_basis": "Consent (GDPR Art. 6(1)(a))",
        "retention": "5 years",
    },
]

CREDIT_ASSESSMENT = {
    "title": "Impact assessment: Northbank Score v3",
    "trigger": "new_system",
    "scope": "Consumer loan decisions for applicants in Portugal and Ireland scored by Northbank Score v3.",
    "system_information": "Gradient-boosted model; a credit officer decides on every decline.",
    "data_information": "Loan applications and repayments 2015-2024; credit bureau extract.",
    "model_information": "Version 3.0, evaluated on 2024 hold-out data (AUC 0.81).",
    "deployment_information": "Branch and online applications; scores shown to credit officers.",
    "interested_parties": "Applicants and their households; credit officers; the supervisor.",
    "vulnerable_groups": "Young applicants and recent immigrants with thin credit files.",
    "benefits": "Faster, more consistent decisions; fewer loans applicants cannot repay.",
    "measures": "Monthly fairness check by age band and residency; officer review of declines within 5 "
    "points of the threshold; reasons given with every decline.",
    "residual_impact": "Some thin-file applicants still wait longer for a decision.",
    # ISO/IEC 42005; the misuse is copied from the system's record when the assessment is created
    "unintended_uses": "Branches asked to use the score to set loan pricing; it was built to rank repayment "
    "risk only.",
    "failures": "Bureau outage: scores without bureau data fall for thin-file applicants, so more are "
    "declined; a stale model after a missed retrain drifts from current repayment patterns.",
    "use_conclusion": "sensitive",
    "use_conclusion_reason": "The most severe harms reach severity 4 (Major), the sensitive-use threshold, not 5: a "
    "credit officer decides on every decline, and declines can be contested.",
    "fria_needed": True,
    "fria_process": "Consumer credit decisions in the retail lending process.",
    "fria_period": "Continuously, about 4,000 applications a month.",
    "fria_persons": "Natural persons applying for consumer credit.",
    "fria_risks": "Discrimination by age or origin; exclusion from credit.",
    "fria_oversight": "A credit officer decides on every decline and may override the score.",
    "fria_remedies": "Complaints through the customer ombudsman; manual re-assessment on request.",
}
CREDIT_HARMS = [
    ("Thin-file applicants are declined more often than their repayment record justifies.", "groups", 3, 4, "hard"),
    ("An applicant is not told why they were declined and cannot contest it.", "individuals", 2, 3, "reversible"),
    ("Wider use of scores narrows access to credit for whole neighbourhoods.", "society", 2, 4, "irreversible"),
]  # fmt: skip
CV_ASSESSMENT = {
    "title": "Impact assessment: CV screening",
    "trigger": "new_system",
    "scope": "Shortlisting of applicants for branch and operations roles.",
    "interested_parties": "Job applicants; recruiters; works council.",
    "vulnerable_groups": "Older applicants; applicants with career breaks.",
    "unintended_uses": "Recruiters sorting internal transfer requests with it.",
}
MODEL_VERSIONS = [
    ("Northbank Score 3.0", "3.0", 400, "First release of v3: gradient boosting replaces the scorecard."),
    ("Northbank Score 3.1", "3.1", 30, "Retrained with 2024 data; two bureau features added."),
]


def _system(title):
    return demo.find(AISystem, title)


def _seed_datasets(users) -> int:
    created = 0
    for spec in DATASETS:
        system = _system(spec["system"])
        if system is None or demo.seeded(Dataset, spec["title"]):
            continue
        fields = {k: v for k, v in spec.items() if k != "system"}
        made = datasets.services.create(actor=users["manager"], fields={**fields, "systems": [system]})
        demo.remember(made, spec["title"])
        created += 1
    return created


def _seed_model_version(users, system, index) -> int:
    title, version, days_ago, change = MODEL_VERSIONS[index]
    # By the ledger, not the title: a renamed 3.1 would otherwise be made again, and refused ("already has
    # a model version 3.1"). A system that has the version number from elsewhere is left as it is, too.
    if (
        demo.seeded(ModelVersion, title)
        or ModelVersion.objects.filter(system=system, model_version=version).exists()
    ):
        return 0
    record = model_versions.services.create(
        actor=users["owner"],
        fields={
            "title": title,
            "system": system,
            "model_version": version,
            "released_on": timezone.localdate() - dt.timedelta(days=days_ago),
            "training_data": list(Dataset.objects.filter(systems=system)),
            "evaluation": "AUC 0.81 on 2024 hold-out; approval-rate gap by age band under 3 points.",
            "change_description": change,
        },
    )
    demo.remember(record, title)
    if index == 0:
        model_versions.approve(record, actor=users["board"], expected_version=record.version)
    return 1


def _seed_credit_assessment(users, system) -> int:
    if demo.seeded(ImpactAssessment, CREDIT_ASSESSMENT["title"]):
        return 0
    owner, board = users["owner"], users["board"]
    record = assessments.services.create(actor=owner, fields={**CREDIT_ASSESSMENT, "system": system})
    demo.remember(record, CREDIT_ASSESSMENT["title"])
    for description, affected, likelihood, severity, reversibility in CREDIT_HARMS:
        record = harms.add_harm(
            record, actor=owner, expected_version=record.version, description=description,
            affected=affected, likelihood=likelihood, severity=severity, reversibility=reversibility,
        )  # fmt: skip
    record = publishing.submit(record, actor=owner, expected_version=record.version)
    record = assessments.approve(
        record, actor=board, expected_version=record.version, change_summary="First assessment of v3"
    )
    record = publishing.publish(record, actor=owner, expected_version=record.version)
    first = record.harms.order_by("-severity", "-likelihood", "id").first()
    harms.harm_to_risk(record, actor=owner, expected_version=record.version, harm=str(first.pk))
    return 1


def seed_assessments(users) -> int:
    """Returns how many records it created (0 on a second run)."""
    created = _seed_datasets(users)
    credit, cv = _system(CREDIT), _system(CV)
    if credit is not None:
        created += _seed_model_version(users, credit, 0)
        created += _seed_credit_assessment(users, credit)
        created += _seed_model_version(users, credit, 1)  # after approval: reassessment due
    if cv is not None and not demo.seeded(ImpactAssessment, CV_ASSESSMENT["title"]):
        made = assessments.services.create(actor=users["owner2"], fields={**CV_ASSESSMENT, "system": cv})
        demo.remember(made, CV_ASSESSMENT["title"])
        created += 1
    return created

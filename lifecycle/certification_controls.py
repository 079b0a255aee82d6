"""Certification readiness for Annex A: one check per control (3.2 of the reference: what each control
asks to be documented), computed from the records or from an approved document linked to the control.
aims.certification leaves out the controls the SoA excludes. What the checks read is declared as facts
(aims.certification.fact), here and in the modules they share rows with, and asked in one query."""

from django.db.models import Count, Q
from django.urls import reverse

from aims.certification import fact, known, met, missing, partial
from aims.models import Lifecycle
from aims.together import totals
from registers import certification_checks as plan
from registers.certification_checks import LINKED, documented, link, need_document
from registers.certification_clauses import roles_held
from registers.models import Communication, Concern, Obligation, Policy
from registers.standard.obligations import with_reporting_duty

from .certification_checks import (
    AFTER_VALIDATION,
    Filled,
    assessments,
    every_system,
    impact_assessed,
    systems,
)
from .models import KPI, BiasAssessment, Dataset, GateReview, Harm, IncidentLog, ModelVersion, Stage, Supplier

# -- Annex A -----------------------------------------------------------------------------------------------


def resources(field, what):
    return lambda today: every_system(Filled(field), what, link("AI systems", "aisystem-list"))


RESOURCE_FIELDS = {  # A.4.3 to A.4.6: what A.4.2 asks to be documented for each system
    "data_resources": "data",
    "tooling_resources": "tooling",
    "compute_resources": "computing",
    "human_resources": "human",
}


def system_resources(today):
    """A.4.2: the resources of each AI system are identified and documented -- the data, tooling,
    computing and human resources on its record -- not merely the system listed in the inventory."""
    rows = systems()
    fix = link("AI systems", "aisystem-list")
    if not rows:
        return missing("No AI system in the inventory yet.", link("Record an AI system", "aisystem-add"))
    fields = RESOURCE_FIELDS.items()
    lacking = [(s, [kind for name, kind in fields if not s[name] or s[name].isspace()]) for s in rows]
    lacking = [(s, kinds) for s, kinds in lacking if kinds]
    if not lacking:
        return met(
            f"All {len(rows)} AI systems document their data, tooling, computing and human resources.", fix
        )
    named = "; ".join(f"{s['reference']} ({', '.join(kinds)})" for s, kinds in lacking[:LINKED])
    more = f" and {len(lacking) - LINKED} more" if len(lacking) > LINKED else ""
    return partial(
        f"{len(lacking)} of {len(rows)} AI systems in the inventory lack documented resources: {named}{more}.",
        *[
            (s["reference"], reverse("aisystem-detail", args=[s["reference"]]))
            for s, _kinds in lacking[:LINKED]
        ],
        fix,
    )


fact(
    "published_ai_policy",
    lambda: (
        Policy.objects.live()
        .filter(kind=Policy.Kind.AI_POLICY, published_on__isnull=False)
        .exclude(status=Lifecycle.RETIRED)
        .order_by("-published_on")[:1]
    ),
)
# Whether any row exists, for the checks that fall back on records when no document describes a process.
fact("any_concern", lambda: Concern.objects.values_list("pk", flat=True)[:1], bool)
fact(
    "any_decided_gate",
    lambda: GateReview.objects.exclude(decision=GateReview.Decision.PENDING).values_list("pk", flat=True)[:1],
    bool,
)
fact("any_model_version", lambda: ModelVersion.objects.live().values_list("pk", flat=True)[:1], bool)
fact("any_incident_log", lambda: IncidentLog.objects.values_list("pk", flat=True)[:1], bool)


def ai_policy_reviewed(today):
    policy = next(iter(known("published_ai_policy")), None)
    if policy is None:
        return missing("No AI policy is published, so none is under review.", link("Policies", "policy-list"))
    own = link(policy.reference, "policy-detail", args=[policy.reference])
    if policy.next_review_on and policy.next_review_on >= today:
        return met(f"{policy.reference} is next reviewed on {policy.next_review_on}.", own)
    when = f"was due {policy.next_review_on}" if policy.next_review_on else "has no date"
    return partial(f"{policy.reference}'s review {when}.", own)


def concern_process(today):
    found = documented("A.3.3", today, "the concern-reporting process")
    if found:
        return found
    if known("any_concern"):
        return partial(
            "Concerns are being raised in the app, but no approved document describes the process.",
            link("Concerns", "concern-list"),
            link("Record the process", "document-add"),
        )
    return missing("No concern-reporting process documented.", link("Record the process", "document-add"))


def with_fallback(code, what, fallback):
    """An approved document linked to the control, else `fallback(today)` (records that show part of it)."""
    return lambda today: documented(code, today, what) or fallback(today)


def impact_process_fallback(today):
    if assessments():
        return partial(
            "Impact assessments are done, but no approved document describes the process.",
            link("Record the process", "document-add"),
        )
    return missing("No impact assessment process documented.", link("Record the process", "document-add"))


def harms_for(*audiences, what):
    def check(today):
        found = assessments()
        return every_system(
            {pk for pk, assessment in found.items() if assessment["harms"] & set(audiences)},
            what,
            link("Impact assessments", "impactassessment-list"),
        )

    return check


def development_process_fallback(today):
    if known("any_decided_gate"):
        return partial(
            "Stage gates are in use, but no approved document describes the development process.",
            link("Record the process", "document-add"),
        )
    return missing(
        "No responsible design and development process documented.",
        link("Record the process", "document-add"),
    )


def specification_fallback(today):
    result = every_system(
        Filled("intended_use"), "intended use recorded", link("AI systems", "aisystem-list")
    )
    if result.status == "met":
        return partial(
            "Every system records its intended use, but no approved specification is linked.", *result.links
        )
    return result


def design_docs_fallback(today):
    if known("any_model_version"):
        return partial(
            "Model versions are recorded, but no approved design documentation is linked.",
            link("Model versions", "modelversion-list"),
        )
    return missing("No design and development documentation.", link("Record the document", "document-add"))


fact(
    "evaluated_systems",
    lambda: ModelVersion.objects.live().exclude(evaluation="").values_list("system_id", flat=True),
    set,
)
fact(
    "passed_bias_systems",
    lambda: BiasAssessment.objects.live().filter(passed=True).values_list("system_id", flat=True),
    set,
)


def verified(today):
    tested = known("evaluated_systems") | known("passed_bias_systems")
    rows = [s for s in systems() if s["stage"] in AFTER_VALIDATION]
    if systems() and not rows:
        return met("No AI system has reached verification yet.", link("AI systems", "aisystem-list"))
    return every_system(
        tested,
        "evaluation results or a passed bias assessment",
        link("Model versions", "modelversion-list"),
        rows=rows,
    )


fact(
    "deployment_gates",
    lambda: GateReview.objects.filter(
        decision=GateReview.Decision.APPROVED, to_stage=Stage.DEPLOYMENT
    ).values_list("system_id", flat=True),
    set,
)


def deployed_through_gate(today):
    gated = known("deployment_gates")
    rows = [s for s in systems() if s["stage"] in (Stage.DEPLOYMENT, Stage.OPERATION)]
    if not rows:
        return need_document("A.6.2.5", today, "the deployment plan")
    return documented("A.6.2.5", today, "the deployment plan") or every_system(
        gated,
        "deployed through an approved deployment gate",
        link("AI systems", "aisystem-list"),
        rows=rows,
    )


fact(
    "monitored_systems",
    lambda: KPI.objects.live().exclude(system=None).values_list("system_id", flat=True),
    set,
)


def monitored(today):
    watched = known("monitored_systems")
    rows = [s for s in systems() if s["stage"] == Stage.OPERATION]
    if not rows:
        return need_document("A.6.2.6", today, "the operation and monitoring arrangements")
    return every_system(watched, "monitored by at least one KPI", link("KPIs", "kpi-list"), rows=rows)


fact(
    "datasets",
    lambda: totals(
        Dataset.objects.live(),
        total=Count("pk", distinct=True),  # `linked` joins each dataset's systems: count each dataset once
        linked=Count("pk", filter=Q(systems__isnull=False), distinct=True),
        acquisition=Count("pk", filter=~Q(acquisition=""), distinct=True),
        quality_requirements=Count("pk", filter=~Q(quality_requirements=""), distinct=True),
        preparation=Count("pk", filter=~Q(preparation=""), distinct=True),
    ),
    lambda rows: rows[0],
)


def _datasets():
    return known("datasets")


def datasets(field, what):
    def check(today):
        counts = _datasets()
        fix = link("Datasets", "dataset-list")
        if not counts["total"]:
            return missing("No dataset recorded.", link("Record a dataset", "dataset-add"))
        n = counts["total"] if field is None else counts[field]
        if n == counts["total"]:
            return met(f"{'The one dataset' if n == 1 else f'All {n} datasets'}: {what}.", fix)
        return partial(f"{counts['total'] - n} of {counts['total']} datasets lack it: {what}.", fix)

    return check


def incident_plan_fallback(today):
    if known("any_incident_log"):
        return partial(
            "Incident communications are logged, but no approved communication plan is linked.",
            link("AI incidents", "incident-list"),
        )
    return missing("No incident communication plan.", link("Record the plan", "document-add"))


fact(
    "obligations",
    lambda: totals(
        Obligation.objects.live(), duties=Count("pk", filter=with_reporting_duty()), obligations=Count("pk")
    ),
    lambda rows: rows[0],
)
fact(
    "external_communications",
    lambda: totals(Communication.objects.live().filter(internal=False), external=Count("pk")),
    lambda rows: rows[0],
)


def reporting_obligations(today):
    """A.8.5: the obligations to report about the AI systems to interested parties are determined and
    documented -- compliance obligations that say what is reported, to whom and when, a line of the
    communication plan for external reporting, or an approved document linked to the control. Whether
    the stakeholder report is published is not the question."""
    found = documented("A.8.5", today, "the obligations to report to interested parties")
    counts = {**known("obligations"), **known("external_communications")}
    duties = link("Obligations with a reporting duty", "obligation-list", "reporting=true")
    external = link("External communications", "communication-list", "internal=false")
    if found:
        return found
    if counts["duties"] or counts["external"]:
        said = []
        if counts["duties"]:
            said.append(f"{counts['duties']} compliance obligations record what must be reported")
        if counts["external"]:
            said.append(f"{counts['external']} lines of the communication plan report to external parties")
        return met("; ".join(said).capitalize() + ".", duties, external)
    if counts["obligations"]:
        return partial(
            f"{counts['obligations']} compliance obligations are recorded, but none says what must be reported "
            "to interested parties, and the communication plan has no external line.",
            link("Compliance obligations", "obligation-list"),
            external,
        )
    return missing(
        "No obligation to report to interested parties is determined.",
        link("Record an obligation", "obligation-add"),
        external,
    )


fact(
    "suppliers",
    lambda: totals(
        Supplier.objects.live(),
        total=Count("pk"),
        responsibilities=Count("pk", filter=~Q(responsibilities="")),
        due_diligence_on=Count("pk", filter=Q(due_diligence_on__isnull=False)),
    ),
    lambda rows: rows[0],
)


def suppliers_check(field, what):
    def check(today):
        counts = known("suppliers")
        counts = {"total": counts["total"], "done": counts[field]}
        fix = link("Suppliers", "supplier-list")
        if not counts["total"]:
            return missing("No supplier recorded.", link("Record a supplier", "supplier-add"))
        if counts["done"] == counts["total"]:
            return met(f"All {counts['total']} suppliers: {what}.", fix)
        return partial(
            f"{counts['total'] - counts['done']} of {counts['total']} suppliers lack it: {what}.", fix
        )

    return check


def doc(code, what):
    return lambda today: need_document(code, today, what)


# code -> (title, check): 3.2 of the reference, one row per Annex A control
ANNEX_CHECKS = {
    "A.2.2": ("AI policy in force", plan.ai_policy),
    "A.2.3": ("Alignment with other policies, documented", doc("A.2.3", "how the AI policy aligns with other policies")),
    "A.2.4": ("AI policy reviewed on schedule", ai_policy_reviewed),
    "A.3.2": ("AI roles defined and held", roles_held),
    "A.3.3": ("Concern-reporting process", concern_process),
    "A.4.2": ("Resources of each AI system documented", system_resources),
    "A.4.3": ("Data resources per AI system", resources("data_resources", "data resources recorded")),
    "A.4.4": ("Tooling resources per AI system", resources("tooling_resources", "tooling resources recorded")),
    "A.4.5": ("System and computing resources per AI system", resources("compute_resources", "computing resources recorded")),
    "A.4.6": ("Human resources per AI system", resources("human_resources", "human resources and competences recorded")),
    "A.5.2": ("Impact assessment process", with_fallback("A.5.2", "the impact assessment process", impact_process_fallback)),
    "A.5.3": ("Impact assessment results kept", impact_assessed),
    "A.5.4": ("Impacts on individuals or groups assessed", harms_for(Harm.Affected.INDIVIDUALS, Harm.Affected.GROUPS, what="impacts on individuals or groups assessed")),
    "A.5.5": ("Societal impacts assessed", harms_for(Harm.Affected.SOCIETY, what="societal impacts assessed")),
    "A.6.1.2": ("Responsible-development objectives", doc("A.6.1.2", "the objectives for responsible development")),
    "A.6.1.3": ("Responsible design and development processes", with_fallback("A.6.1.3", "the design and development process", development_process_fallback)),
    "A.6.2.2": ("Requirements and specification", with_fallback("A.6.2.2", "the system requirements", specification_fallback)),
    "A.6.2.3": ("Design and development documentation", with_fallback("A.6.2.3", "the design documentation", design_docs_fallback)),
    "A.6.2.4": ("Verification and validation results", verified),
    "A.6.2.5": ("Deployment plan", deployed_through_gate),
    "A.6.2.6": ("Operation and monitoring", monitored),
    "A.6.2.7": ("Technical documentation", doc("A.6.2.7", "the technical documentation")),
    "A.6.2.8": ("Event logging decision", doc("A.6.2.8", "when event logs are kept")),
    "A.7.2": ("Data for development, linked to systems", datasets("linked", "linked to the systems they serve")),
    "A.7.3": ("Data acquisition recorded", datasets("acquisition", "acquisition recorded")),
    "A.7.4": ("Data quality requirements", datasets("quality_requirements", "quality requirements recorded")),
    "A.7.5": ("Data provenance", datasets(None, "provenance recorded")),
    "A.7.6": ("Data preparation", datasets("preparation", "preparation recorded")),
    "A.8.2": ("Information for users", doc("A.8.2", "the information for users")),
    "A.8.3": ("External reporting", doc("A.8.3", "how external parties report adverse impacts")),
    "A.8.4": ("Incident communication plan", with_fallback("A.8.4", "the incident communication plan", incident_plan_fallback)),
    "A.8.5": ("Obligations to report to interested parties", reporting_obligations),
    "A.9.2": ("Responsible-use processes", doc("A.9.2", "the responsible-use process")),
    "A.9.3": ("Responsible-use objectives", doc("A.9.3", "the objectives for responsible use")),
    "A.9.4": ("Intended use of each AI system", resources("intended_use", "intended use recorded")),
    "A.10.2": ("Responsibilities allocated with third parties", suppliers_check("responsibilities", "responsibilities allocated")),
    "A.10.3": ("Supplier due diligence", suppliers_check("due_diligence_on", "due diligence done")),
    "A.10.4": ("Customer arrangements", doc("A.10.4", "how customer needs are met")),
}  # fmt: skip

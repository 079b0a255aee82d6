"""Certification readiness checks computed from the life-cycle registers (aims.certification): the SoA
(6.1.3), impact assessments (6.1.4, 8.4), operational control through stage gates (8.1), monitoring
(9.1), and what the SoA says of each Annex A control (its checks: lifecycle/certification_controls.py).

Rows every check reads (systems, assessments, SoA entries, datasets ...) are loaded once per readiness
run through aims.certification.shared: the whole run takes a constant number of queries."""

from aims.certification import fact, known, met, missing, partial, shared
from aims.models import Lifecycle, Requirement
from aims.registry import registry
from registers.certification_checks import link

from .models import (
    KPI,
    AISystem,
    GateReview,
    Harm,
    ImpactAssessment,
    SoAEntry,
    Stage,
    Statement,
)
from .standard.kpis.selectors import overdue

SYSTEM_FIELDS = (
    "pk", "reference", "title", "stage", "intended_use", "data_resources", "tooling_resources",
    "compute_resources", "human_resources", "publish_to_stakeholders",
)  # fmt: skip
AFTER_VALIDATION = (Stage.VALIDATION, Stage.DEPLOYMENT, Stage.OPERATION)


# -- rows shared by the checks ------------------------------------------------------------------------------
# Live AI systems in the AIMS scope that are not decommissioned: the ones the AIMS must cover.
fact(
    "systems",
    lambda: (
        AISystem.objects.live()
        .filter(in_scope=True)
        .exclude(stage=Stage.DECOMMISSIONED)
        .order_by("reference")
        .values(*SYSTEM_FIELDS)
    ),
)


def systems() -> list[dict]:
    return known("systems")


def _approved_assessments():
    return ImpactAssessment.objects.live().filter(version_number__gte=1)


fact(
    "approved_assessments",
    lambda: (
        _approved_assessments()
        .order_by("system_id", "-created_at", "-pk")
        .values_list("pk", "system_id", "reference", "reassessment_due")
    ),
)
fact(
    "approved_harms",
    lambda: Harm.objects.filter(assessment__in=_approved_assessments()).values_list(
        "assessment_id", "affected"
    ),
)


def _assessments() -> dict[int, dict]:
    """{system id: {"current": bool, "reference": str, "harms": {"individuals", ...}}} for the latest
    approved impact assessment of each system."""
    latest: dict[int, dict] = {}
    for pk, system_id, reference, due in known("approved_assessments"):
        latest.setdefault(system_id, {"pk": pk, "reference": reference, "current": not due, "harms": set()})
    by_pk = {a["pk"]: a for a in latest.values()}
    for assessment_id, affected in known("approved_harms"):
        if assessment_id in by_pk:  # the harms of an earlier assessment are not the system's now
            by_pk[assessment_id]["harms"].add(affected)
    return latest


def assessments() -> dict[int, dict]:
    return shared("assessments", _assessments)


def soa_entries() -> dict[str, dict]:
    """{control code: {"applicable", "justification", "implementation"}}: one query."""
    return shared(
        "soa_entries",
        lambda: {
            code: {"applicable": applicable, "justification": justification, "implementation": implementation}
            for code, applicable, justification, implementation in SoAEntry.objects.live()
            .filter(control__isnull=False)
            .values_list("control__code", "applicable", "justification", "implementation")
        },
    )


def control_applicability(today):
    """For aims.certification: what the SoA says of each Annex A control; None while it has no rows."""
    entries = soa_entries()
    return {code: entry["applicable"] for code, entry in entries.items()} or None


def _refs(rows, limit=3) -> str:
    shown = ", ".join(r["reference"] for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


class Filled:
    """The systems whose text field `name` holds more than blanks (a test for every_system)."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, system) -> bool:
        # Whether the text holds more than blanks, without copying it (strip() would, for each system).
        return bool(system[self.name]) and not system[self.name].isspace()


def every_system(test, what: str, fix, *, rows=None):
    """met when every system the AIMS covers passes `test`, partial for some, else missing. `test` is the
    ids of those that pass (a set, or a dict's keys), a Filled(field), or any callable(system) -> bool: the
    first two are read inline, not called once per system (the SoA's page judges a thousand systems over
    a dozen controls)."""
    rows = systems() if rows is None else rows
    if not rows:
        return missing("No AI system in the inventory yet.", link("Record an AI system", "aisystem-add"))
    if isinstance(test, set | frozenset | dict):
        lacking = [s for s in rows if s["pk"] not in test]
    elif isinstance(test, Filled):
        name = test.name
        lacking = [s for s in rows if not s[name] or s[name].isspace()]
    else:
        lacking = [s for s in rows if not test(s)]
    if not lacking:
        return met(f"All {len(rows)} AI systems: {what}.", fix)
    if len(lacking) < len(rows):
        return partial(f"{len(lacking)} of {len(rows)} AI systems lack it ({_refs(lacking)}): {what}.", fix)
    return missing(f"None of the {len(rows)} AI systems: {what}.", fix)


# -- clause checks ----------------------------------------------------------------------------------------
def soa_approved(today):
    statement = Statement.objects.live().order_by("-version_number", "-pk").first()
    if statement is None:
        return missing("No Statement of Applicability.", link("Start the SoA", "statement-list"))
    own = link(statement.reference, "statement-detail", args=[statement.reference])
    if statement.version_number >= 1 and statement.status in (Lifecycle.APPROVED, Lifecycle.PUBLISHED):
        if statement.next_review_on and statement.next_review_on < today:
            return partial(
                f"{statement.reference} is approved but its review was due {statement.next_review_on}.", own
            )
        return met(f"{statement.reference} approved by the board (version {statement.version_number}).", own)
    if statement.version_number >= 1:
        return partial(
            f"{statement.reference} v{statement.version_number} is approved; a revision is open.", own
        )
    return partial(
        f"{statement.reference} is {statement.get_status_display().lower()}, not yet approved.", own
    )


def soa_controls(today):
    entries = soa_entries()
    controls = shared(
        "control_codes",
        lambda: list(
            Requirement.objects.mappable()
            .filter(kind=Requirement.Kind.CONTROL)
            .values_list("code", flat=True)
        ),
    )
    fix = link("SoA entries", "soaentry-list")
    if not entries:
        return missing(
            "The SoA holds no Annex A control yet.", link("Statement of Applicability", "statement-list")
        )
    absent = [c for c in controls if c not in entries]
    unjustified = [c for c, e in entries.items() if not (e["justification"] or "").strip()]
    if absent or unjustified:
        return partial(
            f"{len(absent)} Annex A controls have no SoA row; {len(unjustified)} rows give no justification.",
            fix,
        )
    return met(f"All {len(controls)} Annex A controls are in the SoA, each with its justification.", fix)


def impact_assessed(today):
    found = assessments()
    return every_system(
        found,
        "an impact assessment approved by the board",
        link("Impact assessments", "impactassessment-list"),
    )


def impact_results_current(today):
    found = assessments()
    return every_system(
        {pk for pk, assessment in found.items() if assessment["current"]},
        "an approved impact assessment that is not due for reassessment",
        link("Due for reassessment", "impactassessment-list", "reassessment_due=true"),
    )


def operational_control(today):
    gated = shared(
        "gated_systems",
        lambda: set(
            GateReview.objects.filter(decision=GateReview.Decision.APPROVED).values_list(
                "system_id", flat=True
            )
        ),
    )
    beyond = [s for s in systems() if s["stage"] != Stage.DESIGN]
    if systems() and not beyond:
        return met(
            "Every AI system is still in design: no stage gate has been due.",
            link("AI systems", "aisystem-list"),
        )
    return every_system(
        gated,
        "past design through an approved stage gate",
        link("AI systems", "aisystem-list"),
        rows=beyond,
    )


def monitoring(today):
    kpis = KPI.objects.live()
    total = kpis.count()
    fix = link("KPIs", "kpi-list")
    if not total:
        return missing("No KPI is measured.", link("Define a KPI", "kpi-add"))
    late = overdue(kpis).count()
    if late:
        return partial(
            f"{late} of {total} KPIs were not measured in their period.",
            link("Overdue KPIs", "kpi-list", "overdue=true"),
        )
    return met(f"All {total} KPIs were measured in their period.", fix)


CLAUSE_CHECKS = [
    ("6.1.3-soa", "6.1.3", "Statement of Applicability approved", soa_approved),
    ("6.1.3-controls", "6.1.3", "The necessary controls, each justified in the SoA", soa_controls),
    ("6.1.4", "6.1.4", "Impact assessment results for every AI system", impact_assessed),
    ("8.1", "8.1", "Operational control: systems move through approved stage gates", operational_control),
    ("8.4", "8.4", "Impact assessment results current", impact_results_current),
    ("9.1", "9.1", "Monitoring and measurement results: KPIs measured in their period", monitoring),
]


def annex_control(code: str):
    """An Annex A control's readiness row: the control's one judgement (lifecycle.controls), which the
    Statement of Applicability shows too; worked out for every control once per readiness run."""

    def check(today):
        from .controls import judge_controls

        return shared(f"control_judgements:{today}", lambda: judge_controls(today))[code].result()

    return check


def register_checks():
    from .certification_controls import ANNEX_CHECKS

    for key, code, title, check in CLAUSE_CHECKS:
        registry.add_readiness_check(code, title, check, key=key)
    for code, (title, _records) in ANNEX_CHECKS.items():
        registry.add_readiness_check(code, title, annex_control(code))
    registry.set_control_applicability(control_applicability)

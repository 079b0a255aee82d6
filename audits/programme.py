"""The audit programme (ISO/IEC 42001 9.2.2): what each cycle audits and how often, driven by risk and by
the results of previous audits, and how much of the AIMS the cycle has reached (coverage)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.utils import timezone

from aims.models import Requirement
from aims.policies import policy_of, require
from aims.records import StaleRow, update_record
from aims.registry import registry
from lifecycle.models import AISystem, Tier
from registers.selectors import open_risk_counts

from .models import Audit, AuditProgramme, Finding, Frequency, ProgrammeItem, Result

SOONER = {
    Frequency.TWO_YEARLY: Frequency.YEARLY,
    Frequency.YEARLY: Frequency.HALF_YEARLY,
    Frequency.HALF_YEARLY: Frequency.QUARTERLY,
    Frequency.QUARTERLY: Frequency.QUARTERLY,
}
MANY_OPEN_RISKS = 3  # this many open risks naming a system bring its audit forward one step


def _for_system(system: AISystem, open_risks: int) -> tuple[int, str]:
    """High-risk or critical systems twice a year, low-impact ones every two years; many open risks
    bring the audit forward."""
    tier = f"{system.get_eu_tier_display()}, criticality {system.criticality}"
    if system.eu_tier in (Tier.PROHIBITED, Tier.HIGH) or system.criticality >= 4:
        frequency = Frequency.HALF_YEARLY
    elif system.eu_tier == Tier.MINIMAL and system.criticality <= 2:
        frequency = Frequency.TWO_YEARLY
    else:
        frequency = Frequency.YEARLY
    if open_risks >= MANY_OPEN_RISKS:
        frequency = SOONER[frequency]
    return frequency, f"{tier}, {open_risks} open risk{'s' if open_risks != 1 else ''}"


def _for_grade(grade: str | None) -> tuple[int, str]:
    """A major nonconformity last time: every quarter; a minor one: every six months; otherwise yearly."""
    if grade == Result.MAJOR:
        return Frequency.QUARTERLY, "major nonconformity at the last audit"
    if grade == Result.MINOR:
        return Frequency.HALF_YEARLY, "minor nonconformity at the last audit"
    return Frequency.YEARLY, "no nonconformity at the last audit"


def last_grades(requirement_ids) -> dict[int, str | None]:
    """{requirement id: the worst grade the latest reported audit that checked it gave it}: None when
    never audited or conforming. Two queries however many requirements."""
    done = [Audit.Status.REPORTED, Audit.Status.CLOSED]
    latest: dict[int, int] = {}
    checked = (
        Audit.objects.live()
        .filter(status__in=done, checklist__requirement__in=requirement_ids)
        .order_by("-ends_on", "-id")
        .values_list("checklist__requirement", "pk")
    )
    for requirement_id, audit_id in checked:
        latest.setdefault(requirement_id, audit_id)  # newest first: the first seen is the latest
    grades: dict[int, set] = {}
    findings = Finding.objects.live().filter(audit_id__in=set(latest.values()), requirement_id__in=latest)
    for requirement_id, audit_id, grade in findings.values_list("requirement_id", "audit_id", "grade"):
        if latest.get(requirement_id) == audit_id:
            grades.setdefault(requirement_id, set()).add(grade)
    worst = {}
    for requirement_id in requirement_ids:
        found = grades.get(requirement_id, set())
        worst[requirement_id] = next((g for g in (Result.MAJOR, Result.MINOR) if g in found), None)
    return worst


def suggestions(*, requirements=(), systems=()) -> dict:
    """{("requirement", id) or ("system", id): (frequency, reason)}; three queries for a whole programme."""
    result = {}
    if requirements:
        for pk, grade in last_grades([r.pk for r in requirements]).items():
            result[("requirement", pk)] = _for_grade(grade)
    if systems:
        open_risks = open_risk_counts([system.pk for system in systems])
        for system in systems:
            result[("system", system.pk)] = _for_system(system, open_risks.get(system.pk, 0))
    return result


def suggest(*, requirement=None, system=None) -> tuple[int, str]:
    if system is not None:
        return suggestions(systems=[system])[("system", system.pk)]
    return suggestions(requirements=[requirement])[("requirement", requirement.pk)]


def item_key(item: ProgrammeItem) -> tuple[str, int]:
    return ("system", item.system_id) if item.system_id else ("requirement", item.requirement_id)


def with_current_suggestions(items: list) -> list:
    """Each item with `current` (frequency, reason) as the records stand today: a nonconformity found
    since it was planned shows as a changed suggestion."""
    found = suggestions(
        requirements=[i.requirement for i in items if i.requirement_id],
        systems=[i.system for i in items if i.system_id],
    )
    for item in items:
        item.current = found[item_key(item)]
        item.current_label = Frequency(item.current[0]).label
        item.suggestion_changed = item.current[0] != item.suggested_frequency
    return items


def _describe(item: ProgrammeItem) -> str:
    month = f"month {item.planned_month} (Q{item.planned_quarter})"
    text = f"{item.subject}: {month}, {item.get_frequency_display().lower()}"
    return f"{text} -- {item.override_reason}" if item.overridden else text


def _log(programme, actor, old: str, new: str):
    update_record(
        programme,
        actor=actor,
        # A line changes on its own: the programme's version is today's, not the one a page was drawn with.
        expected_version=AuditProgramme.objects.get(pk=programme.pk).version,
        fields={},
        extra_changes=[{"field": "items", "label": "Programme item", "old": old, "new": new}],
    )


def _require_change(actor, programme):
    require(policy_of(programme), "plan", actor, programme)  # AuditProgrammePolicy.can_plan


class StaleLine(StaleRow):
    """The programme line changed since the page was drawn."""

    opened = "the programme"

    @property
    def what(self) -> str:
        return self.record.subject


@transaction.atomic
def save_item(programme, *, actor, item=None, requirement=None, system=None, planned_month, frequency=None,
              override_reason: str = "", expected_version: int | None = None) -> ProgrammeItem:  # fmt: skip
    """Add (item None) or change a programme item (`expected_version`: the line's version the person
    saw); no frequency means the suggested one. The programme's history records the line as it was and
    as it is."""
    _require_change(actor, programme)
    if item is not None:
        item = ProgrammeItem.objects.select_for_update().get(pk=item.pk)
        if expected_version is None or item.version != expected_version:
            raise StaleLine(item, expected_version or 0)
        item.version += 1
    before = _describe(item) if item is not None else ""
    item = item or ProgrammeItem(programme=programme)
    if item.pk is None:
        item.requirement, item.system = requirement, system
    item.suggested_frequency, item.suggestion_reason = suggest(
        requirement=item.requirement, system=item.system
    )
    item.planned_month = planned_month
    item.frequency = frequency or item.suggested_frequency
    item.override_reason = (override_reason or "").strip() if item.overridden else ""
    item.full_clean(exclude=["programme"] if item.pk is None else None)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError({"requirement": f"{item.subject} is already in this programme."}) from None
    _log(programme, actor, before, _describe(item))
    return item


@transaction.atomic
def remove_item(item, *, actor) -> None:
    programme = item.programme
    _require_change(actor, programme)
    before = _describe(item)
    item.delete()
    _log(programme, actor, before, "")


# -- Coverage ---------------------------------------------------------------------------------------------
DONE = (Audit.Status.REPORTED, Audit.Status.CLOSED)
STATES = ("audited", "planned", "not reached")
KINDS = {"clause": "Requirement", "control": "Control", "system": "AI system"}  # ?kind= on the coverage page
FIGURE_LABELS = {
    "clause": "Clauses",
    "control": "Applicable Annex A controls",
    "system": "AI systems in scope",
}


def _state(statuses: set, in_programme: bool) -> str:
    if statuses & set(DONE):
        return "audited"
    return "planned" if statuses or in_programme else "not reached"


def current_programme(today: dt.date, queryset=None):
    """The live programme whose cycle takes in `today`'s year (the one that started last, should two
    overlap), or None."""
    queryset = AuditProgramme.objects.live() if queryset is None else queryset
    return (
        queryset.filter(year__lte=today.year, year__gte=Value(today.year + 1) - F("cycle_years"))
        .order_by("-year", "-id")
        .first()
    )


def cycle_audits(programme: AuditProgramme):
    """The internal audits of the programme's cycle: its own, and any other started within its years. A
    certification body's audits are not the programme's (9.2.2 is about internal audits)."""
    in_years = Q(starts_on__year__gte=programme.year, starts_on__year__lte=programme.last_year)
    return Audit.objects.live().filter(kind=Audit.Kind.INTERNAL).filter(Q(programme=programme) | in_years)


def coverage(programme: AuditProgramme, today: dt.date | None = None) -> dict:
    """Every ISO/IEC 42001 clause requirement (4 to 10) and every Annex A control the SoA marks applicable,
    and every live AI system in scope, with whether the cycle's internal audits have covered it
    ("audited": an audit reported or closed), will ("planned": an audit planned or under way, or a line
    of the programme) or not ("not reached"). Controls the SoA excludes are listed apart (`excluded`).
    Six queries whatever the size of the catalogue or the cycle."""
    today = today or timezone.localdate()
    audits = cycle_audits(programme)
    by_requirement: dict[int, set] = {}
    for req_id, status in audits.values_list("scope", "status"):
        if req_id:
            by_requirement.setdefault(req_id, set()).add(status)
    by_system: dict[int, set] = {}
    for system_id, status in audits.values_list("systems", "status"):
        if system_id:
            by_system.setdefault(system_id, set()).add(status)
    lines = list(programme.items.values_list("requirement_id", "system_id"))
    planned_requirements = {r for r, _ in lines if r}
    planned_systems = {s for _, s in lines if s}
    applicability = (registry.control_applicability(today) if registry.control_applicability else None) or {}
    rows, excluded = [], []
    for r in Requirement.objects.mappable().order_by("position"):
        if r.kind == Requirement.Kind.CONTROL and applicability.get(r.code) is False:
            excluded.append(r)
            continue
        state = _state(by_requirement.get(r.pk, set()), r.pk in planned_requirements)
        rows.append({"subject": r, "kind": r.get_kind_display(), "state": state,
                     "in_programme": r.pk in planned_requirements})  # fmt: skip
    for s in AISystem.objects.live().filter(in_scope=True).order_by("title"):
        rows.append({"subject": s, "kind": "AI system", "state": _state(by_system.get(s.pk, set()), s.pk in planned_systems),
                     "in_programme": s.pk in planned_systems})  # fmt: skip
    return {"rows": rows, "counts": _counts(rows), "total": len(rows), "excluded": excluded}


def _counts(rows) -> dict:
    """{"audited": n, "planned": n, "not_reached": n}: the keys the pages' ?state= takes."""
    return {state.replace(" ", "_"): sum(1 for r in rows if r["state"] == state) for state in STATES}


def gaps(found: dict) -> list:
    """The clauses and applicable controls a coverage (above) says the cycle has not reached."""
    return [
        row["subject"]
        for row in found["rows"]
        if row["state"] == "not reached" and row["kind"] != "AI system"
    ]


def coverage_figures(found: dict) -> list[dict]:
    """Per kind -- clauses, applicable controls, AI systems -- how many rows are in each state: the
    figures of the coverage page and the programme's page, each the ?kind=&state= list of the page."""
    figures = []
    for key, kind in KINDS.items():
        rows = [r for r in found["rows"] if r["kind"] == kind]
        figures.append({"key": key, "label": FIGURE_LABELS[key], "total": len(rows), **_counts(rows)})
    return figures

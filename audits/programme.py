"""The audit programme (ISO/IEC 42001 9.2.2): what each cycle audits and how often, driven by risk and by
the results of previous audits, and how much of the AIMS the cycle has reached (coverage)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from aims import permissions
from aims.models import Requirement
from aims.records import update_record
from lifecycle.models import AISystem, Tier
from registers.models import Risk

from .models import Audit, AuditProgramme, Frequency, ProgrammeItem, Result

SOONER = {
    Frequency.TWO_YEARLY: Frequency.YEARLY,
    Frequency.YEARLY: Frequency.HALF_YEARLY,
    Frequency.HALF_YEARLY: Frequency.QUARTERLY,
    Frequency.QUARTERLY: Frequency.QUARTERLY,
}
MANY_OPEN_RISKS = 3  # this many open risks naming a system bring its audit forward one step


def suggest_for_system(system: AISystem) -> tuple[int, str]:
    """High-risk or critical systems twice a year, low-impact ones every two years; many open risks
    bring the audit forward."""
    if system.eu_tier in (Tier.PROHIBITED, Tier.HIGH) or system.criticality >= 4:
        frequency, why = (
            Frequency.HALF_YEARLY,
            f"{system.get_eu_tier_display()}, criticality {system.criticality}",
        )
    elif system.eu_tier == Tier.MINIMAL and system.criticality <= 2:
        frequency, why = Frequency.TWO_YEARLY, f"minimal risk, criticality {system.criticality}"
    else:
        frequency, why = Frequency.YEARLY, f"{system.get_eu_tier_display()}, criticality {system.criticality}"
    open_risks = Risk.objects.live().filter(ai_system=system.title).exclude(status=Risk.Status.CLOSED).count()
    if open_risks >= MANY_OPEN_RISKS:
        frequency = SOONER[frequency]
    why += f", {open_risks} open risk{'s' if open_risks != 1 else ''}"
    return frequency, why


def last_finding_grade(requirement) -> str | None:
    """The worst grade the latest audit that checked `requirement` gave it (None: never audited or
    conforming)."""
    last = (
        Audit.objects.live()
        .filter(checklist__requirement=requirement, status__in=[Audit.Status.REPORTED, Audit.Status.CLOSED])
        .order_by("-ends_on", "-id")
        .first()
    )
    if last is None:
        return None
    grades = set(last.findings.live().filter(requirement=requirement).values_list("grade", flat=True))
    for grade in (Result.MAJOR, Result.MINOR):
        if grade in grades:
            return grade
    return None


def suggest_for_requirement(requirement) -> tuple[int, str]:
    """A major nonconformity last time: every quarter; a minor one: every six months; otherwise yearly."""
    grade = last_finding_grade(requirement)
    if grade == Result.MAJOR:
        return Frequency.QUARTERLY, "major nonconformity at the last audit"
    if grade == Result.MINOR:
        return Frequency.HALF_YEARLY, "minor nonconformity at the last audit"
    return Frequency.YEARLY, "no nonconformity at the last audit"


def suggest(*, requirement=None, system=None) -> tuple[int, str]:
    return suggest_for_system(system) if system is not None else suggest_for_requirement(requirement)


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
    permissions.require(actor, "change", programme)
    if programme.is_archived:
        raise PermissionDenied(f"{programme.reference} is archived; restore it before planning.")


@transaction.atomic
def save_item(programme, *, actor, item=None, requirement=None, system=None, planned_month, frequency=None,
              override_reason: str = "") -> ProgrammeItem:  # fmt: skip
    """Add (item None) or change a programme item; no frequency means the suggested one. The programme's
    history records the line as it was and as it is."""
    _require_change(actor, programme)
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


def _state(statuses: set) -> str:
    if statuses & set(DONE):
        return "audited"
    return "planned" if statuses else "not reached"


def coverage(programme: AuditProgramme) -> dict:
    """Every ISO/IEC 42001 clause requirement and Annex A control, and every live AI system in scope, with
    whether an audit of the cycle has covered it ("audited"), will ("planned") or not ("not reached").
    Five queries whatever the size of the catalogue or the cycle."""
    audits = Audit.objects.live().filter(Q(programme=programme) | Q(starts_on__year=programme.year))
    by_requirement: dict[int, set] = {}
    for req_id, status in audits.values_list("scope", "status"):
        if req_id:
            by_requirement.setdefault(req_id, set()).add(status)
    by_system: dict[int, set] = {}
    for system_id, status in audits.values_list("systems", "status"):
        if system_id:
            by_system.setdefault(system_id, set()).add(status)
    planned = set(programme.items.values_list("requirement_id", flat=True)) | {
        f"s{pk}" for pk in programme.items.values_list("system_id", flat=True)
    }
    requirements = Requirement.objects.filter(standard__key="iso42001", kind__in=Requirement.MAPPABLE)
    rows = [
        {"subject": r, "kind": r.get_kind_display(), "state": _state(by_requirement.get(r.pk, set())),
         "in_programme": r.pk in planned}
        for r in requirements.order_by("position")
    ]  # fmt: skip
    systems = AISystem.objects.live().filter(in_scope=True).order_by("title")
    rows += [
        {"subject": s, "kind": "AI system", "state": _state(by_system.get(s.pk, set())),
         "in_programme": f"s{s.pk}" in planned}
        for s in systems
    ]  # fmt: skip
    counts = {state.replace(" ", "_"): sum(1 for r in rows if r["state"] == state) for state in STATES}
    return {"rows": rows, "counts": counts, "total": len(rows)}

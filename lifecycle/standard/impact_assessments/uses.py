"""Sensitive and restricted uses (ISO/IEC 42005): the organisation's thresholds on the harm severity
scale, the copy each draft keeps of them, and the assessment's conclusion against them. A conclusion
below what the harms reach needs its reasons written down; without them the draft is not submitted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from aims import records
from aims.policies import policy_of, require
from aims.records import Action
from lifecycle.models import ImpactThresholds, UseLevel
from registers.models.risk import IMPACT_LABELS

ORDER = [UseLevel.ORDINARY, UseLevel.SENSITIVE, UseLevel.RESTRICTED]


def severity_label(level: int | None) -> str:
    return f"{level} ({IMPACT_LABELS[level]})" if level else "not set"


def describe(sensitive_from, restricted_from) -> str:
    return (
        f"sensitive from harm severity {severity_label(sensitive_from)}, "
        f"restricted from {severity_label(restricted_from)}"
    )


def top_severity(record) -> int | None:
    return record.harms.aggregate(top=Max("severity"))["top"]


def indicated(top: int | None, sensitive_from: int | None, restricted_from: int | None) -> str:
    """The level the most severe harm reaches against the thresholds; "" with no harm or no thresholds."""
    if top is None or sensitive_from is None:
        return ""
    if top >= restricted_from:
        return UseLevel.RESTRICTED
    return UseLevel.SENSITIVE if top >= sensitive_from else UseLevel.ORDINARY


def understated(conclusion: str, reasons: str, top: int | None, sensitive_from, restricted_from) -> str:
    """Why a conclusion cannot stand as it is: lower than the harms reach, and no reasons given."""
    reached = indicated(top, sensitive_from, restricted_from)
    if not (reached and conclusion) or reasons.strip() or ORDER.index(conclusion) >= ORDER.index(reached):
        return ""
    return (
        f"The harms reach severity {severity_label(top)}: by the thresholds ({describe(sensitive_from, restricted_from)}) "
        f"a {UseLevel(reached).label.lower()}, but the conclusion is “{UseLevel(conclusion).label}”. Give the "
        f"reasons for it, or conclude “{UseLevel(reached).label}”."
    )


def conclusion_problem(record) -> str:
    """The record's conclusion against the harms it holds now (the submit guard asks this)."""
    return understated(
        record.use_conclusion, record.use_conclusion_reason, top_severity(record),
        record.sensitive_from, record.restricted_from,
    )  # fmt: skip


def apply_thresholds(fields: dict, record) -> dict:
    """A draft's copy of the organisation's thresholds, renewed each time it is saved; and its
    conclusion checked against them (harms exist once the assessment does)."""
    current = ImpactThresholds.current()
    fields = {**fields, "sensitive_from": current.sensitive_from, "restricted_from": current.restricted_from}
    if record is not None:
        problem = understated(
            fields.get("use_conclusion", record.use_conclusion) or "",
            fields.get("use_conclusion_reason", record.use_conclusion_reason) or "",
            top_severity(record), current.sensitive_from, current.restricted_from,
        )  # fmt: skip
        if problem:
            raise ValidationError({"use_conclusion_reason": problem})
    return fields


@transaction.atomic
def thresholds_update(*, actor, expected_version: int, sensitive_from, restricted_from) -> ImpactThresholds:
    """Change the organisation's thresholds (the AIMS manager). Drafts take them when next saved;
    approved assessments keep those they were approved with."""
    require(policy_of(ImpactThresholds), "change", actor, ImpactThresholds.current())
    thresholds = ImpactThresholds.objects.select_for_update().get(pk=ImpactThresholds.current().pk)
    if thresholds.version != expected_version:
        raise ValidationError(
            f"The thresholds were changed by {thresholds.updated_by or 'someone'} since you opened them "
            f"(version {expected_version}, now {thresholds.version}). Nothing was saved: reload and try again."
        )
    before = describe(thresholds.sensitive_from, thresholds.restricted_from)
    thresholds.sensitive_from, thresholds.restricted_from = sensitive_from, restricted_from
    thresholds.full_clean()
    after = describe(thresholds.sensitive_from, thresholds.restricted_from)
    if before == after:
        return thresholds
    thresholds.version += 1
    thresholds.updated_by = actor
    thresholds.save()
    change = {"field": "thresholds", "label": "Thresholds", "old": before, "new": after}
    records.record_change(thresholds, actor=actor, action=Action.UPDATED, changes=[change])
    return thresholds

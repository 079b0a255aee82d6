"""Services of the AI risk register. Views, the API, imports and commands all call these."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims import permissions, records, roles
from aims.models import Notification, User
from aims.policies import policy_of, require
from aims.records import Action

from .models import Risk, RiskCriteria

RISK_FIELDS = [
    "title", "description", "systems", "system_note", "category", "risk_source", *Risk.AFFECTED,
    "inherent_likelihood", "inherent_impact", "existing_controls", "treatment", "treatment_plan",
    "treatment_due_on", "treatment_done_on", "residual_likelihood", "residual_impact", "target_likelihood", "target_impact", "status", "owner",
    "review_cadence", "next_review_on",
]  # fmt: skip


def _escalate_if_above_appetite(risk: Risk, criteria: RiskCriteria) -> None:
    """A residual level above appetite goes to the board (6.1.3: acceptance by designated management)."""
    if risk.residual_score <= criteria.appetite_max or risk.archived_at:
        return
    level = criteria.level(risk.residual_score)
    message = (
        f"{risk.reference} {risk.title}: residual level {level.name if level else risk.residual_score} "
        f"is above the appetite ({criteria.appetite})."
    )
    board = User.objects.filter(groups__name=roles.BOARD, is_active=True)
    Notification.objects.bulk_create(
        [
            Notification(
                user=member,
                kind=Notification.Kind.ABOVE_APPETITE,
                key=f"above-appetite:risk:{risk.pk}:{risk.residual_score}",
                message=message,
                url=risk.get_absolute_url(),
            )
            for member in board
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def risk_create(*, actor, fields: dict, requirements=None, action: str = Action.CREATED) -> Risk:
    """Record an identified AI risk (6.1.2)."""
    permissions.require_add(actor, Risk)
    fields = {k: v for k, v in fields.items() if k in RISK_FIELDS}
    fields.setdefault("owner", actor)
    risk = records.create_record(Risk, actor=actor, fields=fields, requirements=requirements, action=action)
    _escalate_if_above_appetite(risk, RiskCriteria.current())
    return risk


ASSESSMENT_FIELDS = (
    "inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact", "target_likelihood",
    "target_impact", "treatment", "treatment_plan",
)  # fmt: skip


def _reassessed(risk: Risk, before: dict | None = None) -> None:
    """A risk due for reassessment is reassessed when its owner changes its assessment or treatment,
    or reviews it and confirms it as it stands."""
    if before is None or any(
        before.get(name) != records.display_value(risk, risk._meta.get_field(name))
        for name in ASSESSMENT_FIELDS
    ):
        risk.reassessment_due = ""


def _after_change(risk: Risk, before: dict) -> None:
    _withdraw_stale_acceptance(risk, before)
    _reassessed(risk, before)


def _withdraw_stale_acceptance(risk: Risk, before: dict) -> None:
    """An acceptance covers the residual level that was accepted; a new level needs a new decision."""
    moved = before.get("residual_likelihood") != str(risk.residual_likelihood) or before.get(
        "residual_impact"
    ) != str(risk.residual_impact)
    if risk.accepted_by_id and moved:
        risk.accepted_by = None
        risk.accepted_on = None
        risk.acceptance_rationale = ""
        if risk.status == Risk.Status.ACCEPTED:
            risk.status = Risk.Status.ASSESSED


@transaction.atomic
def risk_update(risk: Risk, *, actor, expected_version: int, fields: dict, requirements=None) -> Risk:
    """Change an AI risk; refused with StaleEdit if someone saved since `expected_version`."""
    require(policy_of(risk), "edit", actor, risk)
    fields = {k: v for k, v in fields.items() if k in RISK_FIELDS}
    risk = records.update_record(
        risk,
        actor=actor,
        expected_version=expected_version,
        fields=fields,
        requirements=requirements,
        prepare=_after_change,
    )
    _escalate_if_above_appetite(risk, RiskCriteria.current())
    return risk


@transaction.atomic
def risk_accept(risk: Risk, *, actor, expected_version: int, rationale: str) -> Risk:
    """Accept the residual AI risk (6.1.3): the board, or an owner within appetite; never one's own."""
    permissions.require(actor, "approve", risk)
    if not rationale or not rationale.strip():
        raise ValidationError({"rationale": "Give the reason for accepting the residual risk."})
    if risk.is_archived:
        raise ValidationError({"rationale": f"{risk.reference} is archived and cannot be accepted."})

    def accept(record, before):
        record.accepted_by = actor
        record.accepted_on = timezone.localdate()
        record.acceptance_rationale = rationale.strip()
        record.status = Risk.Status.ACCEPTED

    return records.update_record(
        risk,
        actor=actor,
        expected_version=expected_version,
        fields={},
        action=Action.ACCEPTED,
        note=rationale.strip(),
        prepare=accept,
    )


def risk_archive(risk: Risk, *, actor, expected_version: int) -> Risk:
    permissions.require(actor, "archive", risk)
    return records.archive_record(risk, actor=actor, expected_version=expected_version)


def risk_restore(risk: Risk, *, actor, expected_version: int) -> Risk:
    permissions.require(actor, "archive", risk)
    return records.restore_record(risk, actor=actor, expected_version=expected_version)


def risk_mark_reviewed(risk: Risk, *, actor, expected_version: int) -> Risk:
    permissions.require(actor, "change", risk)
    return records.mark_reviewed(
        risk, actor=actor, expected_version=expected_version, prepare=lambda r, before: _reassessed(r)
    )


@transaction.atomic
def criteria_update(*, actor, expected_version: int, bands: list[dict], appetite: str) -> RiskCriteria:
    """Change the AI risk criteria (6.1.1): level bands and appetite. Only the AIMS manager."""
    require(policy_of(RiskCriteria), "change", actor, RiskCriteria.current())
    criteria = RiskCriteria.objects.select_for_update().get(pk=RiskCriteria.current().pk)
    if criteria.version != expected_version:
        raise ValidationError(
            f"The criteria were changed by {criteria.updated_by or 'someone'} since you opened them "
            f"(version {expected_version}, now {criteria.version}). Nothing was saved: reload and try again."
        )
    before = criteria.describe()
    criteria.bands, criteria.appetite = bands, appetite
    criteria.full_clean()
    after = criteria.describe()
    changes = [
        {"field": k, "label": k.capitalize(), "old": before[k], "new": after[k]}
        for k in after
        if before[k] != after[k]
    ]
    if not changes:
        return criteria
    criteria.version += 1
    criteria.updated_by = actor
    criteria.save()
    records.record_change(criteria, actor=actor, action=Action.UPDATED, changes=changes)
    return criteria


class RiskServices:
    """The risk register's services under the names every register's pages and API call."""

    create = staticmethod(risk_create)
    update = staticmethod(risk_update)
    archive = staticmethod(risk_archive)
    restore = staticmethod(risk_restore)
    mark_reviewed = staticmethod(risk_mark_reviewed)

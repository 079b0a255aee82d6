"""Planned changes (ISO/IEC 42001 6.3): a change to the AIMS is planned -- purpose, consequences, resources,
responsibilities -- and approved by the governance board before it is made.

Approval and rejection are record actions of the board (a button on the page and a POST in the API);
who may take them is PlannedChangePolicy's (registers.policies), with four eyes from aims.permissions
(nobody approves a change they own). The form cannot set a status
that only the board gives: the model refuses approved or implemented without an approval."""

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.actions import Input, RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.policies import allows, policy_of, require
from aims.records import Action, update_record
from aims.register import Register
from aims.services import RecordServices
from registers.models import PlannedChange

FIELDS = [
    "title", "purpose", "consequences", "resources", "responsibilities", "planned_for", "status",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip

Status = PlannedChange.Status

# The only status the owner moves by editing: an approved change is marked done. Everything else is a
# board decision (approve, reject) or stays as it is.
OWNER_MOVES = {(Status.APPROVED, Status.IMPLEMENTED)}


class PlannedChangeServices(RecordServices):
    @transaction.atomic
    def create(self, *, actor, fields: dict, requirements=None, action: str = Action.CREATED):
        if fields.get("status", Status.PROPOSED) != Status.PROPOSED:
            raise ValidationError(
                {"status": "A new change starts as proposed; the governance board approves or rejects it."}
            )
        return super().create(actor=actor, fields=fields, requirements=requirements, action=action)

    @transaction.atomic
    def update(self, record, *, actor, expected_version: int, fields: dict, requirements=None):
        wanted = fields.get("status", record.status)
        if wanted != record.status and (record.status, wanted) not in OWNER_MOVES:
            raise ValidationError(
                {
                    "status": f"{record.reference} is {record.get_status_display().lower()}; it cannot be "
                    f"set to {Status(wanted).label.lower()} by editing. The board approves or rejects a "
                    "proposed change, and only an approved change can be marked implemented."
                }
            )
        reconsider = (
            record.status == Status.APPROVED
            and wanted == Status.APPROVED
            and any(name in fields and fields[name] != getattr(record, name) for name in SUBSTANCE)
        )
        return super().update(
            record,
            actor=actor,
            expected_version=expected_version,
            fields=fields,
            requirements=requirements,
            prepare=_withdraw_approval if reconsider else None,
        )


# What the board approved: changing any of it after approval sends the change back to the board, as
# moving a risk's residual level withdraws its acceptance.
SUBSTANCE = ("purpose", "consequences", "resources", "responsibilities", "planned_for")


def _withdraw_approval(locked, before):
    locked.status = Status.PROPOSED
    locked.approved_by = None
    locked.approved_on = None


services = PlannedChangeServices(PlannedChange, FIELDS)


def _decide(record, *, actor, transition: str, doing: str):
    """Only a proposed change is decided; who decides is the policy's (registers.policies)."""
    if record.status != Status.PROPOSED:
        raise ValidationError(
            f"{record.reference} is {record.get_status_display().lower()}, so it cannot be {doing} now."
        )
    require(policy_of(record), transition, actor, record)


@transaction.atomic
def approve(record, *, actor, expected_version: int, note: str = ""):
    """The board approves the planned change (6.3); it may now be made."""
    _decide(record, actor=actor, transition="approve", doing="approved")

    def stamp(locked, before):
        locked.status = Status.APPROVED
        locked.approved_by = actor
        locked.approved_on = timezone.localdate()

    return update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        action=Action.APPROVED,
        note=note,
        prepare=stamp,
    )


@transaction.atomic
def reject(record, *, actor, expected_version: int, reason: str):
    """The board turns the planned change down, saying why; the reason is the history note."""
    _decide(record, actor=actor, transition="reject", doing="rejected")
    return update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        action=Action.REJECTED,
        note=reason,
        prepare=lambda locked, before: setattr(locked, "status", Status.REJECTED),
    )


ACTIONS = [
    RecordAction(
        "approve",
        "Approve",
        approve,
        lambda u, r: allows("approve", u, r),
        done="{reference} approved; the change may now be made.",
        inputs=(Input("note", "Conditions or remarks", required=False),),
        style="primary",
        description="The governance board approves a proposed change (not its owner).",
    ),
    RecordAction(
        "reject",
        "Reject",
        reject,
        lambda u, r: allows("reject", u, r),
        done="{reference} rejected.",
        inputs=(Input("reason", "Why the change is rejected"),),
        style="danger",
        confirm="Reject this planned change? The decision is recorded with your name.",
        description="The governance board rejects a proposed change; the reason is required.",
    ),
]


class PlannedChangeForm(RecordForm):
    class Meta:
        model = PlannedChange
        fields = [*FIELDS, "requirements"]


class PlannedChangeFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "purpose", "consequences", "responsibilities")
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("status", "status"),
            ("planned_for", "planned_for"),
            ("next_review_on", "next_review"),
        )
    )

    class Meta:
        model = PlannedChange
        fields = []


class PlannedChangeSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = PlannedChange
        fields = record_fields(FIELDS)


class PlannedChangeViewSet(RecordViewSet):
    """Planned changes (6.3). DELETE archives; approve and reject are the board's."""

    serializer_class = PlannedChangeSerializer
    filterset_class = PlannedChangeFilterSet
    services = services
    record_actions = ACTIONS


class PlannedChangeRegister(Register):
    model = PlannedChange
    label, url_prefix, position = "Planned changes", "changes", 48
    menu_group = "6"
    services = services
    form = PlannedChangeForm
    filterset = PlannedChangeFilterSet
    viewset = PlannedChangeViewSet
    select_related = ("owner", "approved_by")
    actions = ACTIONS
    columns = [
        ("Change", "title", "title"),
        ("Status", "status", "status"),
        ("Planned for", "planned_for", "planned_for"),
        ("Owner", "owner", None),
        ("Approved by", "approved_by", None),
    ]
    fieldsets = [
        ("The change", ["purpose", "consequences", "resources", "responsibilities"]),
        ("Decision", ["status", "planned_for", "approved_by", "approved_on"]),
    ]
    form_fieldsets = [
        ("The change", ["title", "purpose", "consequences", "resources", "responsibilities", "requirements"]),
        ("Timing and status", ["planned_for", "status"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 6.3: changes to the AIMS are planned, with their purpose, consequences, resources "
        "and responsibilities, and approved by the governance board before they are made."
    )
    empty_text = (
        "No planned changes yet. Record the next change to the AIMS (a new AI system in scope, a new "
        "process, a reorganisation) and send it to the board for approval."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"Bring the chatbot into AIMS scope, {n}",
            "purpose": "The customer chatbot now answers credit questions.",
        }
        return self.services.create(actor=people["owner"], fields=fields)

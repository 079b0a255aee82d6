"""Model versions (ISO/IEC 42001 A.6.2.2-A.6.2.6): each released version of an AI system's model, the data
it was trained on, how it was evaluated and what changed; approved by the governance board or the AIMS
manager, never by its owner (four eyes).

A new model version changes what the system does, so its live risks and impact assessments are marked
for reassessment (6.1.4, 8.2, 8.4): risks get today as their next review, so the daily reminder sweep
picks them up; assessments get "reassessment due"; each affected owner is told once. A changed dataset
does the same (lifecycle.standard.datasets)."""

from collections import defaultdict

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims import records
from aims.actions import RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.models import Lifecycle, Notification
from aims.policies import allows, policy_of, require
from aims.records import Action
from aims.register import Register
from aims.registry import registry
from aims.services import RecordServices
from lifecycle.models import AISystem, ImpactAssessment, ModelVersion
from registers.models import Risk

FIELDS = [
    "title", "system", "model_version", "released_on", "training_data", "evaluation", "change_description",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip
CONTENT = {"system", "model_version", "released_on", "training_data", "evaluation", "change_description"}


# -- Reassessment after a change to a system's model or data ----------------------------------------------
def affected_records(system):
    """The system's live risks that are not closed and its live impact assessments that are not
    retired."""
    risks = Risk.objects.live().filter(systems=system).exclude(status=Risk.Status.CLOSED)
    assessments = ImpactAssessment.objects.live().filter(system=system).exclude(status=Lifecycle.RETIRED)
    return list(risks.select_related("owner")), list(assessments.select_related("owner"))


@transaction.atomic
def mark_reassessment_due(systems, *, actor, reason: str, key: str, url: str) -> int:
    """Mark what depends on `systems` for reassessment and notify each owner once; returns how many
    records were marked. Not a permission check on each record: the change that causes it was
    permitted, and the records' owners must hear about it whoever made it."""
    note = f"Reassessment due: {reason}"[:500]
    flag = {"field": "reassessment", "label": "Reassessment due", "old": "", "new": reason[:500]}
    today = timezone.localdate()
    owners = defaultdict(list)
    for system in systems:
        risks, assessments = affected_records(system)
        for risk in risks:

            def review_today(locked, before):
                locked.next_review_on = min(locked.next_review_on or today, today)
                locked.reassessment_due = reason[:500]

            records.update_record(
                risk, actor=actor, expected_version=risk.version, fields={}, note=note,
                prepare=review_today, extra_changes=[flag],
            )  # fmt: skip
            owners[risk.owner].append(risk)
        for assessment in assessments:
            records.update_record(
                assessment, actor=actor, expected_version=assessment.version, fields={}, note=note,
                prepare=lambda locked, before: setattr(locked, "reassessment_due", True), extra_changes=[flag],
            )  # fmt: skip
            owners[assessment.owner].append(assessment)
    Notification.objects.bulk_create(
        [
            Notification(
                user=owner,
                kind=Notification.Kind.REVIEW_DUE,
                key=f"{key}:{owner.pk}",
                message=f"Reassess {', '.join(r.reference for r in mine)}: {reason}."[:500],
                url=mine[0].get_absolute_url() if len(mine) == 1 else url,
            )
            for owner, mine in owners.items()
            if owner.is_active
        ],
        ignore_conflicts=True,
    )
    return sum(len(mine) for mine in owners.values())


# -- Services ---------------------------------------------------------------------------------------------
class ModelVersionServices(RecordServices):
    def derive(self, fields: dict, record) -> dict:
        # Named on the field, not as the constraint's "must make a unique set".
        system = fields.get("system", record.system if record else None)
        label = fields.get("model_version", record.model_version if record else "")
        clash = ModelVersion.objects.filter(system=system, model_version=label)
        if system is not None and clash.exclude(pk=getattr(record, "pk", None)).exists():
            raise ValidationError(
                {"model_version": f"{system.reference} already has a model version {label}."}
            )
        return fields

    @transaction.atomic
    def create(self, *, actor, fields: dict, requirements=None, action: str = Action.CREATED):
        record = super().create(actor=actor, fields=fields, requirements=requirements, action=action)
        mark_reassessment_due(
            [record.system],
            actor=actor,
            reason=f"model version {record.model_version} of {record.system.reference}",
            key=f"reassess:modelversion:{record.pk}",
            url=record.get_absolute_url(),
        )
        return record

    @transaction.atomic
    def update(self, record, *, actor, expected_version: int, fields: dict, requirements=None, prepare=None):
        """An approval covers the content approved: changed content needs a new approval."""
        new_data = fields.get("training_data")
        data_moved = new_data is not None and {d.pk for d in new_data} != set(
            record.training_data.values_list("pk", flat=True)
        )

        def withdraw_approval(locked, before):
            after = records.snapshot(locked)  # links are set after this; training data is compared above
            changed = data_moved or any(before.get(f) != after.get(f) for f in CONTENT - {"training_data"})
            if locked.approved_by_id and changed:
                locked.approved_by, locked.approved_on = None, None

        return super().update(
            record, actor=actor, expected_version=expected_version, fields=fields,
            requirements=requirements, prepare=withdraw_approval,
        )  # fmt: skip


services = ModelVersionServices(ModelVersion, FIELDS)


@transaction.atomic
def approve(record, *, actor, expected_version: int):
    """The governance board or the AIMS manager approves the release (A.6.2.5); never its owner
    (ModelVersionPolicy.can_approve, which the button asks too)."""
    require(policy_of(record), "approve", actor, record)

    def stamp(locked, before):
        locked.approved_by, locked.approved_on = actor, timezone.localdate()

    return records.update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        action=Action.APPROVED,
        prepare=stamp,
    )


ACTIONS = [
    RecordAction(
        "approve",
        "Approve release",
        approve,
        lambda user, record: allows("approve", user, record),
        done="{reference} approved for release.",
        style="primary",
        description="Approve the model version (the governance board or the AIMS manager, not its owner).",
    )
]


# -- Pages and API ----------------------------------------------------------------------------------------
class ModelVersionForm(RecordForm):
    class Meta:
        model = ModelVersion
        fields = [*FIELDS, "requirements"]
        labels = {"title": "Name", "released_on": "Released on", "training_data": "Training data"}
        widgets = {
            "released_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "training_data": forms.CheckboxSelectMultiple,
        }


class ModelVersionFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "model_version", "change_description")
    system = filters.ModelChoiceFilter(
        queryset=AISystem.objects.all(), to_field_name="reference", empty_label="Any", label="AI system"
    )
    approved = YesNoFilter(field_name="approved_by", lookup_expr="isnull", exclude=True, label="Approved")
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("released_on", "released"))
    )

    class Meta:
        model = ModelVersion
        fields = []


class ModelVersionSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = ModelVersion
        fields = record_fields(FIELDS)
        # Without DRF's unique-together validator: the service names the clash on model_version instead
        # of "The fields system, model_version must make a unique set."
        validators = []


class ModelVersionViewSet(RecordViewSet):
    """Model versions (A.6.2). `system` and `training_data` by reference. Creating one marks the system's risks and impact assessments for reassessment. POST …/approve/ approves it. DELETE archives."""

    serializer_class = ModelVersionSerializer
    filterset_class = ModelVersionFilterSet
    services = services
    record_actions = tuple(ACTIONS)


class ModelVersionRegister(Register):
    model = ModelVersion
    label, url_prefix, position = "Model versions", "model-versions", 45
    menu_group = "8"
    services = services
    form = ModelVersionForm
    filterset = ModelVersionFilterSet
    viewset = ModelVersionViewSet
    select_related = ("owner", "system", "approved_by")
    actions = tuple(ACTIONS)
    columns = [
        ("Model version", "title", "title"),
        ("AI system", "system", None),
        ("Version", "model_version", None),
        ("Released", "released_on", "released"),
        (
            "Approved",
            lambda r: f"{r.approved_on:%Y-%m-%d} by {r.approved_by}" if r.approved_on else "not yet",
            None,
        ),
        ("Owner", "owner", None),
    ]  # fmt: skip
    fieldsets = [
        ("Release", ["system", "model_version", "released_on", "change_description"]),
        ("Data and evaluation", ["training_data", "evaluation"]),
        ("Approval (four eyes)", ["approved_by", "approved_on"]),
    ]
    form_fieldsets = [
        ("Release (A.6.2.5)", ["title", "system", "model_version", "released_on", "change_description"]),
        ("Training data (A.7)", ["training_data"]),
        ("Evaluation (A.6.2.4)", ["evaluation"]),
        ("Links", ["requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 A.6.2: each released version of a system's model, its training data, evaluation and "
        "what changed. A new version marks the system's risks and impact assessments for reassessment."
    )
    empty_text = (
        "No model versions yet. Record each version you release, with the data it was trained on and "
        "how it was evaluated; the board or the AIMS manager approves it."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"Northbank Score 3.{n}",
            "system": registry.register_for(AISystem).register.sample(people, n),
            "model_version": f"3.{n}",
            "released_on": timezone.localdate(),
            "change_description": "Retrained with 2024 data.",
        }
        return self.services.create(actor=people["owner"], fields=fields)

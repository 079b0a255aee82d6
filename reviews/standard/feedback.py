"""Feedback from interested parties (ISO/IEC 42001 10.1, 4.2): anyone signed in records what a customer,
regulator, partner or colleague told us, through which channel, when. The AIMS manager triages it into a
lesson learned, a nonconformity (a complaint) or no action, with the reason: the feedback loop."""

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.actions import Input, RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordLinkField, RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.policies import allows, policy_of, require
from aims.records import Action, update_record
from aims.register import Register
from aims.services import RecordServices
from registers.models import InterestedParty
from reviews.improvement import nc_services, parse_requirements
from reviews.models import Feedback, Nonconformity

FIELDS = ["title", "party", "channel", "received_on", "summary", "review_cadence", "next_review_on"]
Outcome = Feedback.Outcome

services = RecordServices(Feedback, [*FIELDS, "owner"])  # the person who records it owns it


@transaction.atomic
def triage(record, *, actor, expected_version: int, outcome: str, reason: str, grade: str = "",
           requirements: str = ""):  # fmt: skip
    """The AIMS manager decides what the feedback becomes (10.1); the lesson or nonconformity links back."""
    policy = policy_of(record)
    require(policy, "triage", actor, record)  # who triages, and not while archived: a 403
    state = policy.triage_state(record)  # whether it still can be: a 400
    if state:
        raise ValidationError({"outcome": state})
    if outcome not in (Outcome.LESSON, Outcome.NONCONFORMITY, Outcome.NO_ACTION):
        raise ValidationError({"outcome": "Choose one of: lesson, nonconformity, no_action."})
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for the decision."})
    lesson = nc = None
    if outcome == Outcome.LESSON:
        lesson = services_lesson_create(record, actor=actor, reason=reason)
    elif outcome == Outcome.NONCONFORMITY:
        if grade not in Nonconformity.Grade.values:
            raise ValidationError({"grade": "Choose major or minor for the nonconformity."})
        nc = nc_services.create(
            actor=actor,
            fields={
                "title": f"Complaint: {record.title}"[:200],
                "source": Nonconformity.Source.COMPLAINT,  # the feedback links to it, and it back
                "description": f"{record.summary}\n\nTriage: {reason}",
                "grade": grade,
            },
            requirements=parse_requirements(requirements),
        )

    def decide(locked, before):
        locked.outcome = outcome
        locked.outcome_reason = reason.strip()
        locked.lesson = lesson
        locked.nonconformity = nc
        locked.triaged_by = actor
        locked.triaged_at = timezone.now()

    return update_record(
        record, actor=actor, expected_version=expected_version, fields={}, action=Action.TRIAGED,
        note=reason, prepare=decide,
    )  # fmt: skip


def services_lesson_create(record, *, actor, reason: str):
    from reviews.standard.lessons import services as lessons

    return lessons.create(
        actor=actor,
        fields={
            "title": record.title,
            "what_happened": f"Feedback {record.reference} ({record.get_channel_display().lower()}, "
            f"{record.received_on:%Y-%m-%d}): {record.summary}",
            "learned": reason,
        },
    )


TRIAGE = RecordAction(
    "triage",
    "Triage",
    triage,
    lambda user, record: not policy_of(record).triage_state(record) and allows("triage", user, record),
    done="{reference} triaged.",
    inputs=(
        Input(
            "outcome", "Outcome", choices=tuple((o.value, o.label) for o in Outcome if o != Outcome.PENDING)
        ),
        Input("reason", "Reason", help_text="For a lesson this is what we learned."),
        Input(
            "grade", "Grade (for a nonconformity)", required=False, choices=tuple(Nonconformity.Grade.choices)
        ),
        Input(
            "requirements",
            "Requirements not met (for a nonconformity)",
            required=False,
            help_text="Clauses and controls; in the API their codes, e.g. 9.1, A.8.3.",
            requirements=True,
        ),
    ),  # fmt: skip
    style="primary",
    description="The AIMS manager triages feedback: outcome lesson, nonconformity (with grade and "
    "requirements) or no_action, with a reason.",
)


class FeedbackForm(RecordForm):
    class Meta:
        model = Feedback
        fields = FIELDS
        labels = {"title": "In a few words"}
        widgets = {
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["received_on"].initial = timezone.localdate()


class FeedbackFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "summary")
    channel = filters.MultipleChoiceFilter(choices=Feedback.Channel.choices)
    outcome = filters.MultipleChoiceFilter(choices=Outcome.choices)
    party = filters.ModelChoiceFilter(
        queryset=InterestedParty.objects.all(), to_field_name="reference", empty_label="Any"
    )
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("received_on", "received"),
                ("outcome", "outcome"))
    )  # fmt: skip

    class Meta:
        model = Feedback
        fields = []


class FeedbackSerializer(RecordSerializer):
    lesson = RecordLinkField(slug_field="reference", read_only=True)
    nonconformity = RecordLinkField(slug_field="reference", read_only=True)

    class Meta(RecordSerializer.Meta):
        model = Feedback
        fields = record_fields([*FIELDS, "outcome", "outcome_reason", "lesson", "nonconformity"])


class FeedbackViewSet(RecordViewSet):
    """Stakeholder feedback (10.1). Anyone with a role records it; `party` by reference. POST …/triage/ is the AIMS manager's; `lesson` and `nonconformity` are what it became. DELETE archives."""

    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilterSet
    services = services
    record_actions = (TRIAGE,)


class FeedbackRegister(Register):
    model = Feedback
    label, url_prefix, position = "Feedback", "feedback", 70
    menu_group = "10"
    services = services
    form = FeedbackForm
    filterset = FeedbackFilterSet
    viewset = FeedbackViewSet
    select_related = ("owner", "party", "lesson", "nonconformity", "triaged_by")
    columns = [
        ("Feedback", "title", "title"),
        ("From", "party", None),
        ("Channel", "channel", None),
        ("Received", "received_on", "received"),
        ("Outcome", "outcome", "outcome"),
    ]
    fieldsets = [
        ("What they said", ["party", "channel", "received_on", "summary"]),
        ("Triage", ["outcome", "outcome_reason", "lesson", "nonconformity", "triaged_by", "triaged_at"]),
    ]
    form_fieldsets = [("What they said", ["title", "party", "channel", "received_on", "summary"])]
    actions = (TRIAGE,)
    lead = (
        "ISO/IEC 42001 10.1 and 4.2: what interested parties tell us. Anyone records it; the AIMS manager "
        "turns it into a lesson, a nonconformity or no action."
    )
    empty_text = (
        "No feedback recorded. When a customer, regulator or colleague tells you something about our AI, "
        "record it here."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"Broker asks for reasons, {n}",
            "channel": Feedback.Channel.MEETING,
            "received_on": timezone.localdate(),
            "summary": "Reason codes on declines, please.",
        }
        return self.services.create(actor=people["owner"], fields=fields)

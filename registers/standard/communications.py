"""The communication plan (ISO/IEC 42001 7.4): what the AIMS communicates, to whom, how, how often, and a
log of each time it was done. A line's review cadence is its frequency and its next review the next
time it is due, so the daily sweep reminds the owner; recording it as done moves the date on."""

import datetime as dt

import django_filters as filters
from django.db import transaction
from django.utils import timezone

from aims import records
from aims.actions import Input, RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.policies import allows, policy_of, require
from aims.records import Action
from aims.register import Register
from aims.services import RecordServices
from aims.views.records import RecordDetailView
from registers.models import Communication, CommunicationLog

FIELDS = [
    "title", "message", "audience", "channel", "internal", "owner", "review_cadence", "next_review_on",
]  # fmt: skip

# In a communication plan the base record's review fields mean how often and when next.
LABELS = {"review_cadence": "Frequency", "next_review_on": "Next due"}


services = RecordServices(Communication, FIELDS)


@transaction.atomic
def log_communication(record, *, actor, expected_version: int, note: str = ""):
    """It was communicated today: log it, and move the next due date on by the frequency (history says
    who and when, as for a review)."""
    require(policy_of(record), "log", actor, record)  # whoever may change it, while not archived
    today = timezone.localdate()
    record = records.update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={"next_review_on": today + dt.timedelta(days=record.review_cadence)},
        action=Action.REVIEWED,  # always a history entry, even when the due date does not move
        note=f"Communicated on {today.isoformat()}." + (f" {note}" if note else ""),
        prepare=lambda locked, before: setattr(locked, "last_reviewed_on", today),
    )
    CommunicationLog.objects.create(communication=record, sent_on=today, by=actor, note=note)
    return record


LOG = RecordAction(
    "log",
    "Record that it was communicated",
    log_communication,
    lambda user, record: allows("log", user, record),
    done="{reference}: logged as communicated today; the next due date moved on.",
    inputs=(
        Input("note", "Note", required=False, help_text="e.g. the meeting, the mailing or who attended."),
    ),
    style="primary",
    description="Log that it was communicated today (by you) and move the next due date on by the frequency.",
)


class CommunicationForm(RecordForm):
    class Meta:
        model = Communication
        fields = [*FIELDS, "requirements"]
        labels = LABELS
        help_texts = {"next_review_on": "Empty: one frequency from today."}


class CommunicationFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "message", "audience")
    channel = filters.MultipleChoiceFilter(choices=Communication.Channel.choices)
    internal = YesNoFilter(label="Internal")
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("channel", "channel"),
            ("review_cadence", "frequency"),
            ("next_review_on", "next_due"),
        )
    )

    class Meta:
        model = Communication
        fields = []


class CommunicationSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Communication
        fields = record_fields(FIELDS)


class CommunicationViewSet(RecordViewSet):
    """The communication plan (7.4): `review_cadence` is the frequency in days, `next_review_on` the next due date. POST …/log/ records that it was communicated. DELETE archives."""

    serializer_class = CommunicationSerializer
    filterset_class = CommunicationFilterSet
    services = services
    record_actions = (LOG,)


class CommunicationDetailView(RecordDetailView):
    """The shared page in the plan's words (frequency, next due), with the log of each time it was done."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        relabel = {
            "Review cadence": "Frequency",
            "Next review": "Next due",
            "Last reviewed": "Last communicated",
        }
        context["sections"] = [
            (heading, [(relabel.get(str(label), label), value) for label, value in items])
            for heading, items in context["sections"]
        ]
        if context["tab"] == "details":
            context["log"] = context["record"].log.select_related("by")[:100]
        return context


class CommunicationRegister(Register):
    model = Communication
    label, url_prefix, position = "Communication plan", "communications", 76
    menu_group = "7"
    services = services
    form = CommunicationForm
    filterset = CommunicationFilterSet
    viewset = CommunicationViewSet
    detail_view = CommunicationDetailView
    columns = [
        ("Communication", "title", "title"),
        ("Audience", "audience", None),
        ("Channel", "channel", "channel"),
        ("Internal", lambda r: "internal" if r.internal else "external", None),
        ("Frequency", "review_cadence", "frequency"),
        ("Next due", "next_review_on", "next_due"),
    ]
    fieldsets = [
        ("What and to whom", ["message", "audience", "channel", "internal"]),
        ("How often", ["review_cadence", "next_review_on", "last_reviewed_on"]),
    ]
    form_fieldsets = [
        ("What and to whom", ["title", "message", "audience", "channel", "internal"]),
        ("How often", ["review_cadence", "next_review_on", "requirements"]),
        ("Ownership", ["owner"]),
    ]
    actions = (LOG,)
    detail_template = "registers/communication_detail.html"
    lead = (
        "ISO/IEC 42001 7.4: what the AIMS communicates, to whom, through which channel and how often. "
        "Record each time it is done; the owner is reminded when the next is due."
    )
    empty_text = (
        "No communications planned yet. Start with how the AI policy reaches staff and how AI "
        "incidents are reported to the board."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"AI policy briefing for new staff, {n}",
            "message": "What the AI policy asks of everyone, and how to raise a concern.",
            "audience": "New staff",
            "channel": Communication.Channel.MEETING,
        }
        return self.services.create(actor=people["owner"], fields=fields)

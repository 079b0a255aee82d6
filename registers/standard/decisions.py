"""Governance board decisions (ISO/IEC 42001 5.1, 9.3): what the board decided, why, who carries it out
and by when. Open decisions are followed to done: the list filters them, and a dashboard panel shows the
open ones, overdue first. The board and the AIMS manager keep them (the model's `adders`, `editors`)."""

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from aims import roles
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.register import Register
from aims.registry import registry
from aims.services import RecordServices
from aims.views.records import RecordFormView
from registers.models import BoardMeeting, Decision

from .board_meetings import BoardRecordForm, KeeperField

FIELDS = [
    "title", "meeting", "decision", "rationale", "due_on", "status", "owner", "review_cadence", "next_review_on",
]  # fmt: skip

OPEN = Q(status__in=[Decision.Status.OPEN, Decision.Status.IN_PROGRESS])


def overdue_q(today) -> Q:
    return OPEN & Q(due_on__lt=today)


services = RecordServices(Decision, FIELDS)


class DecisionForm(BoardRecordForm):
    class Meta:
        model = Decision
        fields = [*FIELDS, "requirements"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}


class DecisionFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "decision", "rationale")
    status = filters.MultipleChoiceFilter(choices=Decision.Status.choices)
    open = YesNoFilter(method="filter_open", label="Open")
    overdue = YesNoFilter(method="filter_overdue", label="Overdue")
    meeting = filters.CharFilter(field_name="meeting__reference", label="Meeting (reference)")
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("due_on", "due"), ("status", "status"))
    )

    class Meta:
        model = Decision
        fields = []

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(OPEN) if value else queryset.exclude(OPEN)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = overdue_q(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class DecisionFormView(RecordFormView):
    """A new decision opened from a meeting's page (?meeting=MTG-0001) starts with that meeting."""

    def get_form(self, data=None):
        form = super().get_form(data)
        reference = self.request.GET.get("meeting", "")
        if self.record is None and data is None and reference:
            form.initial["meeting"] = BoardMeeting.objects.live().filter(reference=reference).first()
        return form


class DecisionSerializer(RecordSerializer):
    owner = KeeperField(required=False)  # board members too, as in the form

    class Meta(RecordSerializer.Meta):
        model = Decision
        fields = record_fields(FIELDS)


class DecisionViewSet(RecordViewSet):
    """Governance board decisions. Filter with ?open=true or ?overdue=true. DELETE archives."""

    serializer_class = DecisionSerializer
    filterset_class = DecisionFilterSet
    services = services


class DecisionRegister(Register):
    model = Decision
    label, url_prefix, position = "Board decisions", "decisions", 56
    menu_group = "5"
    services = services
    form = DecisionForm
    filterset = DecisionFilterSet
    viewset = DecisionViewSet
    form_view = DecisionFormView
    columns = [
        ("Decision", "title", "title"),
        ("Status", "status", "status"),
        ("Due", "due_on", "due"),
        ("Meeting", lambda d: d.meeting.reference if d.meeting else "", None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The decision", ["meeting", "decision", "rationale"]),
        ("Follow-up", ["status", "due_on"]),
    ]
    form_fieldsets = [
        ("The decision", ["title", "meeting", "decision", "rationale", "requirements"]),
        ("Follow-up", ["status", "due_on", "owner"]),
        ("Review", ["review_cadence", "next_review_on"]),
    ]
    select_related = ("owner", "meeting")
    lead = (
        "ISO/IEC 42001 5.1 and 9.3: what the governance board decided and why, who carries it out and by "
        "when. Open decisions are followed until they are done."
    )
    empty_text = (
        "No board decisions yet. Record what the board decided at its last meeting, with an owner "
        "and a due date."
    )

    def sample(self, people, n=0):
        """Recorded by the board, carried out by the owner."""
        fields = {
            "title": f"Add a fairness check before release, {n}",
            "decision": "Every credit model release passes the fairness check first.",
            "due_on": dt.date(2030, 6, 30),
            "owner": people["owner"],
        }
        return self.services.create(actor=people["board"], fields=fields)


# -- Dashboard ---------------------------------------------------------------------------------------


def open_decisions_panel(request) -> dict:
    """Open board decisions for the dashboard, overdue first; every number links to the list behind it."""
    today = timezone.localdate()
    decisions = Decision.objects.restrict(request.user, "view").live().filter(OPEN)
    ordered = decisions.annotate(
        late=Case(When(due_on__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("late", "due_on", "reference")
    return {
        "template": "registers/decisions_panel.html",
        "list_url": reverse("decision-list"),
        **decisions.aggregate(open_count=Count("pk"), overdue_count=Count("pk", filter=overdue_q(today))),
        "decisions": ordered.select_related("owner")[:10],
        "today": today,
    }


registry.add_dashboard_panel(open_decisions_panel, roles=(roles.MANAGER, roles.BOARD), order=70)

"""Governance board meetings (ISO/IEC 42001 5.1, 9.3): when the board met, who attended, the agenda and
the minutes. The board and the AIMS manager keep them (the model's `adders` and `editors`); a meeting's
page lists the decisions taken at it (see decisions.py)."""

import datetime as dt

import django_filters as filters
from django import forms
from rest_framework import serializers

from aims import permissions, roles
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.models import User
from aims.register import Register
from aims.services import RecordServices
from aims.views.records import RecordDetailView
from registers.models import BoardMeeting, Decision

FIELDS = [
    "title", "held_on", "status", "attendees", "agenda", "minutes", "owner", "review_cadence", "next_review_on",
]  # fmt: skip


def record_keepers():
    """People who may own a board meeting or decision: the board, AIMS managers and owners."""
    return User.objects.filter(
        is_active=True, groups__name__in=[roles.BOARD, roles.MANAGER, roles.OWNER]
    ).distinct()


services = RecordServices(BoardMeeting, FIELDS)


class BoardRecordForm(RecordForm):
    """A form the board fills in: a board member may own what they record."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            self.fields["owner"].queryset = record_keepers()


class BoardMeetingForm(BoardRecordForm):
    attendees = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"), required=False
    )

    class Meta:
        model = BoardMeeting
        fields = [*FIELDS, "requirements"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}


class BoardMeetingFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "agenda", "minutes")
    status = filters.MultipleChoiceFilter(choices=BoardMeeting.Status.choices)
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("held_on", "held_on"), ("status", "status"))
    )

    class Meta:
        model = BoardMeeting
        fields = []


class KeeperField(serializers.SlugRelatedField):
    """The owner by username, as in the form: board members too (RecordSerializer offers owners and
    managers)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", "Who keeps the record, by username (a board member, an owner or the AIMS manager)."
        )
        super().__init__(slug_field="username", queryset=record_keepers(), **kwargs)


class BoardMeetingSerializer(RecordSerializer):
    owner = KeeperField(required=False)

    class Meta(RecordSerializer.Meta):
        model = BoardMeeting
        fields = record_fields(FIELDS)


class BoardMeetingViewSet(RecordViewSet):
    """Governance board meetings. DELETE archives."""

    serializer_class = BoardMeetingSerializer
    filterset_class = BoardMeetingFilterSet
    services = services


class BoardMeetingDetailView(RecordDetailView):
    """The shared page, plus the decisions taken at the meeting."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["decisions"] = (
            Decision.objects.restrict(self.request.user, "view")
            .live()
            .filter(meeting=context["record"])
            .select_related("owner")
            .order_by("reference")
        )
        # "Record a decision" leads to the decision form: offered to those who may create decisions.
        context["can_record_decision"] = permissions.can_add(self.request.user, Decision)
        return context


class BoardMeetingRegister(Register):
    model = BoardMeeting
    label, url_prefix, position = "Board meetings", "board-meetings", 55
    menu_group = "5"
    services = services
    form = BoardMeetingForm
    filterset = BoardMeetingFilterSet
    viewset = BoardMeetingViewSet
    detail_view = BoardMeetingDetailView
    columns = [
        ("Meeting", "title", "title"),
        ("Date", "held_on", "held_on"),
        ("Status", "status", "status"),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The meeting", ["held_on", "status", "attendees"]),
        ("Agenda and minutes", ["agenda", "minutes"]),
    ]
    form_fieldsets = [
        ("The meeting", ["title", "held_on", "status", "attendees"]),
        ("Agenda and minutes", ["agenda", "minutes", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    detail_template = "registers/boardmeeting_detail.html"
    lead = (
        "ISO/IEC 42001 5.1 and 9.3: the governance board's meetings, with who attended, the agenda and "
        "the minutes. Decisions taken at a meeting are listed on its page."
    )
    empty_text = "No board meetings yet. Plan the next governance board meeting and its agenda."

    def sample(self, people, n=0):
        """Recorded by the board, owned by the owner who keeps the minutes."""
        fields = {
            "title": f"Quarterly AI governance meeting, {n}",
            "held_on": dt.date(2030, 1, 15) + dt.timedelta(days=n),
            "agenda": "Risk acceptance above appetite; the next internal audit.",
            "owner": people["owner"],
        }
        return self.services.create(actor=people["board"], fields=fields)

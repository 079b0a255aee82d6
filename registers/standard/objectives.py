"""AI objectives (ISO/IEC 42001 6.2): what the AIMS sets out to achieve, how it is measured, by when, with
what, and how far it has got. The model refuses "achieved" below 100% so the register cannot claim more
than the progress shows."""

import datetime as dt

import django_filters as filters
from django.db.models import Q
from django.utils import timezone

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from registers.models import Objective

FIELDS = [
    "title", "description", "measure", "target", "resources", "due_on", "evaluation", "status", "progress",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip

CLOSED = (Objective.Status.ACHIEVED, Objective.Status.MISSED)  # no longer able to be late


services = RecordServices(Objective, FIELDS)


class ObjectiveForm(RecordForm):
    class Meta:
        model = Objective
        fields = [*FIELDS, "requirements"]


def overdue(today) -> Q:
    return Q(due_on__lt=today) & ~Q(status__in=CLOSED)


class ObjectiveFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "measure", "target")
    status = filters.MultipleChoiceFilter(choices=Objective.Status.choices)
    overdue = YesNoFilter(method="filter_overdue", label="Overdue")
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("status", "status"),
            ("progress", "progress"),
            ("due_on", "due"),
            ("next_review_on", "next_review"),
        )
    )

    class Meta:
        model = Objective
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = overdue(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class ObjectiveSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Objective
        fields = record_fields(FIELDS)


class ObjectiveViewSet(RecordViewSet):
    """AI objectives (6.2). `overdue=true` lists those past due and not achieved or missed. DELETE archives."""

    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilterSet
    services = services


class ObjectiveRegister(Register):
    model = Objective
    label, url_prefix, position = "AI objectives", "objectives", 45
    menu_group = "6"
    services = services
    form = ObjectiveForm
    filterset = ObjectiveFilterSet
    viewset = ObjectiveViewSet
    columns = [
        ("Objective", "title", "title"),
        ("Target", "target", None),
        ("Status", "status", "status"),
        ("Progress", lambda r: f"{r.progress}%", "progress"),
        ("Due", "due_on", "due"),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The objective", ["description", "measure", "target", "resources", "due_on"]),
        ("Progress", ["status", "progress", "evaluation", "review_cadence", "next_review_on"]),
    ]
    form_fieldsets = [
        ("The objective", ["title", "description", "measure", "target", "resources", "due_on"]),
        ("Progress", ["status", "progress", "evaluation", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 6.2: measurable AI objectives, each with a target, a due date and how far it has got."
    )
    empty_text = (
        "No AI objectives yet. Start with one your AI policy commits to, say how you will measure it "
        "and by when."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"Fair approval rates, {n}",
            "measure": "Approval-rate ratio across protected groups",
            "target": "≥ 0.8",
            "due_on": dt.date(2030, 6, 30),
            "status": Objective.Status.ON_TRACK,
            "progress": 40,
        }
        return self.services.create(actor=people["owner"], fields=fields)

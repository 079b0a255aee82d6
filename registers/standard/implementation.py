"""The implementation plan: actions raised from readiness gaps (or added by hand), phased so pilot
systems come first and the rest follow."""

import datetime as dt

import django_filters as filters
from django.utils import timezone

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from registers.models import ImplementationAction, ReadinessAssessment

FIELDS = [
    "title", "assessment", "requirement", "description", "phase", "due_on", "status", "owner",
    "review_cadence", "next_review_on",
]  # fmt: skip

services = RecordServices(ImplementationAction, FIELDS)


class ImplementationActionForm(RecordForm):
    class Meta:
        model = ImplementationAction
        fields = [*FIELDS, "requirements"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from aims.models import Requirement

        self.fields["requirement"].queryset = Requirement.objects.filter(
            standard__key="iso42001", kind__in=(Requirement.Kind.REQUIREMENT, Requirement.Kind.OBJECTIVE)
        ).order_by("position")


def visible_assessments(request):
    """The assessments the person may see: a filter's choices are a disclosure too. (A callable, as
    django-filter builds a ModelChoiceFilter's choices from its own queryset, not the one RecordFilterSet
    narrows.)"""
    if request is None:  # a job applying a saved filter: its records were restricted already
        return ReadinessAssessment.objects.all()
    return ReadinessAssessment.objects.restrict(request.user, "view")


class ImplementationActionFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description")
    phase = filters.ChoiceFilter(choices=ImplementationAction.Phase.choices, empty_label="Any")
    status = filters.MultipleChoiceFilter(choices=ImplementationAction.Status.choices)
    assessment = filters.ModelChoiceFilter(queryset=visible_assessments, empty_label="Any")
    overdue = YesNoFilter(method="filter_overdue", label="Overdue")
    ordering = filters.OrderingFilter(
        fields=(("due_on", "due"), ("reference", "reference"), ("phase", "phase"))
    )

    class Meta:
        model = ImplementationAction
        fields = []

    def filter_overdue(self, queryset, name, value):
        late = {"due_on__lt": timezone.localdate(), "status__in": ["open", "in_progress"]}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class ImplementationActionSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = ImplementationAction
        fields = record_fields(FIELDS)


class ImplementationActionViewSet(RecordViewSet):
    """Implementation actions raised from readiness gaps. DELETE archives."""

    serializer_class = ImplementationActionSerializer
    filterset_class = ImplementationActionFilterSet
    services = services


class ImplementationActionRegister(Register):
    model = ImplementationAction
    label, url_prefix, position = "Implementation plan", "implementation", 3
    menu_group = "Readiness and roll-out"
    services = services
    form = ImplementationActionForm
    filterset = ImplementationActionFilterSet
    viewset = ImplementationActionViewSet
    columns = [
        ("Action", "title", "reference"),
        ("Gap in", lambda r: r.requirement.code if r.requirement_id else "", None),
        ("Phase", "phase", "phase"),
        ("Status", "status", None),
        ("Owner", "owner", None),
        ("Due", "due_on", "due"),
    ]
    fieldsets = [("The action", ["assessment", "requirement", "description", "phase", "due_on", "status"])]
    form_fieldsets = [
        ("The action", ["title", "description", "phase", "due_on", "status"]),
        ("Where it comes from", ["assessment", "requirement", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    select_related = ("owner", "requirement")
    lead = (
        "Actions that close the gaps of the readiness assessment: the pilot systems first (phase 1), "
        "then the rest of the organisation (phase 2)."
    )
    empty_text = (
        "No implementation actions yet. Rate a readiness assessment, then use 'Create actions from gaps'."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"Write the AI risk assessment procedure, {n}",
            "description": "Criteria, scales and who assesses what (6.1.2).",
            "due_on": dt.date(2030, 3, 31),
            "phase": ImplementationAction.Phase.PILOT,
        }
        return self.services.create(actor=people["owner"], fields=fields)

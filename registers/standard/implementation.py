"""The implementation plan: actions raised from readiness gaps (or added by hand), phased so pilot
systems come first and the rest follow."""

import django_filters as filters
from django.utils import timezone

from aims.api.base import make_api
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.services import RecordServices
from aims.views.records import make_views
from registers.models import ImplementationAction, ReadinessAssessment

MENU = ("Implementation plan", "implementation", 3)

FIELDS = [
    "title", "assessment", "requirement", "description", "phase", "due_on", "status", "owner",
    "review_cadence", "next_review_on",
]  # fmt: skip

services = RecordServices(ImplementationAction, FIELDS)


class ImplementationForm(RecordForm):
    class Meta:
        model = ImplementationAction
        fields = [*FIELDS, "requirements"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from aims.models import Requirement

        self.fields["requirement"].queryset = Requirement.objects.filter(
            standard__key="iso42001", kind__in=(Requirement.Kind.REQUIREMENT, Requirement.Kind.OBJECTIVE)
        ).order_by("position")


class ImplementationFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description")
    phase = filters.ChoiceFilter(choices=ImplementationAction.Phase.choices, empty_label="Any")
    status = filters.MultipleChoiceFilter(choices=ImplementationAction.Status.choices)
    assessment = filters.ModelChoiceFilter(queryset=ReadinessAssessment.objects.all(), empty_label="Any")
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


views = make_views(
    ImplementationAction,
    services=services,
    form_class=ImplementationForm,
    filterset_class=ImplementationFilterSet,
    columns=[
        ("Action", "title", "reference"),
        ("Gap in", lambda r: r.requirement.code if r.requirement_id else "", None),
        ("Phase", "phase", "phase"),
        ("Status", "status", None),
        ("Owner", "owner", None),
        ("Due", "due_on", "due"),
    ],
    fieldsets=[("The action", ["assessment", "requirement", "description", "phase", "due_on", "status"])],
    form_fieldsets=[
        ("The action", ["title", "description", "phase", "due_on", "status"]),
        ("Where it comes from", ["assessment", "requirement", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ],
    select_related=("owner", "requirement"),
    lead="Actions that close the gaps of the readiness assessment: the pilot systems first (phase 1), "
    "then the rest of the organisation (phase 2).",
    empty_text="No implementation actions yet. Rate a readiness assessment, then use 'Create actions from gaps'.",
)

ViewSet = make_api(
    ImplementationAction,
    services=services,
    fields=FIELDS,
    filterset_class=ImplementationFilterSet,
    prefetch_related=(),
    doc="Implementation actions raised from readiness gaps. DELETE archives.",
)

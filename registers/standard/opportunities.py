"""Opportunities (ISO/IEC 42001 6.1.1): chances to improve the AIMS or its results, planned for like risks
and linked to the AI objectives they serve (6.2)."""

import django_filters as filters

from aims.api.base import make_api
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.services import RecordServices
from aims.views.records import make_views
from registers.models import Opportunity

MENU = ("Opportunities", "opportunities", 40)

FIELDS = [
    "title", "description", "expected_benefit", "objectives", "status",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip


services = RecordServices(Opportunity, FIELDS)  # links to objectives are history too


class OpportunityForm(RecordForm):
    class Meta:
        model = Opportunity
        fields = [*FIELDS, "requirements"]


class OpportunityFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "expected_benefit")
    status = filters.MultipleChoiceFilter(choices=Opportunity.Status.choices)
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("status", "status"),
            ("next_review_on", "next_review"),
        )
    )

    class Meta:
        model = Opportunity
        fields = []


views = make_views(
    Opportunity,
    services=services,
    form_class=OpportunityForm,
    filterset_class=OpportunityFilterSet,
    columns=[
        ("Opportunity", "title", "title"),
        ("Status", "status", "status"),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ],
    fieldsets=[
        ("The opportunity", ["description", "expected_benefit", "status"]),
        ("What it serves", ["objectives", "review_cadence", "next_review_on"]),
    ],
    form_fieldsets=[
        ("The opportunity", ["title", "description", "expected_benefit", "status"]),
        ("What it serves", ["objectives", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ],
    lead="ISO/IEC 42001 6.1.1: chances to improve the AIMS or what it achieves, acted on like risks and "
    "tied to the AI objectives they serve.",
    empty_text="No opportunities yet. Start with what better data, monitoring or automation could win "
    "for your AI systems.",
)


ViewSet = make_api(
    Opportunity,
    services=services,
    fields=FIELDS,
    filterset_class=OpportunityFilterSet,
    doc="Opportunities (6.1.1). Link AI objectives by reference. DELETE archives.",
)

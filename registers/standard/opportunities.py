"""Opportunities (ISO/IEC 42001 6.1.1): chances to improve the AIMS or its results, planned for like risks
and linked to the AI objectives they serve (6.2)."""

import django_filters as filters

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from registers.models import Opportunity

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


class OpportunitySerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Opportunity
        fields = record_fields(FIELDS)


class OpportunityViewSet(RecordViewSet):
    """Opportunities (6.1.1). Link AI objectives by reference. DELETE archives."""

    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilterSet
    services = services


class OpportunityRegister(Register):
    model = Opportunity
    label, url_prefix, position = "Opportunities", "opportunities", 40
    menu_group = "6"
    services = services
    form = OpportunityForm
    filterset = OpportunityFilterSet
    viewset = OpportunityViewSet
    columns = [
        ("Opportunity", "title", "title"),
        ("Status", "status", "status"),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ]
    fieldsets = [
        ("The opportunity", ["description", "expected_benefit", "status"]),
        ("What it serves", ["objectives", "review_cadence", "next_review_on"]),
    ]
    form_fieldsets = [
        ("The opportunity", ["title", "description", "expected_benefit", "status"]),
        ("What it serves", ["objectives", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 6.1.1: chances to improve the AIMS or what it achieves, acted on like risks and "
        "tied to the AI objectives they serve."
    )
    empty_text = (
        "No opportunities yet. Start with what better data, monitoring or automation could win "
        "for your AI systems."
    )

    def sample(self, people, n=0):
        fields = {"title": f"Automate drift monitoring, {n}", "expected_benefit": "Drift found in days."}
        return self.services.create(actor=people["owner"], fields=fields)

"""Context issues (ISO/IEC 42001 4.1): the register, declared from the shared parts.

A register with no special screens needs only this: services, a form, a FilterSet, an API serializer
and viewset, and the register's declaration. See docs/adding-a-register.md."""

import django_filters as filters

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from registers.models import ContextIssue

FIELDS = [
    "title", "side", "category", "description", "effect_on_aims", "climate_relevant", "risks", "opportunities",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip


services = RecordServices(ContextIssue, FIELDS)  # links to risks and opportunities are history too


class ContextIssueForm(RecordForm):
    class Meta:
        model = ContextIssue
        fields = [*FIELDS, "requirements"]


class ContextIssueFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "effect_on_aims")
    side = filters.ChoiceFilter(choices=ContextIssue._meta.get_field("side").choices, empty_label="Any")
    category = filters.MultipleChoiceFilter(choices=ContextIssue.Category.choices)
    climate_relevant = YesNoFilter()
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("category", "category"),
            ("next_review_on", "next_review"),
        )
    )

    class Meta:
        model = ContextIssue
        fields = []


class ContextIssueSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = ContextIssue
        fields = record_fields(FIELDS)


class ContextIssueViewSet(RecordViewSet):
    """Context issues (4.1). DELETE archives."""

    serializer_class = ContextIssueSerializer
    filterset_class = ContextIssueFilterSet
    services = services


class ContextIssueRegister(Register):
    model = ContextIssue
    label, url_prefix, position = "Context issues", "context-issues", 10
    menu_group = "4"
    services = services
    form = ContextIssueForm
    filterset = ContextIssueFilterSet
    viewset = ContextIssueViewSet
    columns = [
        ("Issue", "title", "title"),
        ("Internal or external", "side", None),
        ("Category", "category", "category"),
        ("Climate", lambda r: "yes" if r.climate_relevant else "", None),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ]
    fieldsets = [
        ("The issue", ["side", "category", "description", "effect_on_aims", "climate_relevant"]),
        ("What it raises", ["risks", "opportunities", "review_cadence", "next_review_on"]),
    ]
    form_fieldsets = [
        ("The issue", ["title", "side", "category", "description", "effect_on_aims", "climate_relevant"]),
        ("What it raises", ["risks", "opportunities", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 4.1: internal and external issues that affect what the AIMS can achieve, "
        "including whether climate change is relevant."
    )
    empty_text = (
        "No context issues yet. Start with the legal, technological and social issues around your AI systems."
    )

    def sample(self, people, n=0):
        fields = {"title": f"Regulation of AI in lending, {n}", "side": "external", "category": "legal"}
        return self.services.create(actor=people["owner"], fields=fields)

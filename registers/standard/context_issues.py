"""Context issues (ISO/IEC 42001 4.1): the register, built from the shared parts.

A register with no special screens needs only this: services, a form, a FilterSet, its columns and
fieldsets, and make_api for the API. See docs/adding-a-register.md."""

import django_filters as filters

from aims.api.base import make_api
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.services import RecordServices
from aims.views.records import make_views
from registers.models import ContextIssue

MENU = ("Context issues", "context-issues", 10)

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


views = make_views(
    ContextIssue,
    services=services,
    form_class=ContextIssueForm,
    filterset_class=ContextIssueFilterSet,
    columns=[
        ("Issue", "title", "title"),
        ("Internal or external", "side", None),
        ("Category", "category", "category"),
        ("Climate", lambda r: "yes" if r.climate_relevant else "", None),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ],
    fieldsets=[
        ("The issue", ["side", "category", "description", "effect_on_aims", "climate_relevant"]),
        ("What it raises", ["risks", "opportunities", "review_cadence", "next_review_on"]),
    ],
    form_fieldsets=[
        ("The issue", ["title", "side", "category", "description", "effect_on_aims", "climate_relevant"]),
        ("What it raises", ["risks", "opportunities", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ],
    lead="ISO/IEC 42001 4.1: internal and external issues that affect what the AIMS can achieve, "
    "including whether climate change is relevant.",
    empty_text="No context issues yet. Start with the legal, technological and social issues around your AI systems.",
)


ViewSet = make_api(
    ContextIssue,
    services=services,
    fields=FIELDS,
    filterset_class=ContextIssueFilterSet,
    doc="Context issues (4.1). DELETE archives.",
)

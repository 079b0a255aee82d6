"""Resources (ISO/IEC 42001 7.1, Annex A.4): the people, budget, tooling, computing and data each AIMS
process has, and what it still lacks. An open gap is a resource missing today, so the list puts it first."""

import django_filters as filters
from django.db.models import Q
from django.utils.html import format_html

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from registers.models import AimsProcess, Resource

FIELDS = [
    "title", "process", "kind", "description", "quantity", "gap", "gap_closed_on",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip


services = RecordServices(Resource, FIELDS)


class ResourceForm(RecordForm):
    class Meta:
        model = Resource
        fields = [*FIELDS, "requirements"]


def open_gap() -> Q:
    """The SQL twin of Resource.has_open_gap: a gap written down and not yet closed."""
    return ~Q(gap="") & Q(gap_closed_on__isnull=True)


class ResourceFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "quantity", "gap")
    process = filters.ChoiceFilter(choices=AimsProcess.choices, empty_label="Any")
    kind = filters.MultipleChoiceFilter(choices=Resource.Kind.choices)
    open_gap = YesNoFilter(method="filter_open_gap", label="Open gap")
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("process", "process"),
            ("kind", "kind"),
            ("next_review_on", "next_review"),
        )
    )

    class Meta:
        model = Resource
        fields = []

    def filter_open_gap(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(open_gap()) if value else queryset.exclude(open_gap())


def gap_cell(resource):
    # A badge, not colour alone: "Open gap" / "Closed" are words a screen reader reads out too.
    if resource.has_open_gap:
        return format_html('<span class="badge badge-bad">Open gap</span> {}', _short(resource.gap))
    if (resource.gap or "").strip():
        return format_html(
            '<span class="badge badge-ok">Closed</span> {}', resource.gap_closed_on.isoformat()
        )
    return ""


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ResourceSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Resource
        fields = record_fields(FIELDS)


class ResourceViewSet(RecordViewSet):
    """Resources (7.1, A.4). `open_gap=true` lists those with a gap not yet closed. DELETE archives."""

    serializer_class = ResourceSerializer
    filterset_class = ResourceFilterSet
    services = services


class ResourceRegister(Register):
    model = Resource
    label, url_prefix, position = "Resources", "resources", 70
    menu_group = "7"
    services = services
    form = ResourceForm
    filterset = ResourceFilterSet
    viewset = ResourceViewSet
    columns = [
        ("Resource", "title", "title"),
        ("Gap", gap_cell, None),
        ("AIMS process", "process", "process"),
        ("Kind", "kind", "kind"),
        ("Amount", "quantity", None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The resource", ["process", "kind", "description", "quantity"]),
        ("Gap and review", ["gap", "gap_closed_on", "review_cadence", "next_review_on"]),
    ]
    form_fieldsets = [
        ("The resource", ["title", "process", "kind", "description", "quantity"]),
        ("What is missing", ["gap", "gap_closed_on", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 7.1 and A.4: what each AIMS process has in people, budget, tooling, computing and "
        "data, and what it lacks. Filter on “Open gap: Yes” to see what is missing today."
    )
    empty_text = (
        "No resources yet. Start with the people and budget behind AI risk assessment and the AI "
        "system life cycle, and write down any gap."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"ML engineers for model validation, {n}",
            "process": "lifecycle",
            "kind": "people",
        }
        return self.services.create(actor=people["owner"], fields=fields)

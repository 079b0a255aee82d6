"""Interested parties (ISO/IEC 42001 4.2): who has a stake in the AIMS, what they need and expect, and
which of their requirements the AIMS takes on. Besides the shared pages, an influence/interest grid shows
where each party sits and so how closely to engage it."""

from dataclasses import dataclass

import django_filters as filters
from django.db.models import Count
from django.urls import path, reverse
from django.views.generic import TemplateView

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.charts import Axes, heatmap_svg
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from aims.views.records import RecordMixin
from registers.models import InterestedParty

FIELDS = [
    "title", "side", "needs_and_expectations", "influence", "interest", "requirements_addressed",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip

SCALE = [(n, str(n)) for n in range(1, 6)]


services = RecordServices(InterestedParty, FIELDS)


class InterestedPartyForm(RecordForm):
    class Meta:
        model = InterestedParty
        fields = [*FIELDS, "requirements"]


class InterestedPartyFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "needs_and_expectations", "requirements_addressed")
    side = filters.ChoiceFilter(choices=InterestedParty._meta.get_field("side").choices, empty_label="Any")
    # Exact values, not minimums: a cell of the grid links to the list with both set.
    influence = filters.ChoiceFilter(choices=SCALE, empty_label="Any")
    interest = filters.ChoiceFilter(choices=SCALE, empty_label="Any")
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("influence", "influence"),
            ("interest", "interest"),
            ("next_review_on", "next_review"),
        )
    )

    class Meta:
        model = InterestedParty
        fields = []


# -- The influence/interest grid ---------------------------------------------------------------------


@dataclass(frozen=True)
class Quadrant:
    name: str
    colour: str
    detail: str  # what the legend says it covers


# The middle score counts as high: a party not yet assessed (3, the default) is engaged with care
# rather than only watched.
HIGH = 3
KEEP_SATISFIED = Quadrant("Keep satisfied", "#ffe699", f"influence {HIGH}–5, interest 1–{HIGH - 1}")
MANAGE_CLOSELY = Quadrant("Manage closely", "#f4b183", f"influence and interest {HIGH}–5")
MONITOR = Quadrant("Monitor", "#e2efda", f"influence and interest 1–{HIGH - 1}")
KEEP_INFORMED = Quadrant("Keep informed", "#bdd7ee", f"influence 1–{HIGH - 1}, interest {HIGH}–5")


class Quadrants:
    """The power/interest grid's four ways of engaging a party, as bands for aims.charts.heatmap_svg."""

    band_list = [MANAGE_CLOSELY, KEEP_SATISFIED, KEEP_INFORMED, MONITOR]

    @staticmethod
    def band_at(influence: int, interest: int) -> Quadrant:
        if influence >= HIGH:
            return MANAGE_CLOSELY if interest >= HIGH else KEEP_SATISFIED
        return KEEP_INFORMED if interest >= HIGH else MONITOR


AXES = Axes(
    rows="Influence",
    columns="Interest",
    one="interested party",
    many="interested parties",
    band="quadrant",
    legend="How to engage",
)


def grid_counts(parties) -> dict[tuple[int, int], int]:
    """Parties per (influence, interest) cell in one query; the caller has already restricted them."""
    rows = parties.order_by().values("influence", "interest").annotate(n=Count("pk"))
    return {(row["influence"], row["interest"]): row["n"] for row in rows}


class InterestedPartyGridView(RecordMixin, TemplateView):
    model = InterestedParty
    template_name = "registers/interestedparty_grid.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        list_url = reverse("interestedparty-list")
        counts = grid_counts(self.visible().live())  # only what this user may see
        context["grid"] = heatmap_svg(
            counts,
            Quadrants,
            title="Influence by interest",
            link=lambda influence, interest: f"{list_url}?influence={influence}&interest={interest}",
            cell_size=96,
            axes=AXES,
        )
        context["total"] = sum(counts.values())
        return context


# -- API and the register ----------------------------------------------------------------------------


class InterestedPartySerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = InterestedParty
        fields = record_fields(FIELDS)


class InterestedPartyViewSet(RecordViewSet):
    """Interested parties (4.2). DELETE archives."""

    serializer_class = InterestedPartySerializer
    filterset_class = InterestedPartyFilterSet
    services = services


class InterestedPartyRegister(Register):
    model = InterestedParty
    label, url_prefix, position = "Interested parties", "interested-parties", 20
    menu_group = "4"
    more_links = (("Influence and interest grid", "interestedparty-grid"),)
    services = services
    form = InterestedPartyForm
    filterset = InterestedPartyFilterSet
    viewset = InterestedPartyViewSet
    columns = [
        ("Interested party", "title", "title"),
        ("Internal or external", "side", None),
        ("Influence", "influence", "influence"),
        ("Interest", "interest", "interest"),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ]
    fieldsets = [
        ("The party", ["side", "needs_and_expectations", "influence", "interest"]),
        ("What the AIMS takes on", ["requirements_addressed", "review_cadence", "next_review_on"]),
    ]
    form_fieldsets = [
        ("The party", ["title", "side", "needs_and_expectations", "influence", "interest"]),
        ("What the AIMS takes on", ["requirements_addressed", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 4.2: who has a stake in the AIMS, what they need and expect, and which of their "
        "requirements the AIMS takes on."
    )
    empty_text = (
        "No interested parties yet. Start with the people your AI systems affect, your regulators "
        "and your clients."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"Loan applicants, {n}",
            "side": "external",
            "needs_and_expectations": "Fair, explained credit decisions.",
            "influence": 2,
            "interest": 5,
        }
        return self.services.create(actor=people["owner"], fields=fields)

    def extra_urls(self) -> list:
        return [
            path(f"{self.url_prefix}/grid/", InterestedPartyGridView.as_view(), name="interestedparty-grid"),
        ]

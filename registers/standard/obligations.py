"""Compliance obligations (ISO/IEC 42001 4.2, with the legal context of 4.1): the laws, contracts and codes
the AIMS must meet, whose they are, and whether each applies. The model refuses "does not apply" or
"applies in part" without a reason, because that reason is what an auditor asks for."""

import django_filters as filters
from django.db.models import Q

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from registers.models import InterestedParty, Obligation

FIELDS = [
    "title", "kind", "source", "interested_party", "description", "applicability", "applicability_note",
    "reporting_duty", "owner", "review_cadence", "next_review_on",
]  # fmt: skip


services = RecordServices(Obligation, FIELDS)  # a change of interested party is history too


class ObligationForm(RecordForm):
    class Meta:
        model = Obligation
        fields = [*FIELDS, "requirements"]


def _visible_parties(request):
    # The filter's choices are parties this user may see: a name in a drop-down is a disclosure too.
    if request is None or not request.user.is_authenticated:
        return InterestedParty.objects.none()
    return InterestedParty.objects.restrict(request.user, "view").live().order_by("reference")


class ObligationFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "source", "description", "applicability_note", "reporting_duty")
    kind = filters.MultipleChoiceFilter(choices=Obligation.Kind.choices)
    reporting = YesNoFilter(method="filter_reporting", label="With a reporting duty")
    applicability = filters.ChoiceFilter(choices=Obligation.Applicability.choices, empty_label="Any")
    # By reference (IP-3), so the list page and the API filter alike.
    interested_party = filters.ModelChoiceFilter(
        queryset=_visible_parties, to_field_name="reference", empty_label="Any"
    )
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("kind", "kind"),
            ("applicability", "applicability"),
            ("next_review_on", "next_review"),
        )
    )

    class Meta:
        model = Obligation
        fields = []

    def filter_reporting(self, queryset, name, value):
        """?reporting=yes: obligations that say what to report (what readiness counts for A.8.5)."""
        if value is None:
            return queryset
        return queryset.filter(with_reporting_duty()) if value else queryset.exclude(with_reporting_duty())


def with_reporting_duty() -> Q:
    """An obligation that applies (in full or in part) and records a reporting duty: A.8.5's evidence."""
    applies = (Obligation.Applicability.APPLIES, Obligation.Applicability.PARTLY)
    return Q(applicability__in=applies) & ~Q(reporting_duty="")


class ObligationSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Obligation
        fields = record_fields(FIELDS)


class ObligationViewSet(RecordViewSet):
    """Compliance obligations (4.2). Link an interested party by its reference. DELETE archives."""

    serializer_class = ObligationSerializer
    filterset_class = ObligationFilterSet
    services = services


class ObligationRegister(Register):
    model = Obligation
    label, url_prefix, position = "Compliance obligations", "obligations", 25
    menu_group = "4"
    services = services
    form = ObligationForm
    filterset = ObligationFilterSet
    viewset = ObligationViewSet
    select_related = ("owner", "interested_party")
    columns = [
        ("Obligation", "title", "title"),
        ("Kind", "kind", "kind"),
        ("Source", "source", None),
        ("Interested party", "interested_party", None),
        ("Applies?", "applicability", "applicability"),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ]
    fieldsets = [
        ("The obligation", ["kind", "source", "interested_party", "description"]),
        ("Does it apply?", ["applicability", "applicability_note", "review_cadence", "next_review_on"]),
        ("Reporting", ["reporting_duty"]),
    ]
    form_fieldsets = [
        ("The obligation", ["title", "kind", "source", "interested_party", "description"]),
        ("Does it apply?", ["applicability", "applicability_note", "requirements"]),
        ("Reporting", ["reporting_duty"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 4.2: the laws, contracts and codes your AI systems must meet, whose requirement "
        "each one is, and whether it applies."
    )
    empty_text = (
        "No compliance obligations yet. Start with the AI and data-protection laws that cover your "
        "AI systems, then your clients' contracts."
    )

    def sample(self, people, n=0):
        fields = {"title": f"EU AI Act deployer duties, {n}", "kind": "law", "source": "EU AI Act Art. 26"}
        return self.services.create(actor=people["owner"], fields=fields)

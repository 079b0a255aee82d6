"""The AI system inventory (ISO/IEC 42001 A.4, 4.3): every AI system with its purpose, use and misuse,
who it affects, human oversight, resources, life-cycle stage and EU AI Act classification; and a
prioritised view so the highest-impact systems are brought under the AIMS first."""

import django_filters as filters
from django.urls import path
from django.views.generic import TemplateView

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from aims.views.records import RecordMixin, record_url_names
from lifecycle import classification_views, gate_views, gates
from lifecycle.classification import follow_role
from lifecycle.classification_views import ClassificationApiMixin, classification_context
from lifecycle.dossier import DossierView
from lifecycle.models import (
    AISystem,
    ClassificationStatus,
    Stage,
    Supplier,
    Tier,
    prohibited_not_stopped_q,
    prohibited_q,
)
from registers.selectors import open_risk_counts

FIELDS = [
    "title", "purpose", "intended_use", "foreseeable_misuse", "kind", "origin", "supplier", "ai_role",
    "deployment_context", "languages", "affected_people", "vulnerable_groups", "personal_data",
    "special_category_data", "automation", "oversight", "criticality", "in_scope", "publish_to_stakeholders",
    "data_resources",
    "tooling_resources", "compute_resources", "human_resources", "owner", "review_cadence", "next_review_on",
]  # fmt: skip


class AISystemServices(RecordServices):
    def update(self, record, *, prepare=None, **kwargs):
        """The classification's duties follow the system's AI role (provider, deployer or neither)."""

        def then_follow_role(locked, before):
            if prepare is not None:
                prepare(locked, before)
            follow_role(locked)

        return super().update(record, prepare=then_follow_role, **kwargs)


services = AISystemServices(AISystem, FIELDS)


class AISystemForm(RecordForm):
    class Meta:
        model = AISystem
        fields = [*FIELDS, "requirements"]


# What the dashboard's and readiness's "prohibited" figures list: classified as a prohibited practice
# (confirmed, or proposed and awaiting confirmation: models.prohibited_q), and of those the ones not stopped.
PROHIBITED_FILTER = {
    "any": "Classified prohibited (confirmed or awaiting confirmation)",
    "not_stopped": "Classified prohibited and not decommissioned",
}


class AISystemFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "purpose", "intended_use", "affected_people")
    kind = filters.MultipleChoiceFilter(choices=AISystem.Kind.choices)
    stage = filters.MultipleChoiceFilter(choices=Stage.choices)
    eu_tier = filters.MultipleChoiceFilter(choices=Tier.choices, label="EU AI Act tier")
    classification = filters.MultipleChoiceFilter(
        field_name="classification_status",
        choices=ClassificationStatus.choices,
        label="EU AI Act classification",
    )
    prohibited = filters.ChoiceFilter(
        choices=list(PROHIBITED_FILTER.items()),
        method="filter_prohibited",
        empty_label="Any",
        label="Prohibited (Art. 5)",
    )
    origin = filters.ChoiceFilter(choices=AISystem.Origin.choices, empty_label="Any")
    supplier = filters.ModelChoiceFilter(
        queryset=Supplier.objects.all(), to_field_name="reference", empty_label="Any"
    )
    in_scope = YesNoFilter(label="In the AIMS scope")
    personal_data = YesNoFilter(label="Uses personal data")
    gate = filters.ChoiceFilter(
        choices=list(gates.GATE_QUEUES.items()), method="filter_gate", empty_label="Any", label="Gate review"
    )
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("criticality", "criticality"),
            ("stage", "stage"),
        )
    )

    class Meta:
        model = AISystem
        fields = []

    def filter_prohibited(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(prohibited_not_stopped_q() if value == "not_stopped" else prohibited_q())

    def filter_gate(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=gates.pending_gate_reviews(self.user, value).values("system_id"))


# -- Prioritised view ----------------------------------------------------------------------------------
TIER_RANK = {"prohibited": 0, "high": 1, "unclassified": 2, "limited": 3, "minimal": 4}


def prioritised(queryset, limit: int = 200) -> list:
    """Highest impact first: tier (prohibited, high, not yet classified, limited, minimal), then
    criticality, then open risks. Three queries: the four columns that rank every system, the open risks
    counted per system in one grouped scan (registers.selectors.open_risk_counts; a count per system,
    correlated, took seconds at 100,000 risks), and only the `limit` systems shown, read whole."""
    ranked = list(queryset.order_by().values_list("pk", "eu_tier", "criticality", "title"))
    open_risks = open_risk_counts([pk for pk, *_ in ranked])
    ranked.sort(key=lambda r: (TIER_RANK.get(r[1], 9), -r[2], -open_risks.get(r[0], 0), r[3]))
    shown = [pk for pk, *_ in ranked[:limit]]
    found = queryset.in_bulk(shown)
    systems = [found[pk] for pk in shown]
    for system in systems:
        system.open_risks = open_risks.get(system.pk, 0)
    return systems


class PriorityView(RecordMixin, TemplateView):
    """In-scope systems, highest impact first."""

    template_name = "lifecycle/aisystem_priority.html"

    def get_context_data(self, **kwargs):
        systems = prioritised(self.visible().live().filter(in_scope=True))
        return super().get_context_data(
            systems=systems, model_meta=self.model._meta, urls=record_url_names(self.model), **kwargs
        )


# -- API -------------------------------------------------------------------------------------------------
class AISystemSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = AISystem
        # Read only: the stage moves through gates, the classification through …/classification/.
        fields = record_fields([*FIELDS, "stage", "eu_tier", "classification_status", "proposed_tier"])


class AISystemViewSet(gate_views.GateApiMixin, ClassificationApiMixin, RecordViewSet):
    """AI systems, plus their EU AI Act classification at …/classification/ (answers) and
    …/classification/decision/ (a second person confirms or refuses), and their stage gates."""

    serializer_class = AISystemSerializer
    filterset_class = AISystemFilterSet
    services = services


# -- the register -----------------------------------------------------------------------------------------
class AISystemRegister(Register):
    model = AISystem
    label, url_prefix, position = "AI systems", "systems", 10
    menu_group = "8"
    more_links = (("Systems by priority", "aisystem-priority"),)
    services = services
    form = AISystemForm
    filterset = AISystemFilterSet
    viewset = AISystemViewSet
    select_related = ("owner", "supplier")
    columns = [
        ("AI system", "title", "title"),
        ("Type", "kind", None),
        ("Stage", "stage", "stage"),
        ("EU AI Act", "eu_tier", None),
        ("Criticality", "criticality", "criticality"),
        ("In scope", lambda s: "yes" if s.in_scope else "no", None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("Purpose and use", ["purpose", "intended_use", "foreseeable_misuse", "kind", "origin", "supplier", "ai_role"]),
        ("People and data", ["deployment_context", "languages", "affected_people", "vulnerable_groups",
                             "personal_data", "special_category_data"]),
        ("Oversight", ["automation", "oversight", "criticality", "in_scope", "publish_to_stakeholders"]),
        ("Resources (A.4)", ["data_resources", "tooling_resources", "compute_resources", "human_resources"]),
    ]  # fmt: skip
    form_fieldsets = [
        ("Purpose and use", ["title", "purpose", "intended_use", "foreseeable_misuse", "kind", "origin",
                             "supplier", "ai_role"]),
        ("People and data", ["deployment_context", "languages", "affected_people", "vulnerable_groups",
                             "personal_data", "special_category_data"]),
        ("Oversight and criticality", ["automation", "oversight", "criticality", "in_scope",
                                       "publish_to_stakeholders"]),
        ("Resources (A.4.3-A.4.6)", ["data_resources", "tooling_resources", "compute_resources",
                                     "human_resources"]),
        ("Links", ["requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]  # fmt: skip
    lead = (
        "ISO/IEC 42001 A.4 and 4.3: every AI system the organisation develops, provides or uses, with its EU AI "
        "Act classification and life-cycle stage."
    )
    empty_text = (
        "No AI systems yet. Record each system you build, buy or use; then classify it under the EU AI Act."
    )
    detail_template = "lifecycle/aisystem_detail.html"

    def sample(self, people, n=0):
        fields = {
            "title": f"Credit scoring, branch {n}",
            "purpose": "Scores applications for consumer loans.",
            "kind": AISystem.Kind.ML,
            "automation": AISystem.Automation.IN_THE_LOOP,
            "criticality": 3,
        }
        return self.services.create(actor=people["owner"], fields=fields)

    def detail_context(self, request, record, tab) -> dict:
        if tab != "details":
            return {}
        section = gate_views.gate_context(request, record)
        # The gate checks that block a request name records (the risks above appetite): asked with the page.
        blocking = [item["detail"] for option in section["gate_options"] for item in option["blocking"]]
        return {**classification_context(request, record), **section, "linked": blocking}

    def extra_urls(self) -> list:
        prefix, ref = self.url_prefix, "<str:reference>"
        return [
            path(f"{prefix}/priority/", PriorityView.as_view(**self._base()), name="aisystem-priority"),
            *classification_views.URLS,
            *gate_views.URLS,
            path(f"{prefix}/{ref}/dossier/", DossierView.as_view(), name="aisystem-dossier"),
        ]

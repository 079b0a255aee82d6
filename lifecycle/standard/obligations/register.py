"""The register of EU AI Act obligations of high-risk AI systems, declared: the list (system, state, role,
overdue), the record page with what the article asks, how it is met, the evidence attached and the Art. 113
dates of its system, and the API."""

from django.utils import timezone

from aims.register import Register
from aims.registry import registry
from lifecycle.models import AISystem, HighRiskObligation

from .api import HighRiskObligationViewSet
from .forms import HighRiskObligationFilterSet, HighRiskObligationForm
from .position import eu_position
from .services import ACTIONS, public_body, services
from .timeline import dates_for


def state_cell(record) -> str:
    if record.state == record.State.NOT_APPLICABLE:
        return "Not applicable"
    return f"{record.get_state_display()}{', overdue' if record.is_overdue() else ''}"


class HighRiskObligationRegister(Register):
    model = HighRiskObligation
    label, url_prefix, position = "High-risk obligations", "ai-act-obligations", 12
    menu_group = "8"
    services = services
    form = HighRiskObligationForm
    filterset = HighRiskObligationFilterSet
    viewset = HighRiskObligationViewSet
    select_related = ("owner", "system")
    actions = ACTIONS
    columns = [
        ("Obligation", "title", "title"),
        ("AI system", "system", "system"),
        ("EU AI Act", lambda r: r.spec.cite, None),
        ("State", state_cell, "state"),
        ("Due", "due_on", "due"),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The obligation", ["system", "duty", "state", "not_applicable_reason"]),
        ("Follow-up", ["due_on", "how_met"]),
    ]
    form_fieldsets = [
        ("The obligation", ["title", "system", "duty", "due_on", "how_met"]),
        ("How it is met", ["conformity_route", "notified_body_number", "declared_on", "declaration_reference",
                           "registration_number", "registered_on", "placed_on_market_on", "log_retention_months",
                           "impact_assessment", "notified_on", "public_body"]),
        ("Links", ["requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]  # fmt: skip
    lead = (
        "EU AI Act: what a high-risk AI system asks of us as its provider (technical documentation, conformity, "
        "registration, monitoring, retention) or its deployer (logs, fundamental rights impact assessment, "
        "registration of use), one record per obligation with its state, owner, due date and evidence."
    )
    empty_text = (
        "No high-risk obligations recorded. Classify each AI system under the EU AI Act; on a high-risk "
        "system's page, “Record its EU AI Act obligations” creates them for its owner."
    )
    detail_template = "lifecycle/obligation_detail.html"

    def sample(self, people, n=0):
        system = registry.register_for(AISystem).register.sample(people, n)
        return self.services.create(actor=people["owner"], fields={"system": system, "duty": "annex_iv_1"})

    def detail_context(self, request, record, tab) -> dict:
        if tab != "details":
            return {}
        spec, position = record.spec, eu_position(record.system)
        details = [(record._meta.get_field(name).verbose_name, name) for name in spec.details]
        evidence = None
        if registry.evidence_serving is not None:
            evidence = registry.evidence_serving({"it": (None, record)}, user=request.user)["it"]
        return {
            "spec": spec,
            "position": position,
            "details": [(label, _shown(record, name)) for label, name in details],
            "public_body_said": position.public_body,
            "public_body": public_body(record) if record.duty == "use_registration" else None,
            "timeline": dates_for(position),
            "overdue": record.is_overdue(),
            "fits_system": position.high_risk and position.role == spec.role,
            "evidence": evidence,
            "today": timezone.localdate(),
            "linked": [record.system, *([record.impact_assessment] if record.impact_assessment_id else [])],
        }


def _shown(record, name: str):
    """A detail as the page shows it: a linked record as itself (drawn as a link), the rest as text."""
    from aims.records import display_value

    if name == "impact_assessment":
        return record.impact_assessment
    return display_value(record, record._meta.get_field(name))

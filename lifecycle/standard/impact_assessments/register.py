"""The impact assessment register, declared: its pages, approval lifecycle, harm pages and API."""

from django.urls import path

from aims.register import Register
from aims.registry import registry
from lifecycle.models import AISystem, ImpactAssessment

from .api import ImpactAssessmentViewSet
from .forms import ImpactAssessmentFilterSet, ImpactAssessmentForm
from .harms import harm_to_risk
from .services import ACTIONS, CONCLUSION, FRIA, USES, services
from .views import HarmActionView, HarmAddView, ThresholdsView, assessment_context, remove


class ImpactAssessmentRegister(Register):
    model = ImpactAssessment
    label, url_prefix, position = "Impact assessments", "impact-assessments", 30
    menu_group = "8"
    services = services
    form = ImpactAssessmentForm
    filterset = ImpactAssessmentFilterSet
    viewset = ImpactAssessmentViewSet
    select_related = ("owner", "system")
    actions = tuple(ACTIONS)
    more_links = (("Sensitive and restricted uses", "impactassessment-thresholds"),)
    columns = [
        ("Impact assessment", "title", "title"),
        ("AI system", "system", None),
        ("Trigger", "trigger", None),
        ("Status", "status", None),
        ("Approved version", lambda r: f"v{r.version_number}" if r.version_number else "none yet", None),
        ("Reassessment", lambda r: "due" if r.reassessment_due else "", None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("Scope", ["system", "trigger", "scope"]),
        ("The system", ["system_information", "data_information", "model_information", "deployment_information"]),
        ("Who is affected", ["interested_parties", "vulnerable_groups"]),
        ("Unintended uses, misuse and failures (ISO/IEC 42005)", USES),
        ("Benefits, measures and what remains", ["benefits", "measures", "residual_impact"]),
    ]  # fmt: skip
    form_fieldsets = [
        ("Scope (6.1.4)", ["title", "system", "trigger", "scope"]),
        ("System information", ["system_information", "deployment_information"]),
        ("Data and model information", ["data_information", "model_information"]),
        ("Interested parties (A.5.4, A.5.5)", ["interested_parties", "vulnerable_groups"]),
        ("Unintended uses, misuse and failures (ISO/IEC 42005)", USES),
        ("Benefits", ["benefits"]),
        ("Measures and residual impact", ["measures", "residual_impact"]),
        ("Sensitive or restricted use: the conclusion against the organisation's thresholds", CONCLUSION),
        ("EU fundamental rights (Art. 27): deployers of high-risk systems only", FRIA),
        ("Links", ["requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 6.1.4, 8.4 and A.5: the consequences an AI system can have for individuals, groups "
        "and society, its harms and benefits, and the measures. The governance board approves each version."
    )
    empty_text = (
        "No impact assessments yet. Assess each AI system before it goes live, and again when the "
        "system, its model or its data change materially."
    )
    detail_template = "lifecycle/impactassessment_detail.html"

    def sample(self, people, n=0):
        fields = {
            "title": f"Impact assessment: credit scoring, {n}",
            "system": registry.register_for(AISystem).register.sample(people, n),
            "scope": "Consumer loan decisions.",
        }
        return self.services.create(actor=people["owner"], fields=fields)

    def detail_context(self, request, record, tab) -> dict:
        return assessment_context(request, record, tab)

    def extra_urls(self) -> list:
        harms = f"{self.url_prefix}/<str:reference>/harms"
        page = self.detail_options()
        return [
            path(
                f"{self.url_prefix}/thresholds/", ThresholdsView.as_view(), name="impactassessment-thresholds"
            ),
            path(f"{harms}/", HarmAddView.as_view(**page), name="impactassessment-harm-add"),
            path(
                f"{harms}/<int:harm>/remove/",
                HarmActionView.as_view(**page, service=remove, done_message="{reference}: harm removed."),
                name="impactassessment-harm-remove",
            ),
            path(
                f"{harms}/<int:harm>/risk/",
                HarmActionView.as_view(
                    **page,
                    service=harm_to_risk,
                    done_message="{reference}: the harm is now a risk in the AI risk register.",
                ),
                name="impactassessment-harm-risk",
            ),
        ]

"""The bias assessment register, declared: its pages, the CSV download and its API."""

from django.urls import path

from aims.register import Register
from aims.registry import registry
from lifecycle.models import AISystem, BiasAssessment

from .api import BiasAssessmentViewSet
from .checklist import CHECKLIST
from .forms import BiasAssessmentFilterSet, BiasAssessmentForm
from .services import services
from .views import BiasFileView, assessment_context, figure_cell, result_cell


class BiasAssessmentRegister(Register):
    model = BiasAssessment
    label, url_prefix, position = "Bias assessments", "bias", 50
    menu_group = "8"
    services = services
    form = BiasAssessmentForm
    filterset = BiasAssessmentFilterSet
    viewset = BiasAssessmentViewSet
    select_related = ("owner", "system", "risk")
    columns = [
        ("Assessment", "title", None),
        ("AI system", "system.title", "system"),
        ("Result", result_cell, None),
        ("Lowest parity ratio", figure_cell("worst_ratio"), None),
        ("Largest odds difference", figure_cell("worst_difference"), None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The assessment", ["system", "favourable_outcome", "ratio_threshold", "difference_threshold"])
    ]
    form_fieldsets = [
        ("The assessment", ["title", "system"]),
        ("Checklist", [f"{part}_{key}" for key, *_ in CHECKLIST for part in ("check", "note")]),
        (
            "Measured fairness",
            ["file", "sensitive_columns", "favourable_outcome", "ratio_threshold", "difference_threshold"],
        ),
        ("Links", ["requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 A.7.4 and A.6.2.4: is the system fair to the groups it affects? Answer the checklist "
        "and upload predictions as CSV to measure selection rates, demographic parity and equalized odds."
    )
    empty_text = (
        "No bias assessments yet. Start one for an AI system that decides about people: answer the "
        "checklist, then upload a CSV of its predictions with y_true, y_pred and a sensitive column."
    )
    detail_template = "lifecycle/bias_detail.html"

    def sample(self, people, n=0):
        """Checklist only: no predictions measured, so no result and no risk."""
        fields = {
            "title": f"Hiring model fairness, {n}",
            "system": registry.register_for(AISystem).register.sample(people, n),
            "checklist": {"representativeness": {"answer": "yes", "note": "Checked against the census."}},
        }
        return self.services.create(actor=people["owner"], fields=fields)

    def detail_context(self, request, record, tab) -> dict:
        return assessment_context(request, record, tab)

    def extra_urls(self) -> list:
        return [
            path(
                f"{self.url_prefix}/<str:reference>/file/", BiasFileView.as_view(), name="biasassessment-file"
            ),
        ]

"""The AI risk register (ISO/IEC 42001 6.1.2, 6.1.3, 8.2, 8.3), declared like every other register.

It has more screens than most: its own list, record and form templates with risk levels, a heat map,
a CSV/XLSX import, a PDF report queued as a job, the board's acceptance and the approval of the
treatment plan (registers/treatment_plan.py). Those are named views in
registers/views.py, declared here as the register's pages and extras."""

from django.urls import path

from aims.links import Related
from aims.register import Register
from registers import views
from registers.api import RiskViewSet
from registers.criteria import CriteriaView
from registers.filters import RiskFilterSet
from registers.forms import RiskForm
from registers.models import Concern, Risk
from registers.selectors import risks_awaiting_acceptance
from registers.services import RiskServices
from registers.treatment_plan_views import TreatmentPlanView


class RiskRegister(Register):
    model = Risk
    label, url_prefix, position = "AI risks", "risks", 0
    menu_group = "6"
    more_links = (
        ("Risk heat map", "risk-heatmap"),
        ("Risk criteria", "risk-criteria"),
        ("Treatment plan", "risk-treatment-plan"),
    )
    services = RiskServices
    form = RiskForm
    filterset = RiskFilterSet
    viewset = RiskViewSet
    select_related = ("owner", "category", "accepted_by")
    # The list shows each risk's systems: views.RiskListView.rows_read fetches what it shows of them.
    # The concerns triaged into the risk (A.3.3): shown only to those who may open them (aims.links).
    related = (
        Related("Raised from concerns", lambda risk: Concern.objects.filter(risk=risk).order_by("reference")),
    )
    list_view = views.RiskListView
    detail_view = views.RiskDetailView
    form_view = views.RiskFormView
    archive_done = "{reference} archived. It stays in the register's history and can be restored."

    def awaiting_decision(self, risks):
        return risks_awaiting_acceptance(risks)

    def sample(self, people, n=0):
        from registers.models import RiskCategory

        fields = {
            "title": f"Credit model under-scores thin-file applicants, {n}",
            "category": RiskCategory.objects.get(slug="bias-and-fairness"),
            "risk_source": "C.3.4",
            "affects_individuals": True,
            "inherent_likelihood": 3,
            "inherent_impact": 3,
            "treatment": "mitigate",
            "treatment_plan": "Reweigh training data; monthly fairness check.",
            "residual_likelihood": 2,
            "residual_impact": 2,
        }
        return self.services.create(actor=people["owner"], fields=fields)

    def extra_urls(self) -> list:
        prefix, ref = self.url_prefix, "<str:reference>"
        return [
            path(f"{prefix}/criteria/", CriteriaView.as_view(), name="risk-criteria"),
            path(f"{prefix}/treatment-plan/", TreatmentPlanView.as_view(), name="risk-treatment-plan"),
            path(f"{prefix}/heat-map/", views.RiskHeatMapView.as_view(**self._base()), name="risk-heatmap"),
            path(f"{prefix}/import/", views.RiskImportView.as_view(**self._base()), name="risk-import"),
            path(f"{prefix}/report/", views.RiskReportView.as_view(**self._base()), name="risk-report"),
            path(
                f"{prefix}/{ref}/accept/",
                views.RiskAcceptView.as_view(**self.detail_options()),
                name="risk-accept",
            ),
        ]

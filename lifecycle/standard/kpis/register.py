"""The KPI register, declared: its pages, its API, and the measurement and import pages."""

from decimal import Decimal

from django.urls import path

from aims.register import Register
from lifecycle.models import KPI

from .api import KPIViewSet
from .forms import KPIFilterSet, KPIForm
from .selectors import last_measured, state_badge, with_unit
from .services import services
from .views import ImportView, MeasurementView, kpi_context


class KPIRegister(Register):
    model = KPI
    label, url_prefix, position = "KPIs", "kpis", 80
    menu_group = "8"
    services = services
    form = KPIForm
    filterset = KPIFilterSet
    viewset = KPIViewSet
    select_related = ("owner", "system")
    columns = [
        ("KPI", "title", "title"),
        ("State", state_badge, "state"),
        ("Last value", lambda k: with_unit(k.last_value, k.unit), None),
        ("Last measured", last_measured, "last_measured"),
        ("AI system", "system", None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("What is measured", ["metric", "unit", "direction", "frequency_days", "system", "objective"]),
        ("Thresholds", ["target", "warning", "breach"]),
    ]
    form_fieldsets = [
        ("What is measured", ["title", "metric", "unit", "direction", "frequency_days"]),
        ("Thresholds", ["target", "warning", "breach"]),
        ("What it serves", ["system", "objective", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 9.1 and A.6.2.6: what is measured about the AIMS and its AI systems, against which "
        "target and thresholds, and how often. A breach tells the owner and drafts an incident."
    )
    empty_text = (
        "No KPIs yet. Start with one per AI system in operation: a fairness ratio, an error rate, "
        "or how often answers are correct."
    )
    detail_template = "lifecycle/kpi_detail.html"

    def sample(self, people, n=0):
        fields = {
            "title": f"Approval-rate ratio across groups, {n}",
            "metric": "Lowest group's approval rate over the highest",
            "unit": "ratio",
            "direction": KPI.Direction.HIGHER,
            "target": Decimal("0.9"),
            "warning": Decimal("0.85"),
            "breach": Decimal("0.8"),
            "frequency_days": 30,
        }
        return self.services.create(actor=people["owner"], fields=fields)

    def detail_context(self, request, record, tab) -> dict:
        return kpi_context(request, record, tab)

    def extra_urls(self) -> list:
        ref = f"{self.url_prefix}/<str:reference>"
        return [
            path(
                f"{ref}/measurements/",
                MeasurementView.as_view(**self.detail_options()),
                name="kpi-measurements",
            ),
            path(f"{ref}/import/", ImportView.as_view(**self._base()), name="kpi-import"),
        ]

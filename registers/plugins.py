"""What the risk register plugs into the core: navigation, API routes, dashboard panel, reports."""

from aims.api.router import router
from aims.registry import RegisterInfo, registry

from .api import RiskViewSet
from .dashboard import risk_panel
from .models import Risk
from .reports import register_reports

registry.add_register(
    RegisterInfo(
        model=Risk,
        label="AI risks",
        cycle="Plan",
        list_url="risk-list",
        more_links=(("Risk heat map", "risk-heatmap"), ("Risk criteria", "risk-criteria")),
    )
)
registry.add_dashboard_panel(risk_panel)
router.register("risks", RiskViewSet, basename="risk")
register_reports()

"""What the risk register plugs into the core: navigation, API routes, dashboard panel, reports."""

from aims.api.router import router
from aims.plugins import install
from aims.registry import RegisterInfo, registry

from . import standard
from .api import RiskViewSet
from .dashboard import risk_panel
from .models import Risk, RiskCriteria
from .reports import register_reports


def risks_awaiting_acceptance(risks):
    """Above appetite and not yet accepted: the board's decision (6.1.3)."""
    return risks.filter(
        residual_score__gt=RiskCriteria.current().appetite_max, accepted_by__isnull=True
    ).exclude(status=Risk.Status.CLOSED)


registry.add_register(
    RegisterInfo(
        model=Risk,
        label="AI risks",
        cycle="Plan",
        list_url="risk-list",
        more_links=(("Risk heat map", "risk-heatmap"), ("Risk criteria", "risk-criteria")),
        awaiting_decision=risks_awaiting_acceptance,
    )
)
registry.add_dashboard_panel(risk_panel)
router.register("risks", RiskViewSet, basename="risk")


# Registers built from the shared parts, one module each in registers/standard/.
install(standard, cycle="Plan")
register_reports()

from . import dashboard_governance  # noqa: E402,F401  its panel follows the registers' own
from .certification_checks import register_checks  # noqa: E402

register_checks()  # certification readiness: scope, policy, risks, objectives, competence, documents

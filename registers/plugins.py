"""What the Plan registers plug into the core: navigation, API routes, dashboard panels, reports."""

from aims.plugins import install
from aims.registry import registry

from . import standard
from .dashboard import risk_panel
from .reports import register_reports

# Every Plan register, the AI risk register first, one module each in registers/standard/.
install(standard, cycle="Plan")
registry.add_dashboard_panel(risk_panel)
register_reports()

from . import dashboard_governance  # noqa: E402,F401  its panel follows the registers' own
from .certification_checks import register_checks  # noqa: E402

register_checks()  # certification readiness: scope, policy, risks, objectives, competence, documents

"""What the Plan registers plug into the core: navigation, API routes, dashboard panels, reports."""

from . import policies  # noqa: F401, I001  first: who may do what, asked as the registers install

from aims import roles
from aims.plugins import install
from aims.registry import registry

from . import bench, standard  # noqa: F401  bench: the risk register's measures
from .dashboard import risk_panel
from .reports import register_reports

# Every Plan register, the AI risk register first, one module each in registers/standard/.
install(standard, cycle="Plan")
registry.add_dashboard_panel(risk_panel, roles=(roles.MANAGER, roles.BOARD), order=20)


def seed_plan_demo(users) -> int:
    """The Plan registers of the demo organisation, after its users and risks (seed_demo)."""
    from .demo_leadership import seed_leadership
    from .demo_plan import seed_plan
    from .demo_support import seed_support

    return seed_plan(users) + seed_leadership(users) + seed_support(users)


registry.add_demo_seeder(seed_plan_demo, order=10)
register_reports()

from . import dashboard_governance  # noqa: E402,F401  its panel follows the registers' own
from .certification_checks import register_checks  # noqa: E402

register_checks()  # certification readiness: scope, policy, risks, objectives, competence, documents

from aims.imports import add_importer  # noqa: E402

from .io import IMPORT_KIND, run_import  # noqa: E402

add_importer(IMPORT_KIND, run_import)  # the risk import runs as a job (aims.imports)

from aims.api.schema import name_choice_set  # noqa: E402

from .models.choices import AimsProcess  # noqa: E402
from .models.context import Side  # noqa: E402
from .models.leadership import Decision  # noqa: E402

name_choice_set("SideEnum", Side)
name_choice_set("AimsProcessEnum", AimsProcess)
name_choice_set("ActionStatusEnum", Decision.Status)  # implementation actions share it

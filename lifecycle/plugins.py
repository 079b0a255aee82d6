"""What the life-cycle registers plug into the core: navigation, API routes, reminders."""

from . import policies  # noqa: F401, I001  first: who may do what, asked as the registers install

from aims import roles
from aims.plugins import install
from aims.registry import registry

from . import standard
from .standard.incidents.panels import incidents_panel
from .standard.incidents.reminders import reporting_reminders
from .standard.kpis.panels import kpis_panel
from .standard.kpis.reminders import overdue_measurement_reminders

install(standard, cycle="Do")

# Reminders beyond review dates: serious incidents to report (EU AI Act Art. 73), late KPI measurements.
registry.add_reminder_source(reporting_reminders)
registry.add_reminder_source(overdue_measurement_reminders)
# The incidents' and the KPIs' dashboard panels, after the gates' panel (ai_systems imports gate_views).
registry.add_dashboard_panel(incidents_panel, roles=(roles.MANAGER, roles.BOARD), order=40)
registry.add_dashboard_panel(kpis_panel, roles=(roles.MANAGER, roles.BOARD), order=45)

# The AI systems panel, the stakeholder report (its PDF job) and the stage gates' panel.
from . import dashboard, stakeholder_report  # noqa: E402,F401
from .certification_checks import register_checks  # noqa: E402
from .gate_views import gates_panel  # noqa: E402,F401

register_checks()  # certification readiness: SoA, impact assessments, gates, KPIs, Annex A controls
from .certification_prohibited import register as register_prohibited_check  # noqa: E402

register_prohibited_check()  # 4.1: no AI system in scope is a prohibited practice (EU AI Act Art. 5)
registry.add_menu_link("Do", "Stakeholder report", "stakeholder-report", group="8")


def seed_lifecycle_demo(users) -> int:
    from .demo_all import seed_lifecycle

    return seed_lifecycle(users)


def complete_documented_demo(users) -> int:
    from .demo_obligations import complete_documented

    return complete_documented(users)


registry.add_demo_seeder(seed_lifecycle_demo, order=20)
# After the evidence library's demo (order 50) attaches its pieces: the documented Annex IV sections are done.
registry.add_demo_seeder(complete_documented_demo, order=55)
from .system_hub import register_sections  # noqa: E402

register_sections()  # the AI system page lists every record that concerns the system
from .standard.obligations.links import register_links  # noqa: E402

register_links()  # a high-risk system's EU AI Act obligations on its page, with the button to record them
from aims.api.schema import name_choice_set  # noqa: E402

from .models import ClassificationStatus, HighRiskObligation, Stage, Tier  # noqa: E402

name_choice_set("ObligationStateEnum", HighRiskObligation.State)  # KPIs have a state of their own
name_choice_set("EuTierEnum", Tier)  # in effect and proposed
name_choice_set("LifeCycleStageEnum", Stage)  # a system's stage and a gate's target; audits have stages too
name_choice_set("ClassificationStatusEnum", ClassificationStatus)
from aims.imports import add_importer  # noqa: E402

from . import bench  # noqa: E402,F401  the inventory pages and volume data of manage.py bench
from .standard.kpis.imports import IMPORT_KIND, run_import  # noqa: E402

add_importer(IMPORT_KIND, run_import)  # the KPI measurement import runs as a job (aims.imports)

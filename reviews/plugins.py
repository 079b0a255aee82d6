"""What the Act registers plug into the core: navigation, API routes, reminders, dashboard panels and reports."""

from . import policies  # noqa: F401, I001  first: who may do what, asked as the registers install

from aims.plugins import install

from . import standard

install(standard, cycle="Act")

# What the Act app offers on earlier registers' records: it may import them, they may not import it.
from aims.registry import registry  # noqa: E402

from .raising import (  # noqa: E402
    RAISE_NC_FROM_FINDING,
    RAISE_NC_FROM_INCIDENT,
    RAISE_NC_FROM_KPI,
    RAISE_PA_FROM_RISK,
)

registry.add_record_action("audits.Finding", RAISE_NC_FROM_FINDING)
registry.add_record_action("lifecycle.Incident", RAISE_NC_FROM_INCIDENT)
registry.add_record_action("lifecycle.KPI", RAISE_NC_FROM_KPI)
registry.add_record_action("registers.Risk", RAISE_PA_FROM_RISK)

from .related import install as install_related  # noqa: E402

install_related()  # the nonconformities and lessons shown on audits, findings and incidents

from . import bench, board_pack  # noqa: E402, F401  the demo reports' bench measure; a job runner


def seed_improvement_demo(users) -> int:
    from .demo_improvement import seed_improvement

    return seed_improvement(users)


def seed_review_demo(users) -> int:
    from .demo_review import seed_review

    return seed_review(users)


registry.add_demo_seeder(seed_improvement_demo, order=40)  # after the incidents, KPIs and risks it uses
registry.add_demo_seeder(seed_review_demo, order=60)  # last: its inputs are compiled from every register

# The management review panel, its reminders and PDF report; the improvement panel; overdue and check reminders.
from . import dashboard, improvement_dashboard, reminders, report  # noqa: E402,F401
from .input_sections_improvement import audit_results, feedback, nonconformities  # noqa: E402
from .inputs import add_input_source  # noqa: E402

# The Check and Act registers fill the review's inputs that wait for them (the same keys, in place).
add_input_source("nonconformities", "Nonconformities and corrective actions", nonconformities)
add_input_source("audit_results", "Audit results", audit_results)
add_input_source("feedback", "Feedback from interested parties", feedback)

from .certification_checks import register as register_readiness  # noqa: E402

register_readiness()  # 9.3.3 and 10.2 from the Act registers; the stakeholder report's latest review

from aims.api.schema import name_choice_set  # noqa: E402

from .models.improvement import CorrectiveAction, Nonconformity  # noqa: E402

name_choice_set("NonconformityGradeEnum", Nonconformity.Grade)
name_choice_set("CheckResultEnum", CorrectiveAction.Result)  # the check and its input

# The AI system page lists the nonconformities about the system: from its incidents, its KPIs, or the
# findings of audits that covered it (lifecycle.system_hub).
from django.db.models import Q  # noqa: E402

from aims.links import Related  # noqa: E402


def _system_nonconformities(system):
    about = Q(incident__system=system) | Q(kpi__system=system) | Q(finding__audit__systems=system)
    ids = Nonconformity.objects.filter(about).values("pk")
    return Nonconformity.objects.live().filter(pk__in=ids).order_by("-created_at", "-id")


registry.add_related(
    "lifecycle.AISystem",
    Related(
        "Nonconformities",
        _system_nonconformities,
        lambda nc: nc.get_status_display().lower(),
        empty="None yet.",
        limit=10,
    ),
)

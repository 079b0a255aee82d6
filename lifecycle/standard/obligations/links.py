"""The obligations on other records' pages, both ways (plugged in by lifecycle/plugins.py): the AI system
lists its obligations and offers to record them; an impact assessment lists the FRIA obligations it meets."""

from django.urls import reverse

from aims.links import Related
from aims.registry import registry

from .services import CREATE_FOR_SYSTEM

SHOWN = 10


def _detail(obligation) -> str:
    due = (
        f", due {obligation.due_on:%Y-%m-%d}"
        if obligation.due_on and obligation.state in obligation.OPEN
        else ""
    )
    late = ", overdue" if obligation.is_overdue() else ""
    return f"{obligation.spec.cite}: {obligation.get_state_display().lower()}{due}{late}"


def register_links() -> None:
    registry.add_related(
        "lifecycle.AISystem",
        Related(
            "EU AI Act obligations",
            lambda system: system.high_risk_obligations.live().order_by("id"),
            _detail,
            empty="None: a high-risk system's obligations are recorded from this page.",
            limit=SHOWN,
            more_url=lambda system: f"{reverse('highriskobligation-list')}?system={system.reference}",
        ),
    )
    registry.add_related(
        "lifecycle.ImpactAssessment",
        Related(
            "EU AI Act obligations it meets",
            lambda assessment: assessment.high_risk_obligations.live().order_by("id"),
            _detail,
        ),
    )
    registry.add_record_action("lifecycle.AISystem", CREATE_FOR_SYSTEM)

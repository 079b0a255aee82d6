"""Which obligations a system has and which it lacks, and which are overdue: one rule each, shared by
the list filter, the system page, the button that creates them and the demo."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from lifecycle.models import HighRiskObligation
from lifecycle.models.obligations import DUTIES

from .position import eu_position

OPEN = Q(state__in=HighRiskObligation.OPEN)


def overdue(today: dt.date | None = None) -> Q:
    """Still open with its due date past."""
    return OPEN & Q(due_on__lt=today or timezone.localdate())


def duties_for(role: str) -> list:
    return [duty for duty in DUTIES if duty.role == role]


def missing_duties(system) -> list:
    """The obligations of the system's role it has no live record of yet (one query)."""
    position = eu_position(system)
    if not position.high_risk or not position.role:
        return []
    have = set(system.high_risk_obligations.live().values_list("duty", flat=True))
    return [duty for duty in duties_for(position.role) if duty.key not in have]


def nothing_to_create(system) -> str:
    """Why there are no obligations to create for `system`, or "" when some are missing."""
    position = eu_position(system)
    if not position.high_risk:
        return f"{system.reference} is not classified high-risk: the high-risk obligations do not apply."
    if not position.role:
        return (
            f"We are neither provider nor deployer of {system.reference} ({system.get_ai_role_display()}): "
            "the high-risk obligations fall on others."
        )
    if not missing_duties(system):
        return f"Every {position.role_label} obligation of {system.reference} is recorded already."
    return ""

"""The KPIs' dashboard panel (registered by lifecycle/plugins.py)."""

from django.db.models import Count, Q
from django.urls import reverse

from lifecycle.models import KPI

from .selectors import FLAGGED, State, overdue, state_badge, with_unit


def kpis_panel(request) -> dict:
    """KPIs in breach and in warning, and how many are late to be measured: a fixed number of queries."""
    kpis = KPI.objects.restrict(request.user, "view").live()
    counts = overdue(kpis).aggregate(overdue_count=Count("pk"))
    counts |= kpis.aggregate(
        breach_count=Count("pk", filter=Q(state=State.BREACH)),
        warning_count=Count("pk", filter=Q(state=State.WARNING)),
        flagged_count=Count("pk", filter=FLAGGED),
    )
    flagged = kpis.filter(FLAGGED).order_by("state", "title")  # breach first
    return {
        "template": "lifecycle/kpis_panel.html",
        "list_url": reverse("kpi-list"),
        **counts,
        "kpis": [(k, state_badge(k), with_unit(k.last_value, k.unit)) for k in flagged[:10]],
    }

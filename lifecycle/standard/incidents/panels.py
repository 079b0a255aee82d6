"""The incidents' dashboard panel (registered by lifecycle/plugins.py)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from lifecycle.models import Incident

from .selectors import AWAITING_COMPLETE, OPEN, UNREPORTED, countdown, with_deadline


def incidents_panel(request) -> dict:
    """Open incidents by severity, serious incidents still to report (nearest deadline first) and those
    reported awaiting their complete report (Art. 73(5)): two queries however many incidents there are."""
    today = timezone.localdate()
    visible = Incident.objects.restrict(request.user, "view").live()
    counts = visible.aggregate(
        open_count=Count("pk", filter=OPEN),
        **{f"severity_{s}": Count("pk", filter=OPEN & Q(severity=s)) for s in Incident.Severity.values},
        unreported_count=Count("pk", filter=UNREPORTED),
        awaiting_complete_count=Count("pk", filter=AWAITING_COMPLETE),
    )
    unreported = with_deadline(visible.filter(UNREPORTED)).order_by("deadline_on", "reference")
    serious = list(unreported.select_related("owner")[:10])
    for incident in serious:
        incident.countdown = countdown(incident, today)
        incident.late = incident.deadline_on is not None and incident.deadline_on < today
    return {
        "template": "lifecycle/incidents_panel.html",
        "list_url": reverse("incident-list"),
        "open_count": counts["open_count"],
        "unreported_count": counts["unreported_count"],
        "awaiting_complete_count": counts["awaiting_complete_count"],
        "by_severity": [
            (value, label, counts[f"severity_{value}"])
            for value, label in reversed(Incident.Severity.choices)
        ],
        "serious": serious,
    }

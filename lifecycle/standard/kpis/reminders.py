"""The daily sweep's reminder of a late measurement (registered by lifecycle/plugins.py)."""

import datetime as dt

from django.utils import timezone

from aims.models import Notification
from lifecycle.models import KPI

from .selectors import due_date, overdue


def overdue_measurement_reminders(today):
    """A measurement due by the end of `today` and not made reminds the owner once per due date (the
    key carries it, so the next measurement starts a new period)."""
    end_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time.max))
    late = overdue(KPI.objects.live().filter(owner__is_active=True), at=end_of_day).select_related("owner")
    for kpi in late:
        due = due_date(kpi)
        yield (
            kpi.owner,
            Notification.Kind.REVIEW_DUE,
            f"kpi-measure:{kpi.pk}:{due.isoformat()}",
            f"A measurement of {kpi.reference} {kpi.title} was due on {due:%Y-%m-%d}.",
            kpi.get_absolute_url(),
        )

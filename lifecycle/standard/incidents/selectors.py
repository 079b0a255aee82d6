"""Open and unreported incidents, those awaiting their complete report, and the EU AI Act (Art. 73)
reporting deadline in SQL and in words."""

import datetime as dt

from django.db.models import Case, DateField, DurationField, F, Q, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from lifecycle.models import Incident

OPEN = Q(status__in=[Incident.Status.OPEN, Incident.Status.INVESTIGATING])
UNREPORTED = Q(serious=True, reported_on__isnull=True)
# Art. 73(5): the initial report was made; the complete report has still to follow.
AWAITING_COMPLETE = Q(serious=True, reported_on__isnull=False, complete_report_on__isnull=True)
# Which paragraph of Art. 73 sets each kind's deadline (the days are the model's DEADLINE_DAYS).
PARAGRAPH = {"general": "Art. 73(2)", "widespread": "Art. 73(3)", "death": "Art. 73(4)"}


def with_deadline(queryset):
    """Annotate `deadline_on`, the model's `reporting_deadline` in SQL, so lists can filter and sort by it
    (the model's DEADLINE_DAYS stay the one source of the day counts)."""
    return queryset.annotate(
        deadline_on=Case(
            *[
                When(
                    serious=True,
                    serious_kind=kind,
                    then=Cast(
                        F("detected_on") + Value(dt.timedelta(days=days), DurationField()), DateField()
                    ),
                )
                for kind, days in Incident.DEADLINE_DAYS.items()
            ],
            output_field=DateField(),
        )
    )


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def countdown(incident, today: dt.date | None = None) -> str:
    """ "due in 3 days", "due today", "overdue by 2 days" or "reported on …"; empty when not serious."""
    if incident.reported_on:
        return f"reported on {incident.reported_on:%Y-%m-%d}"
    deadline = incident.reporting_deadline
    if deadline is None:
        return ""
    left = (deadline - (today or timezone.localdate())).days
    if left > 0:
        return f"due in {_days(left)}"
    return "due today" if left == 0 else f"overdue by {_days(-left)}"


def reporting_cell(incident) -> str:
    deadline = incident.reporting_deadline
    if deadline is None:
        return ""
    return f"{deadline:%Y-%m-%d} ({countdown(incident)})"

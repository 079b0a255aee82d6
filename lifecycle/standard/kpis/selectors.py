"""How KPIs are shown and which are late: values as people write them, the state badge, and the next
measurement's due date (in SQL for lists, the dashboard and reminders)."""

import datetime as dt
from decimal import Decimal

from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Func, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import format_html

from lifecycle.models import KPI

State = KPI.State
# In breach or warning: what the dashboard lists, and the list's ?flagged= filter.
FLAGGED = Q(state__in=[State.BREACH, State.WARNING])
BADGE = {State.OK: "badge-ok", State.WARNING: "badge-warn", State.BREACH: "badge-bad", State.NO_DATA: ""}


def number(value) -> str:
    """0.8100 -> 0.81: values as people write them, in the list, the table and messages."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def with_unit(value, unit: str) -> str:
    shown = number(value)
    return f"{shown} {unit}".strip() if shown else ""


def state_badge(kpi):
    # The state in words inside the coloured badge: never colour alone.
    return format_html('<span class="badge {}">{}</span>', BADGE.get(kpi.state, ""), kpi.get_state_display())


def last_measured(kpi):
    return timezone.localtime(kpi.last_measured_at).strftime("%Y-%m-%d %H:%M") if kpi.last_measured_at else ""


# -- when a measurement is overdue --------------------------------------------------------------------
class Days(Func):
    """A whole number of days held in a column, as a duration the database adds to a timestamp. PostgreSQL
    multiplies an interval; SQLite (make run's embedded database) holds durations as microseconds and
    cannot multiply a column by an interval."""

    output_field = DurationField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="(%(expressions)s * INTERVAL '1 day')", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s * 86400000000)", **extra_context)


def due_at():
    """When the next measurement is due: the last one (or the KPI's creation) plus its frequency."""
    return ExpressionWrapper(
        Coalesce(F("last_measured_at"), F("created_at")) + Days(F("frequency_days")),
        output_field=DateTimeField(),
    )


def overdue(queryset, at=None):
    """KPIs whose next measurement was due before `at` (default: now), in SQL on every database, so the
    queryset keeps whatever it selects and defers (a list's select_related("owner") among them)."""
    return queryset.alias(due_at=due_at()).filter(due_at__lt=at or timezone.now())


def not_overdue(queryset, at=None):
    """The other KPIs: the list's "Measurement overdue: No"."""
    return queryset.alias(due_at=due_at()).exclude(due_at__lt=at or timezone.now())


def due_date(kpi) -> dt.date:
    basis = kpi.last_measured_at or kpi.created_at
    return timezone.localdate(basis + dt.timedelta(days=kpi.frequency_days))

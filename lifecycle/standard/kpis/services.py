"""The KPI register's services, and recording a measurement: the one set of rules the page, the CSV
import and the API share. A measurement into breach notifies the owner and drafts an AI incident."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims import records, webhooks
from aims.models import Notification
from aims.policies import policy_of, require
from aims.services import RecordServices
from lifecycle.models import KPI, Incident, Measurement
from lifecycle.standard.incidents.services import draft_incident

from .selectors import State, with_unit

FIELDS = [
    "title", "metric", "unit", "direction", "target", "warning", "breach", "frequency_days", "system",
    "objective", "owner", "review_cadence", "next_review_on",
]  # fmt: skip

FUTURE_GRACE = dt.timedelta(minutes=5)  # a pipeline's clock may run a little ahead of ours
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LIMIT = Decimal("1e10")  # the model stores 14 digits, 4 after the point
QUANTUM = Decimal("0.0001")

services = RecordServices(KPI, FIELDS)


def clean_value(value) -> Decimal:
    try:
        value = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"value": "Give a number, e.g. 0.82 or 97.5."}) from None
    if not value.is_finite() or value.copy_abs() >= LIMIT:  # copy_abs: no context, no overflow
        raise ValidationError({"value": "Give a number between -9999999999 and 9999999999."})
    return value.quantize(QUANTUM)  # a pipeline's 0.812345678 is kept to the 4 places the KPI stores


def clean_measured_at(measured_at) -> dt.datetime:
    if measured_at is None:
        return timezone.now()
    if isinstance(measured_at, dt.date) and not isinstance(measured_at, dt.datetime):
        measured_at = dt.datetime.combine(measured_at, dt.time())
    if timezone.is_naive(measured_at):
        measured_at = timezone.make_aware(measured_at)
    if measured_at > timezone.now() + FUTURE_GRACE:
        raise ValidationError({"measured_at": "A measurement cannot be in the future."})
    if measured_at < EARLIEST:
        raise ValidationError({"measured_at": "A measurement cannot be before 1970."})
    return measured_at


@transaction.atomic
def record_measurement(kpi, *, actor, value, measured_at=None, source: str, note: str = ""):
    """Store one measurement; if it is the newest, move the KPI's state, last value and time on (with
    history). A pipeline pushes blind, so no version is asked for: the KPI row is locked and its
    current version passed on. Into breach from any other state: the owner is notified and an AI
    incident drafted (A.8.4); staying in breach drafts nothing more."""
    locked = KPI.objects.select_for_update(of=("self",)).select_related("owner", "system").get(pk=kpi.pk)
    require(policy_of(locked), "measure", actor, locked)  # whoever may change it, while not archived
    measurement = Measurement(
        kpi=locked,
        value=clean_value(value),
        measured_at=clean_measured_at(measured_at),
        source=source,
        recorded_by=actor,
        note=(note or "").strip(),
    )
    measurement.full_clean(exclude=["kpi", "recorded_by"])
    measurement.save()
    newer = locked.measurements.filter(measured_at__gt=measurement.measured_at).exists()
    if newer:  # a late or back-filled value: kept in the series, the state stays with the newest
        return measurement
    before = locked.state
    after = locked.state_of(measurement.value)
    when = timezone.localtime(measurement.measured_at)
    record = records.update_record(
        locked,
        actor=actor,
        expected_version=locked.version,
        fields={"state": after, "last_value": measurement.value, "last_measured_at": measurement.measured_at},
        extra_changes=[
            {
                "field": "last_value",
                "label": "Last value",
                "old": with_unit(locked.last_value, locked.unit),
                "new": with_unit(measurement.value, locked.unit),
            }
        ],
        note=f"Measured {with_unit(measurement.value, locked.unit)} at {when:%Y-%m-%d %H:%M} "
        f"({measurement.get_source_display().lower()}).",
    )
    if after == State.BREACH and before != State.BREACH:
        _breached(record, measurement, actor=actor)
    return measurement


BREACHED = "kpi.breached"
webhooks.declare(BREACHED, "A KPI's measurement crossed its breach threshold")


def _breached(kpi, measurement, *, actor):
    value = with_unit(measurement.value, kpi.unit)
    threshold = with_unit(kpi.breach, kpi.unit)
    webhooks.emit_about(
        kpi, BREACHED, "breached", actor, value=str(measurement.value), breach=str(kpi.breach), unit=kpi.unit
    )
    serious = kpi.system is not None and kpi.system.criticality >= 4
    incident = draft_incident(
        actor=actor,
        system=kpi.system,
        title=f"{kpi.reference} in breach: {kpi.title}"[:200],
        description=f"{kpi.metric} measured {value} on "
        f"{timezone.localtime(measurement.measured_at):%Y-%m-%d %H:%M}, past the breach threshold of "
        f"{threshold} (target {with_unit(kpi.target, kpi.unit)}). Investigate the cause and the harm.",
        severity=Incident.Severity.HIGH if serious else Incident.Severity.MEDIUM,
        drafted_from=kpi.reference,
        owner=kpi.owner,  # the KPI's owner investigates, not the pipeline account that pushed the value
    )
    Notification.objects.get_or_create(
        user=kpi.owner,
        key=f"kpi-breach:{kpi.pk}:{measurement.pk}",
        defaults={
            "kind": Notification.Kind.REVIEW_DUE,  # no kind of its own: a breach asks the owner to act
            "message": f"{kpi.reference} {kpi.title} is in breach: {value} (breach threshold {threshold}). "
            f"{incident.reference} was drafted for you to investigate."[:500],
            "url": kpi.get_absolute_url(),
        },
    )

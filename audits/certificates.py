"""The AIMS certificate's services (ISO/IEC 17021-1 9.5 to 9.6): recorded as the certification body issued
it, and the body's later decisions -- suspension, reinstatement, withdrawal -- each with its reason in
history. What is due next (the surveillance audit, the recertification before expiry) is read here too,
for the reminders, the dashboard and the audit pages."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from aims.policies import policy_of, require
from aims.records import update_record
from aims.services import RecordServices

from .models import Certificate
from .models.certification import SURVEILLANCE_WARNING_DAYS

CERTIFICATE_FIELDS = [
    "title", "number", "certification_body", "scope_statement", "issued_on", "expires_on",
    "next_surveillance_on", "granted_by", "owner", "review_cadence", "next_review_on",
]  # fmt: skip

certificate_services = RecordServices(Certificate, CERTIFICATE_FIELDS)


def _move(transition: str, certificate, *, actor, expected_version: int, reason: str = ""):
    policy = policy_of(certificate)
    require(policy, transition, actor, certificate)
    refusal = policy.move_state(transition, certificate)
    if refusal:
        raise ValidationError(refusal)
    _, to, _ = policy.moves[transition]

    def apply(record, before):
        record.status, record.status_reason = to, (reason or "").strip()

    return update_record(
        certificate, actor=actor, expected_version=expected_version, fields={}, prepare=apply,
        note=(reason or "").strip() or f"Certificate {to}.",
    )  # fmt: skip


def _reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say what the certification body decided and why."})
    return reason


@transaction.atomic
def suspend_certificate(certificate, *, actor, expected_version: int, reason: str = ""):
    """The body suspends the certificate (ISO/IEC 17021-1 9.6.5): it stays on record, not in force."""
    return _move(
        "suspend", certificate, actor=actor, expected_version=expected_version, reason=_reason(reason)
    )


@transaction.atomic
def reinstate_certificate(certificate, *, actor, expected_version: int, reason: str = ""):
    """The body lifts the suspension once the issue is resolved."""
    return _move("reinstate", certificate, actor=actor, expected_version=expected_version, reason=reason)


@transaction.atomic
def withdraw_certificate(certificate, *, actor, expected_version: int, reason: str = ""):
    """The body withdraws the certificate: final."""
    return _move(
        "withdraw", certificate, actor=actor, expected_version=expected_version, reason=_reason(reason)
    )


def due(today: dt.date):
    """(expiring, surveillance due): live certificates in force whose expiry falls within
    EXPIRY_WARNING_DAYS, and those whose next surveillance audit falls within SURVEILLANCE_WARNING_DAYS
    (or has passed). Two querysets, for the reminders and the dashboard alike."""
    live = Certificate.objects.live()
    expiring = live.expiring(today)
    surveillance = live.in_state(Certificate.Status.VALID, today).filter(
        next_surveillance_on__isnull=False,
        next_surveillance_on__lte=today + dt.timedelta(days=SURVEILLANCE_WARNING_DAYS),
    )
    return expiring, surveillance

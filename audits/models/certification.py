"""The certificate a certification body grants the AIMS: after a stage 2 audit recommends it (ISO/IEC
17021-1 9.5), kept in force by surveillance audits (9.6.2) and renewed by a recertification audit before it
expires (9.6.3).

Suspension and withdrawal are the body's decisions, recorded here as they are made. Expiry is not
recorded by anyone: a valid or suspended certificate is expired from the day after its expiry date, so the
list, the page, the dashboard and the reminders read the same date and never disagree."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from aims.models import BaseRecord
from aims.models.records import RecordQuerySet

EXPIRY_WARNING_DAYS = 90  # the recertification audit is due before this: the owner is told, the board sees it
SURVEILLANCE_WARNING_DAYS = 60  # the next surveillance audit is prepared from this many days ahead


class CertificateQuerySet(RecordQuerySet):
    def in_state(self, state: str, today: dt.date | None = None):
        return self.filter(state_q(state, today or timezone.localdate()))

    def expiring(self, today: dt.date | None = None):
        """Valid, and expiring within EXPIRY_WARNING_DAYS: the recertification audit is due."""
        today = today or timezone.localdate()
        return self.in_state(Certificate.Status.VALID, today).filter(
            expires_on__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        )


class Certificate(BaseRecord):
    """One certificate of conformity of the AIMS to ISO/IEC 42001, as the certification body issued it."""

    reference_prefix = "CRT"
    history_extra = ("status", "status_reason")

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        SUSPENDED = "suspended", "Suspended"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"  # read from the expiry date, never stored

    number = models.CharField("certificate number", max_length=100)
    certification_body = models.CharField("certification body", max_length=200)
    scope_statement = models.TextField(
        "scope statement", help_text="The scope as the certificate states it: sites, activities, AI systems."
    )
    issued_on = models.DateField("issued on")
    expires_on = models.DateField("expires on")
    next_surveillance_on = models.DateField(
        "next surveillance audit", null=True, blank=True,
        help_text="When the certification body's next surveillance audit is due.",
    )  # fmt: skip
    granted_by = models.ForeignKey(
        "audits.Audit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates_granted",
        verbose_name="granted after audit",
        help_text="The stage 2 or recertification audit that recommended it.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VALID, editable=False)
    status_reason = models.TextField("reason for the status", blank=True, editable=False)

    objects = CertificateQuerySet.as_manager()

    class Meta(BaseRecord.Meta):
        ordering = ["-issued_on", "-id"]
        verbose_name = "certificate"
        verbose_name_plural = "certificates"
        constraints = [
            models.UniqueConstraint(
                fields=["certification_body", "number"], name="certificate_number_once_per_body"
            )
        ]

    def current_status(self, today: dt.date | None = None) -> str:
        today = today or timezone.localdate()
        lapses = self.status in (self.Status.VALID, self.Status.SUSPENDED)
        if lapses and self.expires_on and self.expires_on < today:
            return self.Status.EXPIRED
        return self.status

    def get_status_display(self) -> str:
        return self.Status(self.current_status()).label

    def clean(self):
        errors = {}
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            errors["expires_on"] = "The certificate must expire after it is issued."
        surveillance = self.next_surveillance_on
        if surveillance and self.issued_on and self.expires_on:
            if not self.issued_on < surveillance <= self.expires_on:
                errors["next_surveillance_on"] = "The next surveillance audit falls between issue and expiry."
        audit = self.granted_by
        if audit is not None and not (audit.is_certification and audit.stage in audit.GRANTING):
            errors["granted_by"] = "Choose the stage 2 or recertification audit of the certification body."
        elif audit is not None and audit.outcome != audit.Outcome.RECOMMENDED:
            errors["granted_by"] = (
                f"{audit.reference} did not recommend certification ({audit.get_outcome_display() or 'no outcome yet'})."
            )
        if errors:
            raise ValidationError(errors)


def state_q(state: str, today: dt.date) -> Q:
    """The certificates in `state` on `today` (the list's status filter, the dashboard and readiness)."""
    Status = Certificate.Status
    lapsing = Q(status__in=[Status.VALID, Status.SUSPENDED])
    if state == Status.EXPIRED:
        return lapsing & Q(expires_on__lt=today)
    if state in (Status.VALID, Status.SUSPENDED):
        return Q(status=state, expires_on__gte=today)
    return Q(status=state)

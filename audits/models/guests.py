"""An outside auditor's access to one audit or to chosen evidence packs (issue 15): invited by the AIMS
manager by email, for a set time, read-only unless the invitation allows downloading packs or raising
findings; every page and download the guest opens is kept (GuestVisit) for the manager to see."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

INVITATION_DAYS = 7  # an invitation link not used within this is void; the manager invites again


class GuestAccess(models.Model):
    email = models.EmailField(help_text="Where the invitation goes; the guest's account carries it.")
    name = models.CharField("guest's name", max_length=150)
    organisation = models.CharField(
        max_length=200, blank=True, help_text="The certification body or firm the guest audits for."
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="guest_accesses",
        help_text="The guest's account, once they have accepted the invitation.",
    )  # fmt: skip
    audit = models.ForeignKey(
        "audits.Audit", null=True, blank=True, on_delete=models.PROTECT, related_name="guest_accesses",
        help_text="The audit the guest may see: its record, checklist, findings and sampled evidence.",
    )  # fmt: skip
    packs = models.ManyToManyField(
        "audits.EvidencePack", blank=True, related_name="guest_accesses", verbose_name="evidence packs shared"
    )
    may_download_packs = models.BooleanField("may download the packs shared", default=True)
    may_raise_findings = models.BooleanField("may raise findings on the audit", default=False)
    until = models.DateField("access ends on", help_text="The last day the guest can sign in.")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    invitation_digest = models.CharField(max_length=64, unique=True, editable=False)
    invitation_expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-invited_at", "-id"]
        verbose_name = "outside auditor's access"
        verbose_name_plural = "outside auditors' access"

    def __str__(self):
        return f"{self.name} ({self.email}): {self.subject}"

    @property
    def subject(self) -> str:
        if self.audit_id:
            return f"{self.audit.reference} {self.audit.title}"
        return "evidence packs shared"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def new_invitation(self) -> str:
        """A fresh invitation link's token (only its digest is kept), good for INVITATION_DAYS."""
        token = secrets.token_urlsafe(32)
        self.invitation_digest = self.digest(token)
        self.invitation_expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
        return token

    @property
    def state(self) -> str:
        today = timezone.localdate()
        if self.revoked_at:
            return "revoked"
        if self.until < today:
            return "ended"
        if self.accepted_at is None:
            return "invited" if self.invitation_expires_at > timezone.now() else "invitation expired"
        return "active"

    @property
    def is_active(self) -> bool:
        return self.state == "active"


class GuestVisit(models.Model):
    """One page or download a guest opened, or was refused."""

    class Kind(models.TextChoices):
        PAGE = "page", "Page"
        DOWNLOAD = "download", "Download"
        REFUSED = "refused", "Refused"

    access = models.ForeignKey(GuestAccess, null=True, on_delete=models.CASCADE, related_name="visits")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    path = models.CharField(max_length=500)
    what = models.CharField(max_length=300, blank=True, help_text="The record or file, where there is one.")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "outside auditor's visit"
        verbose_name_plural = "outside auditors' visits"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.path}"

"""Notifications, background jobs and personal API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """An in-app message. `key` makes a reminder idempotent: the same sweep never notifies twice.

    The daily sweep emails the reminders it creates in one digest per person; a notification made when
    something happens (aims.notifications.notify) waits, `email_pending`, for the next digest."""

    class Kind(models.TextChoices):
        REVIEW_DUE = "review_due", "Review due"
        OVERDUE_ESCALATION = "escalation", "Overdue review escalated"
        ABOVE_APPETITE = "above_appetite", "Risk above appetite"
        JOB_DONE = "job_done", "Job finished"
        ACKNOWLEDGE = "acknowledge", "Policy to acknowledge"
        CONCERN_TRIAGED = "concern_triaged", "Your concern was triaged"
        TRAINING_EXPIRY = "training_expiry", "Training expiring"
        FINDING_RAISED = "finding_raised", "Audit finding to answer"
        RAISED_FROM = "raised_from", "Raised from your record"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        WEBHOOK_DISABLED = "webhook_off", "Webhook turned off"
        TOKEN_EXPIRING = "token_expiring", "API token expiring"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_pending = models.BooleanField(default=False, help_text="To be sent with the next email digest.")

    class Meta:
        verbose_name_plural = "notifications"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.message


class Job(models.Model):
    """Long work (reports, packs, imports) run by a Celery task; UI and API follow this row."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    kind = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life of the run (start, progress): the sweep fails a job silent for longer than
    # its kind allows (aims.jobs.sweep_stale_jobs).
    progressed_at = models.DateTimeField(null=True, blank=True)
    # Runs started: a worker that dies mid-job leaves its message to be delivered again, and that second
    # start counts; beyond aims.jobs.MAX_ATTEMPTS the job fails instead of looping.
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries",
        help_text="The failed or cancelled job this one runs again.",
    )  # fmt: skip
    finished_at = models.DateTimeField(null=True, blank=True)
    # Path relative to PRIVATE_MEDIA_ROOT; served only through the job download view.
    result_path = models.CharField(max_length=300, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "jobs"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class ApiToken(models.Model):
    """A personal token for integrations. Only a hash is stored; the secret is shown once.

    A token does only its job: it reads, or reads and writes; it may be limited to some registers (by
    model label, "registers.risk"; none named means every register its person may reach); and it expires
    (DAYS_DEFAULT after it is made unless its maker picks a date, never more than DAYS_MAX days).
    What it may not do is refused by aims.api.auth with the reason."""

    PREFIX = "aims_"
    DAYS_DEFAULT = 90
    DAYS_MAX = 365

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    lookup = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    writes = models.BooleanField(
        default=False, help_text="Whether the token may create, change and archive records, not only read."
    )
    registers = models.JSONField(
        default=list, blank=True, help_text="Model labels of the registers it is limited to; empty: all."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "API tokens"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.PREFIX}{self.lookup}…)"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(
        cls, *, user, name: str, writes: bool = True, registers=(), expires_at=None
    ) -> tuple["ApiToken", str]:
        """A new token and its secret (the only time the secret exists in the clear). The form asks for
        read-only by default; code that issues a token says what it needs."""
        lookup = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            lookup=lookup,
            digest=cls.hash(secret),
            writes=writes,
            registers=sorted(registers),
            expires_at=expires_at or timezone.now() + timedelta(days=cls.DAYS_DEFAULT),
        )
        return token, f"{cls.PREFIX}{lookup}.{secret}"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expired else "active"

    def reaches(self, model) -> bool:
        """Whether the token's register limit lets it reach `model`'s records."""
        return not self.registers or model._meta.label_lower in self.registers

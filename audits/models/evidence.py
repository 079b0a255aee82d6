"""The evidence library: files and links that show a requirement is met, each mapped to the clauses and
controls it serves (BaseRecord.requirements) and linked to any record it concerns (EvidenceLink).

One piece of evidence serves many requirements and many records; auditors sample it, evidence packs
carry it. Evidence past its valid-until date stops counting as current (`current()`), which readiness
and packs respect."""

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from aims.files import private_storage, upload_path
from aims.models import BaseRecord
from aims.models.records import RecordQuerySet

EXPIRING_WITHIN_DAYS = 30  # evidence that lapses within this many days is flagged and reminded


class EvidenceQuerySet(RecordQuerySet):
    def current(self, on: dt.date | None = None):
        """Live evidence that has not expired on `on` (today by default)."""
        on = on or timezone.localdate()
        return self.live().filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))


class Evidence(BaseRecord):
    reference_prefix = "EVD"
    history_extra = ("file_name", "file_sha256", "file_size")

    class Kind(models.TextChoices):
        FILE = "file", "File"
        LINK = "link", "Link"

    class Nature(models.TextChoices):
        """ISO/IEC 42001 7.5: a document is maintained and kept current; a record is retained as it was."""

        DOCUMENT = "document", "Document (maintained)"
        RECORD = "record", "Record (retained)"

    class Confidentiality(models.TextChoices):
        PUBLIC = "public", "Public"
        INTERNAL = "internal", "Internal"
        CONFIDENTIAL = "confidential", "Confidential"

    class Origin(models.TextChoices):
        INTERNAL = "internal", "Internal"
        EXTERNAL = "external", "External origin (7.5.3)"

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.FILE)
    nature = models.CharField("type", max_length=10, choices=Nature.choices, default=Nature.RECORD)
    description = models.TextField(blank=True)
    file = models.FileField(storage=private_storage, upload_to=upload_path, blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    url = models.URLField("link", max_length=500, blank=True)
    valid_until = models.DateField(
        "valid until",
        null=True,
        blank=True,
        help_text="After this date the evidence no longer counts as current.",
    )
    confidentiality = models.CharField(
        max_length=12, choices=Confidentiality.choices, default=Confidentiality.INTERNAL
    )
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.INTERNAL)

    objects = EvidenceQuerySet.as_manager()

    class Meta(BaseRecord.Meta):
        ordering = ["-updated_at", "-id"]
        verbose_name = "evidence"
        verbose_name_plural = "evidence"
        indexes = [*BaseRecord.Meta.indexes, models.Index(fields=["valid_until"])]

    def clean(self):
        if self.kind == self.Kind.LINK and not self.url:
            raise ValidationError({"url": "A link needs its address."})
        if self.kind == self.Kind.LINK and self.file:
            raise ValidationError({"file": "A link has no file; clear the file or choose kind 'File'."})
        if self.kind == self.Kind.FILE and self.url:
            raise ValidationError({"url": "A file has no link; choose kind 'Link' or clear the address."})
        if self.kind == self.Kind.FILE and not self.file:
            raise ValidationError({"file": "Upload the file, or choose kind 'Link' and give its address."})

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.archived_at is None and (self.valid_until is None or self.valid_until >= on)

    def get_status_display(self) -> str:
        """The record header's status: whether the evidence still counts (archive has its own badge)."""
        return "Expired" if self.is_expired() else "Expiring" if self.is_expiring() else "Current"

    def is_expired(self, on: dt.date | None = None) -> bool:
        return self.valid_until is not None and self.valid_until < (on or timezone.localdate())

    def is_expiring(self, on: dt.date | None = None, within_days: int = EXPIRING_WITHIN_DAYS) -> bool:
        """Still valid, but not for more than `within_days`: time to renew it."""
        on = on or timezone.localdate()
        return self.valid_until is not None and on <= self.valid_until <= on + dt.timedelta(days=within_days)


class EvidenceFile(models.Model):
    """Every file ever uploaded to a piece of evidence, oldest first: its version history. The newest is
    also on Evidence.file; an evidence pack "as of" a date takes the file that was current then."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="files")
    number = models.PositiveIntegerField()
    file = models.FileField(storage=private_storage, upload_to=upload_path, max_length=200)
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "evidence files"
        ordering = ["evidence", "number"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "number"], name="evidence_file_number_unique")
        ]

    def __str__(self):
        return f"{self.evidence.reference} file {self.number}: {self.file_name}"


class EvidenceLink(models.Model):
    """Evidence attached to a record of any register (a risk, an AI system, an audit finding ...)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    linked_at = models.DateTimeField(auto_now_add=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "evidence links"
        ordering = ["evidence", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "content_type", "object_id"], name="evidence_link_unique"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.evidence.reference} -> {self.content_type.model} {self.object_id}"

"""Evidence packs (9.2 internal audit, 7.5 documented information): who exported what, when, as of which
date, and the SHA-256 of the ZIP that was handed over. The work runs as a background job (aims.jobs);
its Job row carries status, progress, the stored file and any error, and the pack reads them from there
so the two can never disagree."""

from django.conf import settings
from django.db import models

from aims.models import Job, RecordQuerySet


class EvidencePackQuerySet(RecordQuerySet):
    pass


class EvidencePack(models.Model):
    title = models.CharField(max_length=200)
    # {"whole": bool, "standard": key, "requirements": [keys], "systems": [references]}
    scope = models.JSONField(default=dict)
    as_of = models.DateTimeField(help_text="Records as they were at this moment.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="evidence_pack")
    file_count = models.PositiveIntegerField(null=True, blank=True)
    record_count = models.PositiveIntegerField(null=True, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    signing_key = models.CharField(
        "signing key", max_length=64, blank=True, help_text="SHA-256 fingerprint of the key that signed it."
    )

    objects = EvidencePackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "evidence pack"
        verbose_name_plural = "evidence packs"

    def __str__(self):
        return self.title

    # What the job knows, read through so that pack and job never disagree.
    @property
    def status(self) -> str:
        return self.job.status

    def get_status_display(self) -> str:
        return self.job.get_status_display()

    @property
    def progress(self) -> int:
        return self.job.progress

    @property
    def error(self) -> str:
        return self.job.error

    @property
    def finished_at(self):
        return self.job.finished_at

    @property
    def size(self):
        return self.job.result_size

    @property
    def sha256(self) -> str:
        return self.job.sha256

    @property
    def file_name(self) -> str:
        return self.job.result_name

    @property
    def is_finished(self) -> bool:
        return self.job.is_finished


class PackSigningKey(models.Model):
    """A public key that has signed evidence packs (audits.pack.signing). Recorded the first time its private
    key signs or is published, and never deleted: after a rotation the retired key stays listed at the
    public URL, so every pack it signed can still be checked."""

    fingerprint = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the raw public key, hex."
    )
    algorithm = models.CharField(max_length=20, default="Ed25519")
    public_key = models.TextField(help_text="PEM (SubjectPublicKeyInfo).")
    first_used_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True, help_text="When another key took over.")

    class Meta:
        # The current key (not retired) first, then the retired ones, the latest retired first.
        ordering = [models.F("retired_at").desc(nulls_first=True), "-first_used_at"]
        verbose_name = "evidence pack signing key"
        verbose_name_plural = "evidence pack signing keys"

    def __str__(self):
        return f"{self.algorithm} {self.fingerprint}"

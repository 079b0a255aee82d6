"""Clause 7: resources (7.1), competence and training (7.2), communication (7.4), documented
information (7.5)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from aims.files import private_storage, upload_path
from aims.models import BaseRecord
from aims.models.records import live_index

from .choices import AimsProcess
from .leadership import AimsRole


class Resource(BaseRecord):
    """People, budget or tooling an AIMS process has, or lacks (7.1, A.4)."""

    reference_prefix = "RES"
    serves = ("7.1",)  # a resource of the AIMS

    class Kind(models.TextChoices):
        PEOPLE = "people", "People"
        BUDGET = "budget", "Budget"
        TOOLING = "tooling", "Tooling"
        COMPUTE = "compute", "Computing infrastructure"
        DATA = "data", "Data"

    process = models.CharField("AIMS process", max_length=16, choices=AimsProcess.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.TextField("what is provided", blank=True)
    quantity = models.CharField(
        "amount", max_length=100, blank=True, help_text="e.g. '2 FTE', 'EUR 40k a year'."
    )
    gap = models.TextField("gap", blank=True, help_text="What is missing; empty when the process is covered.")
    gap_closed_on = models.DateField("gap closed on", null=True, blank=True)

    class Meta(BaseRecord.Meta):
        ordering = ["process", "kind", "reference"]
        verbose_name = "resource"
        verbose_name_plural = "resources"

    @property
    def has_open_gap(self) -> bool:
        return bool((self.gap or "").strip()) and self.gap_closed_on is None


class Course(BaseRecord):
    """A course or training that meets competence requirements; its certificates last `valid_months`."""

    reference_prefix = "CRS"
    serves = ("7.2",)  # how competence is built

    provider = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    duration = models.CharField(max_length=60, blank=True, help_text="e.g. '2 days', '90 minutes online'.")
    valid_months = models.PositiveSmallIntegerField(
        "valid for (months)", null=True, blank=True, help_text="Empty when it does not expire."
    )

    class Meta(BaseRecord.Meta):
        ordering = ["title"]
        verbose_name = "course"
        verbose_name_plural = "courses"


class CompetenceRequirement(BaseRecord):
    """What a person in an AIMS role must know or be able to do, and the courses that meet it (7.2)."""

    reference_prefix = "CMP"
    serves = ("7.2",)  # the competence a role needs

    role = models.ForeignKey(AimsRole, on_delete=models.PROTECT, related_name="competence_requirements")
    description = models.TextField(blank=True)
    courses = models.ManyToManyField(
        Course, blank=True, related_name="competence_requirements", verbose_name="courses that meet it"
    )

    class Meta(BaseRecord.Meta):
        ordering = ["role__title", "title"]
        verbose_name = "competence requirement"
        verbose_name_plural = "competence requirements"
        # The base record's index name would pass PostgreSQL's 30-character limit for Django's checks.
        indexes = [live_index("registers_competencereq_live")]


class TrainingRecord(BaseRecord):
    """A person's completed course, or evidence of a competence gained otherwise (education, experience, an
    assessment), with the evidence and an expiry (7.2 d); the expiry reminds person and owner."""

    reference_prefix = "TRN"
    serves = ("7.2",)  # evidence of competence
    history_extra = ("evidence_name", "evidence_sha256")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training")
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.PROTECT, related_name="training"
    )
    competence = models.ForeignKey(
        CompetenceRequirement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_records",
        verbose_name="competence it evidences",
        help_text="When no course applies: the competence requirement this record shows directly, by "
        "education, experience or an assessment. Attach the evidence.",
    )
    completed_on = models.DateField("completed")
    expires_on = models.DateField("expires", null=True, blank=True, help_text="Empty: taken from the course.")
    evidence = models.FileField(storage=private_storage, upload_to=upload_path, blank=True, max_length=200)
    evidence_name = models.CharField(max_length=200, blank=True, editable=False)
    evidence_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    notes = models.TextField(blank=True)

    class Meta(BaseRecord.Meta):
        ordering = ["-completed_on"]
        verbose_name = "training record"
        verbose_name_plural = "training records"
        indexes = [
            *BaseRecord.Meta.indexes,
            models.Index(fields=["person", "course"]),
            models.Index(fields=["expires_on"]),
        ]

    def clean(self):
        errors = {}
        if self.expires_on and self.completed_on and self.expires_on <= self.completed_on:
            errors["expires_on"] = "Expiry must come after the completion date."
        if not self.course_id and not self.competence_id:
            errors["course"] = "Name the course completed, or the competence the evidence shows."
        if errors:
            raise ValidationError(errors)


class Communication(BaseRecord):
    """A line of the communication plan (7.4): what, to whom, how, how often. The base record's review
    cadence and next review date are its frequency and next due date, so the daily sweep reminds."""

    reference_prefix = "COM"
    serves = ("7.4",)  # a planned communication

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        INTRANET = "intranet", "Intranet"
        MEETING = "meeting", "Meeting or briefing"
        TRAINING = "training", "Training session"
        REPORT = "report", "Report"
        WEBSITE = "website", "Public website"
        OTHER = "other", "Other"

    audience = models.CharField(max_length=300)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    message = models.TextField("what is communicated")
    internal = models.BooleanField("internal", default=True, help_text="Untick for external communication.")

    class Meta(BaseRecord.Meta):
        ordering = ["next_review_on", "reference"]
        verbose_name = "communication"
        verbose_name_plural = "communications"


class CommunicationLog(models.Model):
    """What was actually communicated, when, by whom: the record 7.4 implies."""

    communication = models.ForeignKey(Communication, on_delete=models.CASCADE, related_name="log")
    sent_on = models.DateField("communicated on")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "communication logs"
        ordering = ["-sent_on", "-id"]

    def __str__(self):
        return f"{self.communication.reference} on {self.sent_on}"


class Document(BaseRecord):
    """An entry of the document register (7.5): controlled documents and records, ours or external."""

    reference_prefix = "DOC"
    serves = ("7.5.2", "7.5.3")  # documented information, created, updated and controlled
    history_extra = ("file_name", "file_sha256")

    class Kind(models.TextChoices):
        POLICY = "policy", "Policy"
        PROCEDURE = "procedure", "Procedure"
        SOP = "sop", "Standard operating procedure"
        RECORD = "record", "Record"
        TEMPLATE = "template", "Template or form"
        EXTERNAL = "external", "Document of external origin"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        OBSOLETE = "obsolete", "Obsolete"

    class Classification(models.TextChoices):
        PUBLIC = "public", "Public"
        INTERNAL = "internal", "Internal"
        CONFIDENTIAL = "confidential", "Confidential"
        RESTRICTED = "restricted", "Restricted"

    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    external_origin = models.BooleanField(
        "of external origin", default=False, help_text="A standard, regulation or supplier document (7.5.3)."
    )
    document_version = models.CharField("version", max_length=20, default="1.0")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_on = models.DateField(null=True, blank=True)
    retention = models.CharField(
        "retention", max_length=100, blank=True, help_text="e.g. '7 years after exit'."
    )
    classification = models.CharField(
        max_length=12, choices=Classification.choices, default=Classification.INTERNAL
    )
    location = models.CharField("where it is kept", max_length=300, blank=True, help_text="A system or URL.")
    content = models.TextField(blank=True, help_text="The text, when it lives here rather than in a file.")
    file = models.FileField(storage=private_storage, upload_to=upload_path, blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta(BaseRecord.Meta):
        ordering = ["reference"]
        verbose_name = "document"
        verbose_name_plural = "documents"

    def clean(self):
        errors = {}
        if self.status == self.Status.APPROVED and not self.approver_id:
            errors["approver"] = "An approved document names its approver."
        if self.approver_id and self.approver_id == self.owner_id:
            errors["approver"] = "Four eyes: the approver must not be the document's owner."
        if self.kind == self.Kind.EXTERNAL:
            self.external_origin = True
        if errors:
            raise ValidationError(errors)

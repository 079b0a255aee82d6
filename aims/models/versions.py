"""Documents that the board approves and the organisation publishes (scope statement, policies, the
SoA later): a lifecycle on the record and a frozen copy of every approved version, kept for good."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Lifecycle(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved by the board"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class Publishable(models.Model):
    """Mixed into a BaseRecord. Its content is edited only as a draft; approval freezes it as a
    numbered RecordVersion. `versioned_fields` names what the frozen copy holds (default: everything
    history tracks)."""

    versioned_fields: tuple[str, ...] = ()

    status = models.CharField(
        max_length=12, choices=Lifecycle.choices, default=Lifecycle.DRAFT, editable=False
    )
    version_number = models.PositiveIntegerField(
        "approved version", default=0, editable=False, help_text="0 until the board first approves it."
    )
    published_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_editable(self) -> bool:
        return self.status == Lifecycle.DRAFT

    # Who approves: aims.policies.PublishablePolicy.


class RecordVersion(models.Model):
    """A publishable record as the board approved it: who approved, when, and when it went out."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    # [{"field": "boundaries", "label": "Boundaries", "value": "..."}, ...] in the form's order
    content = models.JSONField(default=list)
    change_summary = models.CharField("what changed and why", max_length=500, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "record versions"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"], name="one_number_per_version"
            )
        ]

    def __str__(self):
        return f"{self.title} v{self.number}"

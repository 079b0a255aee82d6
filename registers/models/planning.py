"""Clause 6 besides risks: opportunities (6.1.1), AI objectives (6.2) and planned changes (6.3)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from aims.models import BaseRecord


class Opportunity(BaseRecord):
    """A chance to improve the AIMS or its results, acted on like a risk (6.1.1)."""

    reference_prefix = "OPP"
    serves = ("6.1.1",)  # an action on an opportunity

    class Status(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        EVALUATING = "evaluating", "Being evaluated"
        PURSUING = "pursuing", "Being pursued"
        REALISED = "realised", "Realised"
        DECLINED = "declined", "Declined"

    description = models.TextField(blank=True)
    expected_benefit = models.TextField(blank=True)
    objectives = models.ManyToManyField(
        "registers.Objective",
        blank=True,
        related_name="opportunities",
        verbose_name="AI objectives it serves",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IDENTIFIED)

    class Meta(BaseRecord.Meta):
        ordering = ["reference"]
        verbose_name = "opportunity"
        verbose_name_plural = "opportunities"


class Objective(BaseRecord):
    """An AI objective with SMART fields and progress (6.2)."""

    reference_prefix = "OBJ"
    serves = ("6.2",)  # an AI objective and its plan

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        ACHIEVED = "achieved", "Achieved"
        MISSED = "missed", "Missed"

    description = models.TextField("what will be done", blank=True)
    measure = models.CharField("how it is measured", max_length=300)
    target = models.CharField(
        max_length=200, help_text="The value that counts as achieved, e.g. 'approval-rate ratio ≥ 0.8'."
    )
    resources = models.TextField("resources needed", blank=True)
    due_on = models.DateField("due")
    evaluation = models.TextField("how results are evaluated", blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        "progress (%)", default=0, validators=[MaxValueValidator(100)]
    )

    class Meta(BaseRecord.Meta):
        ordering = ["due_on", "reference"]
        verbose_name = "AI objective"
        verbose_name_plural = "AI objectives"

    def clean(self):
        if self.status == self.Status.ACHIEVED and self.progress != 100:
            raise ValidationError({"progress": "An achieved objective is at 100%."})


class PlannedChange(BaseRecord):
    """A change to the AIMS, planned and approved before it is made (6.3)."""

    reference_prefix = "CHG"
    serves = ("6.3",)  # a planned change to the AIMS
    history_extra = ("approved_by", "approved_on")

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        IMPLEMENTED = "implemented", "Implemented"
        REJECTED = "rejected", "Rejected"

    purpose = models.TextField()
    consequences = models.TextField("possible consequences", blank=True)
    resources = models.TextField("resources needed", blank=True)
    responsibilities = models.TextField("who does what", blank=True)
    planned_for = models.DateField("planned for", null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    approved_on = models.DateField(null=True, blank=True, editable=False)

    class Meta(BaseRecord.Meta):
        ordering = ["-created_at"]
        verbose_name = "planned change"
        verbose_name_plural = "planned changes"

    def clean(self):
        if self.status in (self.Status.APPROVED, self.Status.IMPLEMENTED) and not self.approved_by_id:
            raise ValidationError(
                {"status": "A change is approved only through the Approve action, by the board."}
            )

"""Management review (ISO/IEC 42001 9.3): the review itself, the inputs frozen for it (9.3.2) and the
actions its outputs become (9.3.3)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from aims.models import BaseRecord

MAX_CADENCE_MONTHS = 12  # 9.3.1: at planned intervals; this product holds the line at once a year


class ManagementReview(BaseRecord):
    """Top management reviews the AIMS: inputs compiled from the registers and frozen before the meeting,
    minutes and outputs recorded after it, and a governance board member who did not chair it signs off."""

    reference_prefix = "MR"
    serves = ("9.3.1", "9.3.2", "9.3.3")  # the review's inputs and results
    history_extra = ("status", "held_on", "signed_off_by", "signed_off_at")

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        INPUTS_FROZEN = "inputs_frozen", "Inputs frozen"
        HELD = "held", "Held"
        SIGNED_OFF = "signed_off", "Signed off"

    scheduled_on = models.DateField("scheduled for")
    period_from = models.DateField("period covered from")
    period_to = models.DateField("period covered to")
    cadence_months = models.PositiveSmallIntegerField(
        "held every (months)",
        default=MAX_CADENCE_MONTHS,
        help_text="How often management reviews are held; at least once a year.",
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="management_reviews_chaired"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="management_reviews_invited",
        verbose_name="invited",
    )
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PLANNED, editable=False)
    held_on = models.DateField("held on", null=True, blank=True, editable=False)
    minutes = models.TextField(blank=True, help_text="What was discussed and concluded.")
    attendees_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="management_reviews_attended",
        verbose_name="present",
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    signed_off_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(BaseRecord.Meta):
        ordering = ["-scheduled_on", "-reference"]
        verbose_name = "management review"
        verbose_name_plural = "management reviews"

    def clean(self):
        errors = {}
        if self.cadence_months is not None and not 1 <= self.cadence_months <= MAX_CADENCE_MONTHS:
            errors["cadence_months"] = (
                f"A management review is held at least once a year: choose between 1 and {MAX_CADENCE_MONTHS} "
                f"months, not {self.cadence_months}."
            )
        if self.period_from and self.period_to and self.period_to < self.period_from:
            errors["period_to"] = "The period covered must end on or after the day it starts."
        if errors:
            raise ValidationError(errors)

    @property
    def is_editable(self) -> bool:
        """Signed off means read-only: only its actions move on."""
        return self.status != self.Status.SIGNED_OFF

    @property
    def current_inputs(self):
        return self.freezes.order_by("-number").first()


class ReviewInputs(models.Model):
    """The 9.3.2 inputs as compiled at one moment: kept for good, each re-freeze a new number."""

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="freezes")
    number = models.PositiveIntegerField()
    frozen_at = models.DateTimeField()
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    since = models.DateField()
    until = models.DateField()
    # [{"key", "title", "available", "summary", "figures": [[label, value]], "items": [{reference, title,
    #   url, detail}]}, ...] in the order of the input sources (a list: jsonb would reorder a mapping)
    sections = models.JSONField(default=list)

    class Meta:
        verbose_name_plural = "review inputs"
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="one_number_per_freeze")]

    def __str__(self):
        return f"{self.review.reference} inputs #{self.number}"


class ReviewAction(BaseRecord):
    """An output of a management review (9.3.3), tracked to done by its owner."""

    reference_prefix = "MRA"
    serves = ("9.3.3",)  # an output of the review

    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", "Continual improvement opportunity"
        CHANGE = "change", "Change needed to the AIMS"
        RESOURCES = "resources", "Resource need"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    CLOSED = (Status.DONE, Status.CANCELLED)

    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField("kind of output", max_length=12, choices=Kind.choices)
    description = models.TextField("decision and what will be done", blank=True)
    due_on = models.DateField("due")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField("completed on", null=True, blank=True)

    class Meta(BaseRecord.Meta):
        ordering = ["due_on", "reference"]
        verbose_name = "management review action"
        verbose_name_plural = "management review actions"

    def clean(self):
        errors = {}
        if self.pk is None and self.review_id:
            status = (
                ManagementReview.objects.filter(pk=self.review_id).values_list("status", flat=True).first()
            )
            if status == ManagementReview.Status.SIGNED_OFF:
                errors["review"] = (
                    "The review is signed off with the outputs it had: record a new decision at the next review."
                )
            elif status != ManagementReview.Status.HELD:
                errors["review"] = (
                    "Outputs are recorded once the review's meeting is held: record the meeting first."
                )
        if self.completed_on and self.status != self.Status.DONE:
            errors["completed_on"] = "Only a done action has a completion date."
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today) -> bool:
        return self.status not in self.CLOSED and self.due_on < today

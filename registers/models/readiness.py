"""The readiness (maturity) assessment that starts an implementation, and the plan it leads to."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from aims.models import BaseRecord
from aims.models.records import Requirement, live_index


class Maturity(models.IntegerChoices):
    NONE = 0, "0 – Not in place"
    INITIAL = 1, "1 – Initial: ad hoc, depends on individuals"
    REPEATABLE = 2, "2 – Repeatable: done, not yet documented"
    DEFINED = 3, "3 – Defined: documented and followed"
    MEASURED = 4, "4 – Measured: monitored with evidence"
    OPTIMISED = 5, "5 – Optimised: improved from results"


class ReadinessAssessment(BaseRecord):
    """One run of the questionnaire: a maturity 0-5 per clause requirement (4-10) and Annex A group.
    Repeated over time, two runs show progress."""

    reference_prefix = "RDY"

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    assessed_on = models.DateField("assessment date")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    target_maturity = models.PositiveSmallIntegerField(
        "target maturity",
        default=Maturity.DEFINED,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="Answers below it are gaps; 3 (defined and followed) is what certification expects.",
    )
    notes = models.TextField(blank=True)

    class Meta(BaseRecord.Meta):
        ordering = ["-assessed_on", "-id"]
        verbose_name = "readiness assessment"
        verbose_name_plural = "readiness assessments"
        indexes = [live_index("registers_readiness_live")]

    def clean(self):
        if self.status == self.Status.COMPLETE and self.pk:
            missing = self.answers.filter(maturity__isnull=True).count()
            if missing:
                raise ValidationError(
                    {"status": f"{missing} questions are unanswered; answer them to complete it."}
                )


class ReadinessAnswer(models.Model):
    """The maturity of one clause requirement or Annex A group, with the evidence behind the rating.
    Edited through the assessment's questionnaire; each save is history of the assessment."""

    assessment = models.ForeignKey(ReadinessAssessment, on_delete=models.CASCADE, related_name="answers")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    maturity = models.PositiveSmallIntegerField(choices=Maturity.choices, null=True, blank=True)
    evidence_note = models.TextField("evidence", blank=True)

    class Meta:
        verbose_name_plural = "readiness answers"
        ordering = ["requirement__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "requirement"], name="one_answer_per_requirement")
        ]

    def __str__(self):
        return f"{self.assessment.reference} {self.requirement.code}: {self.maturity}"


class ImplementationAction(BaseRecord):
    """A step of the implementation plan, usually raised from a readiness gap."""

    reference_prefix = "ACT"

    class Phase(models.TextChoices):
        PILOT = "pilot", "1 – Pilot systems first"
        ROLLOUT = "rollout", "2 – Roll out to the rest"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    assessment = models.ForeignKey(
        ReadinessAssessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="gap in"
    )
    description = models.TextField("what will be done")
    due_on = models.DateField("due")
    phase = models.CharField(max_length=8, choices=Phase.choices, default=Phase.PILOT)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)

    class Meta(BaseRecord.Meta):
        ordering = ["phase", "due_on", "reference"]
        verbose_name = "implementation action"
        verbose_name_plural = "implementation actions"
        indexes = [live_index("registers_implaction_live")]

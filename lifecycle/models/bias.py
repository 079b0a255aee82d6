"""Bias and fairness assessment: the checklist per system, plus measured fairness from a CSV of
predictions (per-group rates, demographic parity, equalized odds with fairlearn)."""

from decimal import Decimal

from django.db import models

from aims.files import private_storage, upload_path
from aims.models import BaseRecord


class BiasAssessment(BaseRecord):
    reference_prefix = "BIA"
    history_extra = ("passed", "file_sha256", "risk")

    system = models.ForeignKey(
        "lifecycle.AISystem", on_delete=models.PROTECT, related_name="bias_assessments"
    )

    class Favourable(models.IntegerChoices):
        ONE = 1, "predicted 1 (approved, shortlisted, offered)"
        ZERO = 0, "predicted 0 (not flagged, not rejected)"

    checklist = models.JSONField(default=dict, blank=True, help_text="Checklist item key -> answer and note.")
    ratio_threshold = models.DecimalField(
        "fails below this demographic parity ratio", max_digits=4, decimal_places=2, default=Decimal("0.80")
    )
    difference_threshold = models.DecimalField(
        "fails above this equalized odds difference", max_digits=4, decimal_places=2, default=Decimal("0.20")
    )
    favourable_outcome = models.PositiveSmallIntegerField(
        "favourable outcome",
        choices=Favourable.choices,
        default=Favourable.ONE,
        help_text="The predicted value people want: selection rates and the four-fifths ratio count it. For a "
        "fraud flag or a rejection it is 0.",
    )
    file = models.FileField(storage=private_storage, upload_to=upload_path, blank=True, max_length=200)
    file_name = models.CharField(max_length=200, blank=True, editable=False)
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    results = models.JSONField(default=dict, blank=True, editable=False)
    passed = models.BooleanField(null=True, editable=False)
    risk = models.ForeignKey("registers.Risk", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             editable=False)  # fmt: skip

    class Meta(BaseRecord.Meta):
        ordering = ["-created_at"]
        verbose_name = "bias assessment"
        verbose_name_plural = "bias assessments"

    def shown(self) -> dict:
        """The results as every page and report shows them: rounded, never so far as to contradict the
        verdict (lifecycle.fairness.display)."""
        from lifecycle.fairness import display

        return display(self.results or {}, self.ratio_threshold, self.difference_threshold)

    def get_status_display(self) -> str:
        """What the record header shows as the status: the measured result."""
        return {True: "Passed", False: "Failed"}.get(self.passed, "Not measured yet")

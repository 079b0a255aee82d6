"""The approval of the AI risk treatment plan by designated management (ISO/IEC 42001 6.1.3)."""

from django.conf import settings
from django.db import models


class TreatmentPlanApproval(models.Model):
    """The AI risk treatment plan as approved on a date, by someone whose role may approve it.

    `covered` keeps what the approver saw: each assessed risk with its treatment option, plan and due
    date. A later change to one of those, or a risk assessed since, makes the approval out of date
    (registers.treatment_plan compares them); an approval is never edited, the next one is a new row."""

    approved_on = models.DateField("approved on")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="approved by"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField("note", blank=True, help_text="e.g. the meeting or decision that approved it.")
    # [{"id", "reference", "title", "treatment", "plan", "due"}], in reference order
    covered = models.JSONField("risks and treatments covered", default=list)
    # History rows (aims.records.record_change) carry a version; an approval is written once.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-approved_on", "-recorded_at", "-pk"]
        verbose_name = "approval of the AI risk treatment plan"
        verbose_name_plural = "approvals of the AI risk treatment plan"

    def __str__(self):
        return f"AI risk treatment plan approved on {self.approved_on:%Y-%m-%d} by {self.approved_by}"

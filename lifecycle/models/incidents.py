"""AI incidents (A.8.4, A.3.3): what happened, the harm, who is affected, and for a serious incident
the EU AI Act reporting deadline (Art. 73(2)-(4)), the initial report and the complete report (Art. 73(5))."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from aims.models import BaseRecord


class Incident(BaseRecord):
    reference_prefix = "INC"
    history_extra = ("drafted_from",)

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        INVESTIGATING = "investigating", "Being investigated"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    class SeriousKind(models.TextChoices):
        """Art. 73's deadlines, counted from when the organisation became aware."""

        GENERAL = "general", "Serious incident: report within 15 days"
        WIDESPREAD = "widespread", "Widespread infringement or critical infrastructure: within 2 days"
        DEATH = "death", "A person's death: within 10 days"

    DEADLINE_DAYS = {"general": 15, "widespread": 2, "death": 10}

    system = models.ForeignKey(
        "lifecycle.AISystem", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    occurred_at = models.DateTimeField("when it happened", null=True, blank=True)
    detected_on = models.DateField("when we became aware")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    description = models.TextField("what happened")
    harm = models.TextField("harm done", blank=True)
    people_affected = models.PositiveIntegerField("people affected", default=0)
    containment = models.TextField("immediate containment", blank=True)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    serious = models.BooleanField("serious incident under the EU AI Act", default=False)
    serious_kind = models.CharField(
        "kind of serious incident", max_length=12, choices=SeriousKind.choices, blank=True
    )
    # Art. 73(5): an initial report, possibly incomplete, within the deadline; then the complete report.
    reported_on = models.DateField("initial report to the authority on", null=True, blank=True)
    complete_report_on = models.DateField("complete report to the authority on", null=True, blank=True)
    drafted_from = models.CharField(
        max_length=100, blank=True, editable=False, help_text="A KPI breach or a concern that opened it."
    )

    class Meta(BaseRecord.Meta):
        ordering = ["-detected_on", "-id"]
        verbose_name = "AI incident"
        verbose_name_plural = "AI incidents"

    def clean(self):
        if self.serious and not self.serious_kind:
            raise ValidationError({"serious_kind": "Say which kind: it sets the reporting deadline."})
        if self.reported_on and not self.serious:
            raise ValidationError({"reported_on": "Only serious incidents are reported to the authority."})
        if self.complete_report_on and not self.reported_on:
            raise ValidationError(
                {
                    "complete_report_on": "Art. 73(5): the complete report follows an initial report; give its date first."
                }
            )
        if self.complete_report_on and self.complete_report_on < self.reported_on:
            raise ValidationError(
                {"complete_report_on": "The complete report cannot come before the initial report."}
            )

    @property
    def reporting_deadline(self) -> dt.date | None:
        if not self.serious or not self.serious_kind or not self.detected_on:
            return None
        return self.detected_on + dt.timedelta(days=self.DEADLINE_DAYS[self.serious_kind])


class IncidentLog(models.Model):
    """What was communicated about an incident, to whom, when (A.8.4)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    audience = models.CharField("to whom", max_length=200)
    message = models.TextField()

    class Meta:
        verbose_name_plural = "incident logs"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.incident.reference} to {self.audience}"

"""Monitoring (9.1, A.6.2.6): KPIs with targets and thresholds, and their measurements."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from aims.models import BaseRecord


class KPI(BaseRecord):
    reference_prefix = "KPI"
    serves = ("9.1",)  # what is monitored and measured
    history_extra = ("state",)

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class State(models.TextChoices):
        NO_DATA = "no_data", "No measurement yet"
        OK = "ok", "On target"
        WARNING = "warning", "Warning"
        BREACH = "breach", "Breach"

    metric = models.CharField("what is measured", max_length=300)
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. %, ratio, ms, count.")
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    target = models.DecimalField(max_digits=14, decimal_places=4)
    warning = models.DecimalField("warning threshold", max_digits=14, decimal_places=4)
    breach = models.DecimalField("breach threshold", max_digits=14, decimal_places=4)
    frequency_days = models.PositiveSmallIntegerField(
        "measured every (days)", default=30, help_text="A measurement later than this reminds the owner."
    )
    system = models.ForeignKey(
        "lifecycle.AISystem", null=True, blank=True, on_delete=models.PROTECT, related_name="kpis"
    )
    objective = models.ForeignKey(
        "registers.Objective", null=True, blank=True, on_delete=models.SET_NULL, related_name="kpis"
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.NO_DATA, editable=False)
    last_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True, editable=False)
    last_measured_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(BaseRecord.Meta):
        ordering = ["title"]
        verbose_name = "KPI"
        verbose_name_plural = "KPIs"

    def clean(self):
        if None in (self.target, self.warning, self.breach):
            return
        higher = self.direction == self.Direction.HIGHER
        ordered = (
            self.target >= self.warning >= self.breach
            if higher
            else self.target <= self.warning <= self.breach
        )
        if not ordered:
            word = "at or above" if higher else "at or below"
            raise ValidationError(
                {"warning": f"When {self.get_direction_display().lower()}, the target must be {word} the warning "
                 f"threshold, and the warning {word} the breach threshold."}
            )  # fmt: skip

    def get_status_display(self) -> str:
        """What the record header shows as the status: the KPI's state."""
        return self.get_state_display()

    def state_of(self, value) -> str:
        if value is None:
            return self.State.NO_DATA
        if self.direction == self.Direction.HIGHER:
            return (
                self.State.BREACH
                if value <= self.breach
                else self.State.WARNING
                if value < self.warning
                else self.State.OK
            )
        return (
            self.State.BREACH
            if value >= self.breach
            else self.State.WARNING
            if value > self.warning
            else self.State.OK
        )


class Measurement(models.Model):
    class Source(models.TextChoices):
        UI = "ui", "Entered in AIMS"
        CSV = "csv", "Imported from CSV"
        API = "api", "Pushed through the API"

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    measured_at = models.DateTimeField()
    source = models.CharField(max_length=4, choices=Source.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "measurements"
        ordering = ["-measured_at", "-id"]
        indexes = [models.Index(fields=["kpi", "-measured_at"])]

    def __str__(self):
        return f"{self.kpi.reference} = {self.value} at {self.measured_at:%Y-%m-%d %H:%M}"

"""Stage gates (8.1, A.6): moving a system to its next life-cycle stage passes a gate. What a gate
checks is configuration (GateCriteria, with defaults in lifecycle/gates.py); each request, its
checklist as it stood, the approver's decision and the evidence are kept as the system's gate history."""

from django.conf import settings
from django.db import models

from aims.files import private_storage, upload_path

from .systems import Stage


class GateCriteria(models.Model):
    """The checks a stage's entry gate requires; one row per stage, edited by the AIMS manager."""

    stage = models.CharField(
        max_length=14, choices=Stage.choices, unique=True, help_text="The stage entered."
    )
    checks = models.JSONField(default=list, help_text="Keys of the checks in lifecycle.gates.CHECKS.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Gate into {self.get_stage_display()}"

    class Meta:
        verbose_name_plural = "gate criteria"


class GateReview(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", "Waiting for the approver"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    system = models.ForeignKey("lifecycle.AISystem", on_delete=models.CASCADE, related_name="gate_reviews")
    from_stage = models.CharField(max_length=14, choices=Stage.choices)
    to_stage = models.CharField(max_length=14, choices=Stage.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="gate_reviews_to_decide",
        help_text="A designated approver who is not the system's owner.",
    )  # fmt: skip
    # [{"key": ..., "label": ..., "met": bool, "detail": "..."}] as the checks stood when asked and decided
    checklist = models.JSONField(default=list)
    evidence_note = models.TextField("evidence", blank=True)
    evidence = models.FileField(storage=private_storage, upload_to=upload_path, blank=True, max_length=200)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "gate reviews"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["approver", "decision"])]
        constraints = [
            models.UniqueConstraint(
                fields=["system"], condition=models.Q(decision="pending"), name="one_pending_gate_per_system"
            )
        ]

    def __str__(self):
        return f"{self.system.reference}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"

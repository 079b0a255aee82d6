"""Data for AI systems (A.7) and model versions (A.6.2): provenance, quality and what changed."""

from django.conf import settings
from django.db import models

from aims.models import BaseRecord


class Dataset(BaseRecord):
    reference_prefix = "DS"

    provenance = models.TextField("provenance", help_text="Where the data comes from (A.7.5).")
    acquisition = models.TextField("how it was acquired", blank=True)
    quality_requirements = models.TextField("quality requirements (A.7.4)", blank=True)
    quality_checks = models.TextField("quality checks done", blank=True)
    preparation = models.TextField("preparation (A.7.6)", blank=True)
    personal_data = models.BooleanField("contains personal data", default=False)
    legal_basis = models.CharField("legal basis", max_length=200, blank=True)
    retention = models.CharField(max_length=200, blank=True)
    systems = models.ManyToManyField("lifecycle.AISystem", blank=True, related_name="datasets")

    class Meta(BaseRecord.Meta):
        ordering = ["title"]
        verbose_name = "dataset"
        verbose_name_plural = "datasets"


class ModelVersion(BaseRecord):
    reference_prefix = "MV"
    history_extra = ("approved_by", "approved_on")

    system = models.ForeignKey("lifecycle.AISystem", on_delete=models.PROTECT, related_name="model_versions")
    # Not "version": every record's `version` is its optimistic-concurrency counter (BaseRecord).
    model_version = models.CharField("version", max_length=50)
    released_on = models.DateField("date")
    training_data = models.ManyToManyField(Dataset, blank=True, related_name="model_versions")
    evaluation = models.TextField("evaluation metrics", blank=True)
    change_description = models.TextField("what changed")
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
        ordering = ["-released_on", "-id"]
        verbose_name = "model version"
        verbose_name_plural = "model versions"
        constraints = [
            models.UniqueConstraint(fields=["system", "model_version"], name="one_model_version_per_system")
        ]

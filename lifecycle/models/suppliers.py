"""Suppliers of AI systems, models, data and services, and what is expected of them (A.10)."""

from django.db import models

from aims.models import BaseRecord


class Supplier(BaseRecord):
    reference_prefix = "SUP"

    class Kind(models.TextChoices):
        MODEL = "model", "Models or AI systems"
        DATA = "data", "Data"
        PLATFORM = "platform", "Platform or infrastructure"
        SERVICE = "service", "Services (labelling, validation, consulting)"

    class Status(models.TextChoices):
        UNDER_REVIEW = "under_review", "Under review"
        APPROVED = "approved", "Approved"
        CONDITIONAL = "conditional", "Approved with conditions"
        SUSPENDED = "suspended", "Suspended"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    supplies = models.TextField("what they supply")
    due_diligence = models.TextField(
        "due diligence",
        blank=True,
        help_text="What was checked: security, data rights, bias testing, references.",
    )
    due_diligence_on = models.DateField("due diligence done on", null=True, blank=True)
    responsibilities = models.TextField(
        "allocated responsibilities", blank=True, help_text="Who does what between us and them (A.10.2)."
    )
    contract_reference = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNDER_REVIEW)

    class Meta(BaseRecord.Meta):
        ordering = ["title"]
        verbose_name = "supplier"
        verbose_name_plural = "suppliers"

"""The Statement of Applicability (6.1.3): one row per Annex A control plus the organisation's own
controls, versioned through board approval as a whole statement."""

from django.db import models

from aims.models import BaseRecord, Publishable


class Statement(Publishable, BaseRecord):
    """The SoA as a document the board approves; its rows are SoAEntry records."""

    reference_prefix = "SOA"
    serves = ("6.1.3",)  # the Statement of Applicability
    history_extra = ("status", "version_number", "published_on")

    introduction = models.TextField(blank=True)

    class Meta(BaseRecord.Meta):
        ordering = ["reference"]
        verbose_name = "Statement of Applicability"
        verbose_name_plural = "Statements of Applicability"


class SoAEntry(BaseRecord):
    reference_prefix = "SOAE"
    serves = ("6.1.3",)  # a line of the Statement of Applicability

    class Implementation(models.TextChoices):
        PLANNED = "planned", "Planned"
        PARTIAL = "partial", "Partly implemented"
        IMPLEMENTED = "implemented", "Implemented"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    control = models.ForeignKey(
        "aims.Requirement", null=True, blank=True, on_delete=models.PROTECT, related_name="soa_entries",
        help_text="The Annex A control; empty for a control of the organisation's own.",
    )  # fmt: skip
    applicable = models.BooleanField(default=True)
    justification = models.TextField("justification for inclusion or exclusion", blank=True)
    implementation = models.CharField(
        max_length=16, choices=Implementation.choices, default=Implementation.PLANNED
    )
    risks = models.ManyToManyField(
        "registers.Risk", blank=True, related_name="soa_entries",
        help_text="Risks calling for the control besides those linked to it from their own page.",
    )  # fmt: skip
    systems = models.ManyToManyField(
        "lifecycle.AISystem", blank=True, related_name="soa_entries",
        verbose_name="AI systems", help_text="The AI systems the control applies to; none: the whole AIMS.",
    )  # fmt: skip
    # The evidence itself is the evidence library's: pieces mapped to the control, or attached to the entry
    # (its Evidence tab). What is not in the library yet is said here.
    evidence_note = models.TextField(
        "evidence not yet in the library", blank=True,
        help_text="Where other evidence is, until it is added to the evidence library.",
    )  # fmt: skip

    class Meta(BaseRecord.Meta):
        ordering = ["control__position", "reference"]
        verbose_name = "SoA entry"
        verbose_name_plural = "SoA entries"
        constraints = [
            models.UniqueConstraint(
                fields=["control"], condition=models.Q(control__isnull=False), name="one_entry_per_control"
            )
        ]

"""Clause 4: the organisation's context (4.1), interested parties and their requirements (4.2)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from aims.models import BaseRecord

FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class Side(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class ContextIssue(BaseRecord):
    """An internal or external issue that affects what the AIMS can achieve (4.1)."""

    reference_prefix = "CTX"
    serves = ("4.1",)  # an internal or external issue of the organisation's context

    class Category(models.TextChoices):
        POLITICAL = "political", "Political (PESTLE)"
        ECONOMIC = "economic", "Economic (PESTLE)"
        SOCIAL = "social", "Social (PESTLE)"
        TECHNOLOGICAL = "technological", "Technological (PESTLE)"
        LEGAL = "legal", "Legal (PESTLE)"
        ENVIRONMENTAL = "environmental", "Environmental (PESTLE)"
        STRENGTH = "strength", "Strength (SWOT)"
        WEAKNESS = "weakness", "Weakness (SWOT)"
        OPPORTUNITY = "opportunity", "Opportunity (SWOT)"
        THREAT = "threat", "Threat (SWOT)"

    side = models.CharField("internal or external", max_length=10, choices=Side.choices)
    category = models.CharField(max_length=16, choices=Category.choices)
    description = models.TextField(blank=True)
    effect_on_aims = models.TextField(
        "effect on the AIMS", blank=True, help_text="How it helps or hinders the AIMS's intended results."
    )
    climate_relevant = models.BooleanField(
        "relevant to climate change",
        default=False,
        help_text="Clause 4.1 asks whether climate change is a relevant issue.",
    )
    risks = models.ManyToManyField(
        "registers.Risk", blank=True, related_name="context_issues", verbose_name="risks it raises"
    )
    opportunities = models.ManyToManyField(
        "registers.Opportunity",
        blank=True,
        related_name="context_issues",
        verbose_name="opportunities it raises",
    )

    class Meta(BaseRecord.Meta):
        ordering = ["reference"]
        verbose_name = "context issue"
        verbose_name_plural = "context issues"


class InterestedParty(BaseRecord):
    """Someone with a stake in the AIMS, what they expect, and how much they matter (4.2)."""

    reference_prefix = "IP"
    serves = ("4.2",)  # an interested party and its needs

    side = models.CharField("internal or external", max_length=10, choices=Side.choices)
    needs_and_expectations = models.TextField(blank=True)
    influence = models.PositiveSmallIntegerField(
        validators=FIVE, default=3, help_text="1 (little) to 5 (decisive)."
    )
    interest = models.PositiveSmallIntegerField(
        validators=FIVE, default=3, help_text="1 (little) to 5 (high)."
    )
    requirements_addressed = models.TextField(
        "requirements the AIMS addresses",
        blank=True,
        help_text="Which of their requirements the AIMS takes on.",
    )

    class Meta(BaseRecord.Meta):
        ordering = ["reference"]
        verbose_name = "interested party"
        verbose_name_plural = "interested parties"


class Obligation(BaseRecord):
    """A compliance obligation: a law, contract or code the AIMS must meet (4.2, 4.1 legal context)."""

    reference_prefix = "OBL"
    serves = ("4.2",)  # a requirement of an interested party

    class Kind(models.TextChoices):
        LAW = "law", "Law or regulation"
        CONTRACT = "contract", "Contract"
        CODE = "code", "Code, standard or guideline"
        INTERNAL = "internal", "Internal commitment"

    class Applicability(models.TextChoices):
        APPLIES = "applies", "Applies"
        PARTLY = "partly", "Applies in part"
        NOT_APPLICABLE = "not_applicable", "Does not apply"
        ASSESSING = "assessing", "Being assessed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(
        max_length=200, blank=True, help_text="e.g. EU AI Act Art. 26, GDPR Art. 22, client contract §7."
    )
    interested_party = models.ForeignKey(
        InterestedParty, null=True, blank=True, on_delete=models.SET_NULL, related_name="obligations"
    )
    description = models.TextField(blank=True)
    applicability = models.CharField(
        max_length=16, choices=Applicability.choices, default=Applicability.ASSESSING
    )
    applicability_note = models.TextField("why it applies or not", blank=True)
    reporting_duty = models.TextField(
        "reporting duty",
        blank=True,
        help_text="What it obliges us to report about our AI systems, to whom and when (A.8.5); empty if none.",
    )

    class Meta(BaseRecord.Meta):
        ordering = ["reference"]
        verbose_name = "compliance obligation"
        verbose_name_plural = "compliance obligations"

    def clean(self):
        from django.core.exceptions import ValidationError

        if (
            self.applicability in (self.Applicability.NOT_APPLICABLE, self.Applicability.PARTLY)
            and not (self.applicability_note or "").strip()
        ):
            raise ValidationError(
                {"applicability_note": "Say why it does not (fully) apply: an auditor will ask."}
            )

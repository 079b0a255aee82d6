"""AI system impact assessments (6.1.4, 8.4, A.5) with the fields ISO/IEC 42005 describes and the EU
fundamental-rights fields for high-risk deployers; each harm scored and optionally turned into a risk."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from aims.models import BaseRecord, Publishable
from aims.models.records import live_index

FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class ImpactAssessment(Publishable, BaseRecord):
    reference_prefix = "AIA"
    serves = ("6.1.4", "8.4")  # the process (6.1.4) and its results (8.4)
    history_extra = ("status", "version_number", "published_on", "reassessment_due")

    class Trigger(models.TextChoices):
        NEW_SYSTEM = "new_system", "A new AI system"
        MATERIAL_CHANGE = "material_change", "A material change"
        REVIEW = "review", "A planned review"

    system = models.ForeignKey(
        "lifecycle.AISystem", on_delete=models.PROTECT, related_name="impact_assessments"
    )
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.NEW_SYSTEM)
    scope = models.TextField("scope of the assessment")
    system_information = models.TextField("system information", blank=True)
    data_information = models.TextField("data information", blank=True)
    model_information = models.TextField("model information", blank=True)
    deployment_information = models.TextField("deployment information", blank=True)
    interested_parties = models.TextField("interested parties affected", blank=True)
    vulnerable_groups = models.TextField("vulnerable groups", blank=True)
    benefits = models.TextField("benefits", blank=True)
    measures = models.TextField("measures to address the harms", blank=True)
    residual_impact = models.TextField("residual impact", blank=True)
    # EU AI Act Art. 27: fundamental rights impact assessment by deployers of high-risk systems
    fria_needed = models.BooleanField(
        "a fundamental rights impact assessment is needed (Art. 27)", default=False
    )
    fria_process = models.TextField("the deployer's process in which the system is used", blank=True)
    fria_period = models.TextField("period and frequency of use", blank=True)
    fria_persons = models.TextField("categories of persons likely affected", blank=True)
    fria_risks = models.TextField("specific risks of harm to those persons", blank=True)
    fria_oversight = models.TextField("human oversight measures", blank=True)
    fria_remedies = models.TextField("measures if the risks materialise, incl. complaints", blank=True)
    reassessment_due = models.BooleanField(default=False, editable=False)

    class Meta(BaseRecord.Meta):
        ordering = ["-created_at"]
        verbose_name = "impact assessment"
        indexes = [live_index("lifecycle_impact_live")]


class Harm(models.Model):
    """A benefit's shadow: a possible harm with likelihood, severity and reversibility."""

    class Affected(models.TextChoices):
        INDIVIDUALS = "individuals", "Individuals"
        GROUPS = "groups", "Groups"
        SOCIETY = "society", "Society"

    class Reversibility(models.TextChoices):
        REVERSIBLE = "reversible", "Reversible"
        HARD = "hard", "Hard to reverse"
        IRREVERSIBLE = "irreversible", "Irreversible"

    assessment = models.ForeignKey(ImpactAssessment, on_delete=models.CASCADE, related_name="harms")
    description = models.TextField()
    affected = models.CharField(max_length=12, choices=Affected.choices)
    likelihood = models.PositiveSmallIntegerField(validators=FIVE)
    severity = models.PositiveSmallIntegerField(validators=FIVE)
    reversibility = models.CharField(max_length=12, choices=Reversibility.choices)
    risk = models.ForeignKey(
        "registers.Risk", null=True, blank=True, on_delete=models.SET_NULL, related_name="harms"
    )

    class Meta:
        ordering = ["-severity", "-likelihood", "id"]

    def __str__(self):
        return self.description[:60]

"""AI system impact assessments (6.1.4, 8.4, A.5) with the fields ISO/IEC 42005 describes and the EU
fundamental-rights fields for high-risk deployers; each harm scored and optionally turned into a risk.
The organisation's thresholds for sensitive and restricted uses are configuration (ImpactThresholds);
each assessment keeps the thresholds it was judged against, and its conclusion."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from aims.models import BaseRecord, Publishable
from aims.models.records import live_index

FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class UseLevel(models.TextChoices):
    """ISO/IEC 42005: uses whose impact calls for more care (sensitive) or that the organisation allows
    only under conditions, or not at all (restricted)."""

    ORDINARY = "ordinary", "Neither sensitive nor restricted"
    SENSITIVE = "sensitive", "Sensitive use"
    RESTRICTED = "restricted", "Restricted use"


class ImpactThresholds(models.Model):
    """The organisation's thresholds for sensitive and restricted uses: the harm severity (1-5, the risk
    register's impact scale) from which a use is sensitive, and from which it is restricted. One row,
    changed by the AIMS manager alone, with history; each assessment keeps its own copy."""

    sensitive_from = models.PositiveSmallIntegerField(
        "sensitive use from harm severity", validators=FIVE, default=4,
        help_text="A harm this severe or more makes the use sensitive.",
    )  # fmt: skip
    restricted_from = models.PositiveSmallIntegerField(
        "restricted use from harm severity", validators=FIVE, default=5,
        help_text="A harm this severe or more makes the use restricted.",
    )  # fmt: skip
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )  # fmt: skip

    class Meta:
        verbose_name = "thresholds for sensitive and restricted uses"
        verbose_name_plural = verbose_name

    def __str__(self):
        return "Thresholds for sensitive and restricted uses"

    @classmethod
    def current(cls) -> "ImpactThresholds":
        return cls.objects.get_or_create(pk=1)[0]

    def clean(self):
        if self.restricted_from is not None and self.sensitive_from is not None:
            if self.restricted_from < self.sensitive_from:
                raise ValidationError(
                    {"restricted_from": "A restricted use is at least as severe as a sensitive one: give a "
                                        f"severity of {self.sensitive_from} or more."}
                )  # fmt: skip


class ImpactAssessment(Publishable, BaseRecord):
    reference_prefix = "AIA"
    serves = ("6.1.4", "8.4")  # the process (6.1.4) and its results (8.4)
    history_extra = (
        "status", "version_number", "published_on", "reassessment_due", "sensitive_from", "restricted_from",
    )  # fmt: skip

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
    # ISO/IEC 42005: uses beyond the intended one and failures, the assessment's own (frozen with it)
    unintended_uses = models.TextField(
        "unintended uses", blank=True,
        help_text="Uses the system was not designed for that people could still put it to, and their effects.",
    )  # fmt: skip
    foreseeable_misuse = models.TextField(
        "reasonably foreseeable misuse", blank=True,
        help_text="Left empty on a new assessment, it is copied from the AI system's record; the assessment "
        "keeps its own from then on.",
    )  # fmt: skip
    failures = models.TextField(
        "system failures and their effects", blank=True,
        help_text="How the system can fail (wrong, missing or late outputs, outages) and what that does to people.",
    )  # fmt: skip
    # The organisation's thresholds as they stood when the draft was last saved: set by the services.
    sensitive_from = models.PositiveSmallIntegerField(
        "sensitive use from harm severity", null=True, blank=True, editable=False
    )
    restricted_from = models.PositiveSmallIntegerField(
        "restricted use from harm severity", null=True, blank=True, editable=False
    )
    use_conclusion = models.CharField(
        "conclusion against the thresholds", max_length=10, choices=UseLevel.choices, blank=True
    )
    use_conclusion_reason = models.TextField(
        "reasons for the conclusion", blank=True,
        help_text="Needed when the conclusion is lower than the harms' severity reaches.",
    )  # fmt: skip
    reassessment_due = models.BooleanField(default=False, editable=False)

    class Meta(BaseRecord.Meta):
        ordering = ["-created_at"]
        verbose_name = "impact assessment"
        verbose_name_plural = "impact assessments"
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
        verbose_name_plural = "harms"
        ordering = ["-severity", "-likelihood", "id"]

    def __str__(self):
        return self.description[:60]

"""The AI system inventory (A.4, 4.3): what each system is for, who it affects, how people oversee it,
what it needs, and its EU AI Act classification."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from aims.models import BaseRecord
from registers.models.choices import AiRole


class Stage(models.TextChoices):
    """The life cycle of 8.1 and A.6, in order; a system moves to the next stage through a gate."""

    DESIGN = "design", "Planning and design"
    DEVELOPMENT = "development", "Development and training"
    VALIDATION = "validation", "Verification and validation"
    DEPLOYMENT = "deployment", "Deployment"
    OPERATION = "operation", "Operation and monitoring"
    DECOMMISSIONED = "decommissioned", "Decommissioning"


class Tier(models.TextChoices):
    UNCLASSIFIED = "unclassified", "Not yet classified"
    PROHIBITED = "prohibited", "Prohibited (Art. 5)"
    HIGH = "high", "High-risk (Art. 6)"
    LIMITED = "limited", "Limited risk: transparency duties (Art. 50)"
    MINIMAL = "minimal", "Minimal risk"


class ClassificationStatus(models.TextChoices):
    """Where a system's EU AI Act classification stands: answers take effect only once a second person
    confirms them (lifecycle.classification); until then the effective tier stays what it was."""

    UNANSWERED = "unanswered", "Not yet answered"
    AWAITING_ANSWERS = "awaiting_answers", "Classification awaiting answers"
    AWAITING_CONFIRMATION = "awaiting_confirmation", "Classification awaiting confirmation"
    REFUSED = "refused", "Classification refused: answers to revise"
    CONFIRMED = "confirmed", "Classification confirmed"


def prohibited_q() -> models.Q:
    """The systems classified as a prohibited practice (Art. 5), confirmed or proposed and awaiting
    confirmation, as AISystem.is_prohibited says of one: gates, the dashboard, the list's filter and
    certification readiness all ask this."""
    return models.Q(eu_tier=Tier.PROHIBITED) | models.Q(
        classification_status=ClassificationStatus.AWAITING_CONFIRMATION, proposed_tier=Tier.PROHIBITED
    )


def prohibited_not_stopped_q() -> models.Q:
    """Classified as a prohibited practice and not decommissioned: what must still be stopped."""
    return prohibited_q() & ~models.Q(stage=Stage.DECOMMISSIONED)


class AISystem(BaseRecord):
    reference_prefix = "SYS"
    history_extra = ("stage", "eu_tier", "classification_status", "proposed_tier")

    class Kind(models.TextChoices):
        ML = "ml", "Machine learning"
        DEEP_LEARNING = "deep_learning", "Deep learning"
        NLP = "nlp", "Natural language processing"
        VISION = "vision", "Computer vision"
        GENERATIVE = "generative", "Generative AI"
        AGENT = "agent", "Agent"
        RULES = "rules", "Rules or expert system"

    class Origin(models.TextChoices):
        IN_HOUSE = "in_house", "Built in-house"
        SUPPLIED = "supplied", "Supplied"
        MIXED = "mixed", "Supplied, adapted in-house"

    class Automation(models.TextChoices):
        ADVISORY = "advisory", "Advisory: a person decides"
        IN_THE_LOOP = "in_loop", "Human in the loop: a person approves each decision"
        ON_THE_LOOP = "on_loop", "Human on the loop: a person monitors and can intervene"
        AUTONOMOUS = "autonomous", "Autonomous: no person in the decision"

    purpose = models.TextField()
    intended_use = models.TextField("intended use", blank=True)
    foreseeable_misuse = models.TextField(
        "reasonably foreseeable misuse",
        blank=True,
        help_text="How it could be used in ways not intended (A.9.4).",
    )
    kind = models.CharField("type", max_length=14, choices=Kind.choices)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.IN_HOUSE)
    supplier = models.ForeignKey(
        "lifecycle.Supplier", null=True, blank=True, on_delete=models.PROTECT, related_name="systems"
    )
    ai_role = models.CharField(
        "our AI role for it", max_length=10, choices=AiRole.choices, default=AiRole.PRODUCER
    )
    deployment_context = models.TextField("where it is deployed", blank=True)
    languages = models.CharField(max_length=200, blank=True)
    affected_people = models.TextField("who is affected", blank=True)
    vulnerable_groups = models.TextField("vulnerable groups affected", blank=True)
    personal_data = models.BooleanField("uses personal data", default=False)
    special_category_data = models.BooleanField("uses special category data", default=False)
    automation = models.CharField("level of automation", max_length=10, choices=Automation.choices)
    oversight = models.TextField(
        "human oversight",
        blank=True,
        help_text="Who can intervene, how and when; how a decision is overridden.",
    )
    criticality = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        default=3,
        help_text="1 (low) to 5 (critical).",
    )
    in_scope = models.BooleanField("in the AIMS scope", default=True)
    publish_to_stakeholders = models.BooleanField(
        "publish to stakeholders",
        default=False,
        help_text="Show its title, purpose and EU AI Act tier in the report for external interested "
        "parties (7.4, A.8.5). Nothing else about it is published.",
    )
    data_resources = models.TextField("data resources (A.4.3)", blank=True)
    tooling_resources = models.TextField("tooling resources (A.4.4)", blank=True)
    compute_resources = models.TextField("system and computing resources (A.4.5)", blank=True)
    human_resources = models.TextField("human resources (A.4.6)", blank=True)
    stage = models.CharField(max_length=14, choices=Stage.choices, default=Stage.DESIGN, editable=False)
    eu_tier = models.CharField(
        "EU AI Act tier", max_length=12, choices=Tier.choices, default=Tier.UNCLASSIFIED, editable=False
    )
    # The effective classification, as confirmed: {"answers": {...}, "tier", "reasons": [...], "duties": [...],
    # "articles": [...], "answered_by", "answered_at"}; classified_at/by: when and by whom it was confirmed.
    eu_classification = models.JSONField(default=dict, blank=True, editable=False)
    classified_at = models.DateTimeField(null=True, blank=True, editable=False)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    classification_status = models.CharField(
        "EU AI Act classification",
        max_length=22,
        choices=ClassificationStatus.choices,
        default=ClassificationStatus.UNANSWERED,
        editable=False,
    )
    # Answers not yet in effect: awaiting confirmation, refused, or to be (re-)answered; the same shape as
    # eu_classification, plus "refusal": {"by", "at", "reason"} once refused.
    eu_proposal = models.JSONField(default=dict, blank=True, editable=False)
    proposed_tier = models.CharField(
        "proposed EU AI Act tier", max_length=12, choices=Tier.choices, blank=True, default="", editable=False
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    proposed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(BaseRecord.Meta):
        ordering = ["title"]
        verbose_name = "AI system"
        verbose_name_plural = "AI systems"

    def get_status_display(self) -> str:
        """What the record header shows as the status: where the system is, and its EU AI Act tier."""
        status = f"{self.get_stage_display()} · {self.get_eu_tier_display()}"
        if self.classification_status in (
            ClassificationStatus.AWAITING_ANSWERS,
            ClassificationStatus.AWAITING_CONFIRMATION,
            ClassificationStatus.REFUSED,
        ):
            status += f" · {self.get_classification_status_display().lower()}"
        return status

    @property
    def awaiting_confirmation(self) -> bool:
        return self.classification_status == ClassificationStatus.AWAITING_CONFIRMATION

    @property
    def is_prohibited(self) -> bool:
        """Classified as a prohibited practice (Art. 5): confirmed, or proposed and awaiting confirmation."""
        return self.eu_tier == Tier.PROHIBITED or (
            self.awaiting_confirmation and self.proposed_tier == Tier.PROHIBITED
        )

    def clean(self):
        if self.origin != self.Origin.IN_HOUSE and not self.supplier_id:
            raise ValidationError({"supplier": "A supplied system names its supplier (A.10)."})
        if (
            self.automation in (self.Automation.ON_THE_LOOP, self.Automation.AUTONOMOUS)
            and not (self.oversight or "").strip()
        ):
            raise ValidationError(
                {"oversight": "Say who can intervene, how and when, when no person approves each decision."}
            )

"""Clause 5: AI policies (5.2, A.2) and their acknowledgement (7.3), AIMS roles and RACI (5.3, A.3.2),
the governance board's meetings and decisions, and concerns raised about AI systems (A.3.3)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from aims import roles
from aims.models import BaseRecord, Publishable

from .choices import AimsProcess, check_choice_list


class Policy(Publishable, BaseRecord):
    """A policy the board approves and the organisation publishes; every approved version is kept."""

    reference_prefix = "POL"
    history_extra = ("status", "version_number", "published_on")

    class Kind(models.TextChoices):
        AI_POLICY = "ai_policy", "AI policy (5.2)"
        ETHICS = "ethics", "AI ethics principles"
        ACCEPTABLE_USE = "acceptable_use", "Acceptable use of AI"
        DATA = "data", "Data for AI"
        OTHER = "other", "Other AI-related policy"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.AI_POLICY)
    purpose = models.TextField(blank=True)
    body = models.TextField("policy text", help_text="The policy itself; headings on their own lines.")
    applies_to = models.CharField("who it applies to", max_length=300, blank=True)
    acknowledge_roles = models.JSONField(
        "roles asked to acknowledge",
        default=list,
        blank=True,
        help_text="When a version is published, everyone with these roles is asked to acknowledge it (7.3).",
    )
    acknowledge_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="people asked to acknowledge"
    )

    class Meta(BaseRecord.Meta):
        ordering = ["reference"]
        verbose_name = "policy"
        verbose_name_plural = "policies"

    def clean(self):
        check_choice_list("acknowledge_roles", self.acknowledge_roles, roles.ALL, "role")


class Acknowledgement(models.Model):
    """A person asked to confirm they have read a published policy version, and whether they did."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="acknowledgements")
    version_number = models.PositiveIntegerField()
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "acknowledgements"
        ordering = ["policy", "-version_number", "person__username"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "version_number", "person"], name="one_ack_per_version")
        ]
        indexes = [models.Index(fields=["person", "acknowledged_at"])]

    def __str__(self):
        return f"{self.person} / {self.policy.reference} v{self.version_number}"


class AimsRole(BaseRecord):
    """A role in the AIMS with its responsibilities and authorities, and the people who hold it (5.3)."""

    reference_prefix = "ROL"
    serves = ("5.3",)  # a role, its responsibilities and authorities

    responsibilities = models.TextField()
    authorities = models.TextField(
        "authorities", blank=True, help_text="What the role may decide or approve."
    )
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="aims_roles", verbose_name="people in this role"
    )

    class Meta(BaseRecord.Meta):
        ordering = ["title"]
        verbose_name = "AIMS role"
        verbose_name_plural = "AIMS roles"


class RaciAssignment(models.Model):
    """One cell of the RACI matrix: what a role does in an AIMS process. Changes are history of the role."""

    class Letter(models.TextChoices):
        RESPONSIBLE = "R", "Responsible"
        ACCOUNTABLE = "A", "Accountable"
        CONSULTED = "C", "Consulted"
        INFORMED = "I", "Informed"

    role = models.ForeignKey(AimsRole, on_delete=models.CASCADE, related_name="raci")
    process = models.CharField(max_length=16, choices=AimsProcess.choices)
    letter = models.CharField(max_length=1, choices=Letter.choices)

    class Meta:
        verbose_name_plural = "RACI assignments"
        ordering = ["process", "role__title"]
        constraints = [
            models.UniqueConstraint(fields=["role", "process"], name="one_letter_per_role_process")
        ]

    def __str__(self):
        return f"{self.get_process_display()}: {self.role.title} {self.letter}"


class BoardMeeting(BaseRecord):
    """A governance board meeting: when, who, what was on the agenda, and the minutes."""

    reference_prefix = "MTG"
    serves = ("5.1",)  # top management directing the AIMS

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    held_on = models.DateField("date")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)

    class Meta(BaseRecord.Meta):
        ordering = ["-held_on"]
        verbose_name = "board meeting"
        verbose_name_plural = "board meetings"

    def clean(self):
        if self.status == self.Status.HELD and not (self.minutes or "").strip():
            raise ValidationError({"minutes": "A meeting that was held needs its minutes."})


class Decision(BaseRecord):
    """A decision of the governance board with its rationale; open ones are tracked to done."""

    reference_prefix = "DEC"
    serves = ("5.1",)  # top management's decisions on the AIMS

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    meeting = models.ForeignKey(
        BoardMeeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    decision = models.TextField()
    rationale = models.TextField(blank=True)
    due_on = models.DateField("due", null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)

    class Meta(BaseRecord.Meta):
        ordering = ["status", "due_on", "reference"]
        verbose_name = "board decision"
        verbose_name_plural = "board decisions"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)


class Concern(BaseRecord):
    """A concern about an AI system raised by anyone signed in, triaged by the AIMS manager (A.3.3).

    The owner is the AIMS manager who handles it; the person who raised it is `raised_by`, shown to
    others only when they did not ask for their name to be withheld."""

    reference_prefix = "CON"
    history_exclude = ("raised_by",)

    class Outcome(models.TextChoices):
        PENDING = "pending", "Awaiting triage"
        RISK = "risk", "Became a risk"
        INCIDENT = "incident", "Handled as an incident"
        NO_ACTION = "no_action", "No action needed"

    systems = models.ManyToManyField(
        "lifecycle.AISystem", blank=True, related_name="concerns", verbose_name="AI systems",
        help_text="The AI systems it is about, from the inventory.",
    )  # fmt: skip
    system_note = models.CharField(
        "AI system not in the list", max_length=200, blank=True,
        help_text="Name it here if it is not in the list above (it may not be in the inventory yet).",
    )  # fmt: skip
    description = models.TextField("the concern")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    anonymous = models.BooleanField(
        "withhold my name", default=False, help_text="Others see 'withheld' instead of your name."
    )
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.PENDING, editable=False
    )
    outcome_reason = models.TextField("reason for the outcome", blank=True, editable=False)
    risk = models.ForeignKey(
        "registers.Risk",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerns",
        editable=False,
    )
    incident = models.ForeignKey(
        "lifecycle.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns",
        editable=False,
    )  # fmt: skip
    # An incident the triage named in text that is not (or not yet) in the incident register.
    incident_reference = models.CharField(
        "incident named in text", max_length=100, blank=True, editable=False
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    triaged_at = models.DateTimeField(null=True, blank=True, editable=False)
    history_extra = ("outcome", "outcome_reason", "risk", "incident_reference", "triaged_by", "triaged_at")

    class Meta(BaseRecord.Meta):
        ordering = ["-created_at"]
        verbose_name = "concern"
        verbose_name_plural = "concerns"

    def raiser_for(self, user):
        """Who raised it, as `user` may know: nobody (None) but the raiser when they asked to stay anonymous."""
        if self.anonymous and user.pk != self.raised_by_id:
            return None
        return self.raised_by

    def raiser_shown_to(self, user) -> str:
        raiser = self.raiser_for(user)
        return "withheld at their request" if raiser is None else str(raiser)

"""Internal audit (ISO/IEC 42001 9.2): the audit programme of a cycle, the audits it plans, each audit's
checklist and the findings its non-conforming items become.

Who may change what is decided in aims/permissions.py through the hooks below: an audit is changed by the
AIMS manager who plans it, its owner, and the auditors on it; its checklist and findings only by its lead
auditor and team; a finding is answered only by its auditee (the finding's owner)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from aims.models import BaseRecord, Requirement


class Frequency(models.IntegerChoices):
    """How often a requirement or AI system is audited, in months."""

    QUARTERLY = 3, "Every quarter"
    HALF_YEARLY = 6, "Every six months"
    YEARLY = 12, "Every year"
    TWO_YEARLY = 24, "Every two years"


class AuditProgramme(BaseRecord):
    """What the cycle audits and when (9.2.2), usually owned by the AIMS manager. A cycle runs from `year`
    for `cycle_years` -- three for a certification cycle -- and within it every clause and applicable
    control is to be audited at least once (audits.programme.coverage)."""

    reference_prefix = "APR"
    serves = ("9.2.1", "9.2.2")  # the audit programme and its results

    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The audit cycle's first year.",
    )
    cycle_years = models.PositiveSmallIntegerField(
        "years in the cycle",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How many years the cycle runs; a certification cycle is three.",
    )
    objectives = models.TextField(
        blank=True, help_text="What this cycle's audits should establish, and what drove the plan."
    )
    method = models.TextField(
        "how audits are run", blank=True, help_text="Sampling, interviews, who reports to whom."
    )

    class Meta(BaseRecord.Meta):
        ordering = ["-year", "reference"]
        verbose_name = "audit programme"
        verbose_name_plural = "audit programmes"

    @property
    def last_year(self) -> int:
        return self.year + self.cycle_years - 1

    @property
    def cycle_label(self) -> str:
        return str(self.year) if self.cycle_years == 1 else f"{self.year}–{self.last_year}"

    def get_status_display(self) -> str:
        return f"Cycle {self.cycle_label}"


class ProgrammeItem(models.Model):
    """One thing the programme audits -- a requirement or an AI system -- with when and how often.
    The frequency is suggested from risk and past results; a different choice needs a reason."""

    programme = models.ForeignKey(AuditProgramme, on_delete=models.CASCADE, related_name="items")
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    system = models.ForeignKey(
        "lifecycle.AISystem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="AI system",
    )
    planned_month = models.PositiveSmallIntegerField(
        "planned month", validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    frequency = models.PositiveSmallIntegerField(choices=Frequency.choices)
    suggested_frequency = models.PositiveSmallIntegerField(choices=Frequency.choices, editable=False)
    suggestion_reason = models.CharField(max_length=300, blank=True, editable=False)
    # Lines change on their own (the programme's history records each): the second of two people changing
    # the same line is told, as with any record.
    version = models.PositiveIntegerField(default=1, editable=False)
    override_reason = models.CharField(
        "reason for a different frequency",
        max_length=300,
        blank=True,
        help_text="Required when the frequency differs from the suggested one.",
    )

    class Meta:
        verbose_name_plural = "programme items"
        ordering = ["programme", "planned_month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requirement__isnull=False, system__isnull=True)
                | Q(requirement__isnull=True, system__isnull=False),
                name="programme_item_one_subject",
            ),
            models.UniqueConstraint(
                fields=["programme", "requirement"], name="programme_item_requirement_once"
            ),
            models.UniqueConstraint(fields=["programme", "system"], name="programme_item_system_once"),
        ]

    def __str__(self):
        return f"{self.subject} ({self.get_frequency_display().lower()})"

    @property
    def subject(self):
        return self.requirement or self.system

    @property
    def planned_quarter(self) -> int:
        return (self.planned_month - 1) // 3 + 1

    @property
    def overridden(self) -> bool:
        return self.frequency != self.suggested_frequency

    def clean(self):
        if bool(self.requirement_id) == bool(self.system_id):
            raise ValidationError({"requirement": "Choose either a clause or control, or an AI system."})
        if self.requirement_id and self.requirement.kind not in Requirement.MAPPABLE:
            raise ValidationError({"requirement": "Choose an auditable clause requirement or control."})
        if self.suggested_frequency and self.overridden and not (self.override_reason or "").strip():
            raise ValidationError(
                {
                    "override_reason": "Say why the frequency differs from the suggested one "
                    f"({Frequency(self.suggested_frequency).label.lower()})."
                }
            )


class Audit(BaseRecord):
    """One audit: scope, criteria, dates and where it stands. An internal audit (9.2.1) has our own lead
    auditor and team; a certification body's audit (ISO/IEC 17021-1 9.3 to 9.6: stage 1, stage 2,
    surveillance, recertification) names the body and its lead auditor, and ends with the body's outcome.
    Both record their findings the same way -- the checklist, whose non-conforming items become Findings,
    from which the Act registers raise nonconformities."""

    reference_prefix = "AUD"
    serves = ("9.2.1", "9.2.2")  # whatever its scope, an audit is 9.2's record
    history_extra = ("status",)

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        REPORTED = "reported", "Reported"
        CLOSED = "closed", "Closed"

    class Kind(models.TextChoices):
        INTERNAL = "internal", "Internal audit"
        CERTIFICATION = "certification", "Certification body audit"

    class Stage(models.TextChoices):
        # ISO/IEC 17021-1: 9.3.1.2 stage 1, 9.3.1.3 stage 2, 9.6.2 surveillance, 9.6.3 recertification
        STAGE_1 = "stage_1", "Stage 1"
        STAGE_2 = "stage_2", "Stage 2"
        SURVEILLANCE = "surveillance", "Surveillance"
        RECERTIFICATION = "recertification", "Recertification"

    class Outcome(models.TextChoices):
        READY = "ready_for_stage_2", "Ready for stage 2"
        NOT_READY = "not_ready_for_stage_2", "Not ready for stage 2"
        RECOMMENDED = "recommended", "Recommended for certification"
        NOT_RECOMMENDED = "not_recommended", "Not recommended for certification"
        MAINTAINED = "maintained", "Certification maintained"
        SUSPENDED = "suspended", "Certification suspended"
        WITHDRAWN = "withdrawn", "Certification withdrawn"

    programme = models.ForeignKey(
        AuditProgramme, null=True, blank=True, on_delete=models.PROTECT, related_name="audits"
    )
    scope = models.ManyToManyField(
        Requirement,
        blank=True,
        related_name="audits_in_scope",
        verbose_name="clauses and controls audited",
        help_text="For a joint audit, requirements of another standard too.",
    )
    systems = models.ManyToManyField(
        "lifecycle.AISystem", blank=True, related_name="audits", verbose_name="AI systems audited"
    )
    criteria = models.TextField(help_text="What the audit measures against: the standard, our policies ...")
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audits_led",
        verbose_name="lead auditor",
        help_text="Internal audits: one of our auditors. A certification body's audit names the body's.",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="audits_on_team", verbose_name="audit team"
    )
    starts_on = models.DateField("starts on")
    ends_on = models.DateField("ends on")
    joint = models.BooleanField(
        "joint audit", default=False, help_text="Also audits another standard's requirements (crosswalk)."
    )
    conclusion = models.TextField(blank=True, help_text="The audit's overall conclusion, for the report.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED, editable=False)
    # -- a certification body's audit -------------------------------------------------------------------
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.INTERNAL)
    stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    certification_body = models.CharField("certification body", max_length=200, blank=True)
    body_auditor = models.CharField(
        "certification body's lead auditor", max_length=200, blank=True,
        help_text="The lead auditor the certification body named for this audit.",
    )  # fmt: skip
    outcome = models.CharField(
        max_length=24, choices=Outcome.choices, blank=True, help_text="What the certification body concluded."
    )
    certificate = models.ForeignKey(
        "audits.Certificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audits",
        verbose_name="certificate it maintains",
        help_text="Surveillance and recertification audits: the certificate they keep in force.",
    )

    # What each stage may conclude (ISO/IEC 17021-1 9.3.1.2, 9.5.1, 9.6.2, 9.6.3).
    OUTCOMES = {
        Stage.STAGE_1: (Outcome.READY, Outcome.NOT_READY),
        Stage.STAGE_2: (Outcome.RECOMMENDED, Outcome.NOT_RECOMMENDED),
        Stage.SURVEILLANCE: (Outcome.MAINTAINED, Outcome.SUSPENDED, Outcome.WITHDRAWN),
        Stage.RECERTIFICATION: (Outcome.RECOMMENDED, Outcome.NOT_RECOMMENDED),
    }
    MAINTAINING = (Stage.SURVEILLANCE, Stage.RECERTIFICATION)  # audits of a certificate already granted
    GRANTING = (Stage.STAGE_2, Stage.RECERTIFICATION)  # audits whose recommendation grants one

    class Meta(BaseRecord.Meta):
        ordering = ["-starts_on", "-id"]
        verbose_name = "audit"
        verbose_name_plural = "audits"

    @property
    def is_certification(self) -> bool:
        return self.kind == self.Kind.CERTIFICATION

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The audit cannot end before it starts."
        errors.update(self._certification_errors() if self.is_certification else self._internal_errors())
        if errors:
            raise ValidationError(errors)

    def _internal_errors(self) -> dict:
        errors = {} if self.lead_auditor_id else {"lead_auditor": "Choose the audit's lead auditor."}
        for name in ("stage", "certification_body", "body_auditor", "outcome", "certificate"):
            if getattr(self, f"{name}_id" if name == "certificate" else name):
                label = self._meta.get_field(name).verbose_name
                errors[name] = (
                    f"Only a certification body's audit records the {label}: choose that kind, or leave it empty."
                )
        return errors

    def _certification_errors(self) -> dict:
        errors = {}
        for name, missing in (
            ("stage", "Choose the stage: stage 1, stage 2, surveillance or recertification."),
            ("certification_body", "Name the certification body that carries out the audit."),
            ("body_auditor", "Name the lead auditor the certification body appointed."),
        ):
            if not (getattr(self, name) or "").strip():
                errors[name] = missing
        if self.lead_auditor_id:
            errors["lead_auditor"] = (
                "A certification body's audit is led by the body's auditor: name them as the certification "
                "body's lead auditor and leave this empty."
            )
        if self.programme_id:
            errors["programme"] = "The audit programme plans internal audits; leave it empty for the body's."
        allowed = self.OUTCOMES.get(self.stage, ())
        if self.outcome and self.stage and self.outcome not in allowed:
            choices = ", ".join(self.Outcome(o).label.lower() for o in allowed)
            errors["outcome"] = f"A {self.get_stage_display().lower()} audit concludes {choices}."
        if self.certificate_id and self.stage not in self.MAINTAINING:
            errors["certificate"] = "Only a surveillance or recertification audit maintains a certificate."
        return errors

    def conducted_by(self, user) -> bool:
        """An internal audit's lead auditor or a member of its team: who records results and findings (a
        certification body's audit is recorded by who plans it: AuditPolicy.conducts)."""
        if user.pk == self.lead_auditor_id:
            return True
        return self.team.filter(pk=user.pk).exists()

    @property
    def kind_label(self) -> str:
        """ "Stage 2 audit by BSI" or "Internal audit": what the audit is, in the lists and pages."""
        if not self.is_certification:
            return self.get_kind_display()
        return f"{self.get_stage_display()} audit by {self.certification_body}"


def audited_by(user):
    """The audits `user` leads or is on the team of (an auditor's "my audits"), as a subquery: the
    dashboard counts them and the audit and finding lists filter by them (?audited_by_me=true)."""
    return Audit.objects.filter(Q(lead_auditor=user) | Q(team=user)).values("pk")


class Result(models.TextChoices):
    CONFORMING = "conforming", "Conforming"
    MINOR = "minor_nc", "Minor nonconformity"
    MAJOR = "major_nc", "Major nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"


# Each grade counted, in the plural (a figure of 0 or 3 findings): written out, never the label plus "s".
RESULT_PLURALS = {
    Result.CONFORMING: "Conforming",
    Result.MINOR: "Minor nonconformities",
    Result.MAJOR: "Major nonconformities",
    Result.OBSERVATION: "Observations",
    Result.OFI: "Opportunities for improvement",
}


NOT_CONFORMING = [r for r in Result.values if r != Result.CONFORMING]


class ChecklistItem(models.Model):
    """One question of an audit's checklist, with the auditor's result, notes and what was sampled."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="checklist")
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    system = models.ForeignKey(
        "lifecycle.AISystem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    question = models.TextField()
    result = models.CharField(max_length=12, choices=Result.choices, blank=True)
    notes = models.TextField(blank=True, help_text="What was seen, asked and concluded.")
    evidence = models.ManyToManyField(
        "audits.Evidence", blank=True, related_name="audit_checks", verbose_name="sampled evidence"
    )
    records_sampled = models.CharField(
        "records sampled", max_length=500, blank=True, help_text="References, e.g. RSK-0004, SYS-0002."
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["audit", "position", "id"]
        verbose_name = "checklist item"
        verbose_name_plural = "checklist items"

    def __str__(self):
        code = self.requirement.code if self.requirement_id else "—"
        return f"{code}: {self.question[:60]}"


class Finding(BaseRecord):
    """A checklist item that is not conforming (9.2, 10.2): graded by the auditor, answered by the
    auditee -- the finding's owner. A nonconformity in the Act registers may later point here."""

    reference_prefix = "FND"
    serves = ("9.2.2",)  # an audit result; its requirement is on the finding
    history_extra = ("grade", "status", "response", "proposed_action", "requirement")

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings", editable=False)
    checklist_item = models.OneToOneField(
        ChecklistItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="finding",
        editable=False,
    )
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    grade = models.CharField(
        max_length=12, choices=[(v, Result(v).label) for v in NOT_CONFORMING], editable=False
    )
    description = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, editable=False)
    response = models.TextField(blank=True, editable=False)
    proposed_action = models.TextField("proposed action", blank=True, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta(BaseRecord.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = "audit finding"
        verbose_name_plural = "audit findings"

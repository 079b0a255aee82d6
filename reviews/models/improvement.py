"""Improvement (ISO/IEC 42001 10.1, 10.2): nonconformities and their corrective actions with root cause
analysis and an effectiveness check, preventive actions, lessons learned and stakeholder feedback."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from aims.models import BaseRecord

WHYS = 5  # five whys: up to five why/because pairs


class Nonconformity(BaseRecord):
    reference_prefix = "NC"
    history_extra = ("status", "measurement", "finding", "closed_on")

    class Source(models.TextChoices):
        AUDIT = "audit", "Internal audit"
        INCIDENT = "incident", "AI incident"
        KPI = "kpi", "KPI breach"
        COMPLAINT = "complaint", "Complaint or feedback"
        REVIEW = "review", "Management review"
        OTHER = "other", "Other"

    class Grade(models.TextChoices):
        MAJOR = "major", "Major"
        MINOR = "minor", "Minor"

    # A grade counted, as the dashboard says it ("1 open major nonconformity", "2 ... nonconformities").
    GRADE_NOUNS = {
        Grade.MAJOR: ("major nonconformity", "major nonconformities"),
        Grade.MINOR: ("minor nonconformity", "minor nonconformities"),
    }

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PLANNED = "planned", "Action planned"
        DONE = "done", "Action done"
        VERIFYING = "verifying", "Verifying effectiveness"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    OPEN_STATUSES = (Status.OPEN, Status.PLANNED, Status.DONE, Status.VERIFYING, Status.REOPENED)

    source = models.CharField(max_length=10, choices=Source.choices)
    incident = models.ForeignKey(
        "lifecycle.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="nonconformities"
    )
    kpi = models.ForeignKey(
        "lifecycle.KPI", null=True, blank=True, on_delete=models.PROTECT, related_name="nonconformities",
        verbose_name="KPI",
    )  # fmt: skip
    # Set only when raised from an internal audit's finding (not on the form or in the API).
    finding = models.ForeignKey(
        "audits.Finding", null=True, blank=True, on_delete=models.PROTECT, related_name="nonconformities",
        editable=False, verbose_name="audit finding",
    )  # fmt: skip
    measurement = models.ForeignKey(
        "lifecycle.Measurement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )  # fmt: skip
    audit = models.ForeignKey(
        "audits.Audit", null=True, blank=True, on_delete=models.PROTECT, related_name="nonconformities",
        verbose_name="internal audit", help_text="The internal audit that found it; set from the finding when raised from one.",
    )  # fmt: skip
    review = models.ForeignKey(
        "reviews.ManagementReview", null=True, blank=True, on_delete=models.PROTECT,
        related_name="nonconformities", verbose_name="management review",
        help_text="The management review at which it was raised.",
    )  # fmt: skip
    source_note = models.CharField(
        "where it was found (note)", max_length=100, blank=True,
        help_text="When no record above names the source: an external audit, a phone complaint.",
    )  # fmt: skip
    description = models.TextField("what is wrong")
    grade = models.CharField(max_length=5, choices=Grade.choices)
    containment = models.TextField(
        "containment", blank=True, help_text="What was done straight away to limit the effect."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, editable=False)
    closed_on = models.DateField(null=True, blank=True, editable=False)

    class Meta(BaseRecord.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = "nonconformity"
        verbose_name_plural = "nonconformities"

    def clean(self):
        if self.source == self.Source.INCIDENT and not self.incident_id:
            raise ValidationError({"incident": "Name the AI incident this nonconformity comes from."})
        if self.source == self.Source.KPI and not self.kpi_id:
            raise ValidationError({"kpi": "Name the KPI whose breach this nonconformity comes from."})
        noted = bool((self.source_note or "").strip())
        if self.source == self.Source.REVIEW and not (self.review_id or noted):
            raise ValidationError(
                {"review": "Name the management review at which this nonconformity was raised."}
            )
        if self.source == self.Source.AUDIT and not (self.audit_id or self.finding_id or noted):
            raise ValidationError(
                {"audit": "Name the internal audit that found it, or say which audit in the note."}
            )
        if self.finding_id and self.audit_id and self.audit_id != self.finding.audit_id:
            raise ValidationError(
                {"audit": f"Its finding {self.finding.reference} is of {self.finding.audit.reference}."}
            )

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class CorrectiveAction(BaseRecord):
    """What removes the cause of a nonconformity (10.2): five whys, the cause's category, the actions,
    and a check some time after they are done that they worked, by someone other than the owner."""

    reference_prefix = "CA"
    serves = ("10.2",)  # the action and its result
    history_extra = ("status", "actions_done_on", "check_result", "check_notes", "checked_by", "checked_on")

    class CauseCategory(models.TextChoices):
        PEOPLE = "people", "People"
        PROCESS = "process", "Process"
        TECHNOLOGY = "technology", "Technology"
        DATA = "data", "Data"
        SUPPLIER = "supplier", "Supplier"
        GOVERNANCE = "governance", "Governance"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ANALYSING = "analysing", "Analysing the cause"
        PLANNED = "planned", "Actions planned"
        DONE = "done", "Actions done: effectiveness check to come"
        EFFECTIVE = "effective", "Effective"
        NOT_EFFECTIVE = "not_effective", "Not effective"

    class Result(models.TextChoices):
        EFFECTIVE = "effective", "Effective"
        NOT_EFFECTIVE = "not_effective", "Not effective"

    nonconformity = models.ForeignKey(
        Nonconformity, on_delete=models.PROTECT, related_name="corrective_actions"
    )
    why_1 = models.TextField("why? (1)", blank=True)
    because_1 = models.TextField("because (1)", blank=True)
    why_2 = models.TextField("why? (2)", blank=True)
    because_2 = models.TextField("because (2)", blank=True)
    why_3 = models.TextField("why? (3)", blank=True)
    because_3 = models.TextField("because (3)", blank=True)
    why_4 = models.TextField("why? (4)", blank=True)
    because_4 = models.TextField("because (4)", blank=True)
    why_5 = models.TextField("why? (5)", blank=True)
    because_5 = models.TextField("because (5)", blank=True)
    cause_category = models.CharField(
        "cause category", max_length=10, choices=CauseCategory.choices, blank=True
    )
    check_after_days = models.PositiveSmallIntegerField(
        "check effectiveness after (days)", default=30,
        help_text="Days after the last action is done, e.g. 30, 60 or 90; 0 checks straight away.",
    )  # fmt: skip
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.ANALYSING, editable=False)
    actions_done_on = models.DateField("actions done on", null=True, blank=True, editable=False)
    check_result = models.CharField(
        "effectiveness", max_length=14, choices=Result.choices, blank=True, editable=False
    )
    check_notes = models.TextField("effectiveness notes", blank=True, editable=False)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False, verbose_name="checked by",
    )  # fmt: skip
    checked_on = models.DateField("checked on", null=True, blank=True, editable=False)

    class Meta(BaseRecord.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = "corrective action"
        verbose_name_plural = "corrective actions"

    def clean(self):
        if self.check_after_days is not None and self.check_after_days > 365:
            raise ValidationError({"check_after_days": "Check within a year: at most 365 days."})
        errors = {}
        for n in range(1, WHYS + 1):
            why, because = getattr(self, f"why_{n}").strip(), getattr(self, f"because_{n}").strip()
            if why and not because:
                errors[f"because_{n}"] = f"Answer why {n}: say what it is because of."
            elif because and not why:
                errors[f"why_{n}"] = f"Ask why {n} before answering it."
            if (why or because) and n > 1 and not getattr(self, f"why_{n - 1}").strip():
                errors.setdefault(f"why_{n - 1}", f"Fill the whys in order: why {n - 1} is empty.")
        if errors:
            raise ValidationError(errors)

    @property
    def whys(self) -> list[tuple[str, str]]:
        pairs = [(getattr(self, f"why_{n}"), getattr(self, f"because_{n}")) for n in range(1, WHYS + 1)]
        return [(w, b) for w, b in pairs if w.strip()]

    @property
    def check_due_on(self) -> dt.date | None:
        if self.actions_done_on is None:
            return None
        return self.actions_done_on + dt.timedelta(days=self.check_after_days)


class ImprovementAction(models.Model):
    """One action of a corrective action: who does what by when (a row of its table)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    corrective_action = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField()
    description = models.CharField("action", max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("due")
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "improvement actions"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["corrective_action", "number"], name="reviews_action_number")
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="reviews_action_due")]

    def __str__(self):
        return f"{self.corrective_action.reference}/{self.number} {self.description}"


class PreventiveAction(BaseRecord):
    """Acting before a nonconformity happens (10.1): from a risk or a trend in the measurements."""

    reference_prefix = "PA"
    serves = ("10.1",)  # acting before a nonconformity

    class Source(models.TextChoices):
        RISK = "risk", "AI risk"
        TREND = "trend", "Trend"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    source = models.CharField(max_length=5, choices=Source.choices)
    risk = models.ForeignKey(
        "registers.Risk", null=True, blank=True, on_delete=models.PROTECT, related_name="preventive_actions",
        verbose_name="AI risk",
    )  # fmt: skip
    kpi = models.ForeignKey(
        "lifecycle.KPI", null=True, blank=True, on_delete=models.PROTECT, related_name="preventive_actions",
        verbose_name="KPI",
    )  # fmt: skip
    trend = models.TextField("trend seen", blank=True)
    description = models.TextField("what will be done")
    due_on = models.DateField("due")
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField("done on", null=True, blank=True)

    class Meta(BaseRecord.Meta):
        ordering = ["due_on", "id"]
        verbose_name = "preventive action"
        verbose_name_plural = "preventive actions"

    def clean(self):
        if self.source == self.Source.RISK and not self.risk_id:
            raise ValidationError({"risk": "Name the AI risk this action prevents."})
        if self.source == self.Source.TREND and not self.trend.strip():
            raise ValidationError({"trend": "Describe the trend this action responds to."})
        if self.status == self.Status.DONE and not self.done_on:
            raise ValidationError({"done_on": "Say when it was done."})


class Lesson(BaseRecord):
    """What we learned (10.1): from incidents, nonconformities, audits and feedback."""

    reference_prefix = "LES"
    serves = ("10.1",)  # continual improvement

    what_happened = models.TextField("what happened")
    learned = models.TextField("what we learned")
    changed = models.TextField("what changed", blank=True)
    incidents = models.ManyToManyField("lifecycle.Incident", blank=True, related_name="lessons")
    nonconformities = models.ManyToManyField(Nonconformity, blank=True, related_name="lessons")
    corrective_actions = models.ManyToManyField(CorrectiveAction, blank=True, related_name="lessons")
    audits = models.ManyToManyField(
        "audits.Audit", blank=True, related_name="lessons", verbose_name="internal audits"
    )
    audit_note = models.CharField(
        "audit (note)", max_length=100, blank=True,
        help_text="An audit that is not in the audit register, e.g. the certification body's stage 1 audit.",
    )  # fmt: skip

    class Meta(BaseRecord.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name = "lesson learned"
        verbose_name_plural = "lessons learned"


class Feedback(BaseRecord):
    """Feedback from an interested party (10.1): anyone signed in records it; the AIMS manager triages
    it into a lesson, a nonconformity (a complaint) or no action, with the reason."""

    reference_prefix = "FBK"
    serves = ("10.1",)  # feedback that drives improvement
    history_extra = ("outcome", "outcome_reason", "lesson", "nonconformity")

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        MEETING = "meeting", "Meeting"
        SURVEY = "survey", "Survey"
        COMPLAINT = "complaint", "Complaint form"
        SOCIAL = "social", "Social media"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for triage"
        LESSON = "lesson", "Lesson learned"
        NONCONFORMITY = "nonconformity", "Nonconformity (complaint)"
        NO_ACTION = "no_action", "No action"

    party = models.ForeignKey(
        "registers.InterestedParty", null=True, blank=True, on_delete=models.PROTECT, related_name="feedback",
        verbose_name="interested party",
    )  # fmt: skip
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_on = models.DateField("received on")
    summary = models.TextField("what they said")
    outcome = models.CharField(
        max_length=13, choices=Outcome.choices, default=Outcome.PENDING, editable=False
    )
    outcome_reason = models.TextField("triage reason", blank=True, editable=False)
    lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback", editable=False
    )
    nonconformity = models.ForeignKey(
        Nonconformity,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
        editable=False,
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False,
    )  # fmt: skip
    triaged_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(BaseRecord.Meta):
        ordering = ["-received_on", "-id"]
        verbose_name = "feedback"
        verbose_name_plural = "feedback"

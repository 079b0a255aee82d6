"""The obligations of a high-risk AI system under the EU AI Act (Regulation (EU) 2024/1689), one record
per obligation, so an owner keeps each current and an auditor samples it: the provider's Annex IV
technical documentation section by section, conformity assessment, declaration, registration,
post-market monitoring plan and retention periods; the deployer's log retention, fundamental rights
impact assessment and its notification, and registration of use.

DUTIES is the one table of what each obligation is, whose it is, which article asks it (in our own
words, never the Act's text), which fields record how it is met and which of those it needs before it
counts as done. Serious-incident reporting (Art. 73) is the incidents' own (lifecycle.models.incidents)."""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from aims.models import BaseRecord
from aims.models.records import live_index

PROVIDER, DEPLOYER = "provider", "deployer"
ROLE_PLURALS = {PROVIDER: "providers", DEPLOYER: "deployers"}
MIN_LOG_MONTHS = 6  # Art. 19(1) and Art. 26(6): at least six months, unless other law says otherwise
KEEP_DOCUMENTATION_YEARS = 10  # Art. 18(1): ten years after it is placed on the market or put into service


@dataclass(frozen=True)
class Duty:
    key: str
    role: str  # PROVIDER or DEPLOYER
    cite: str  # where the Act asks it: "Art. 11(1), Annex IV point 2"
    article: str  # the EU AI Act article in the catalogue ("Art. 11"): its crosswalk gives the 42001 links
    title: str
    asks: str  # what it asks, in our words
    details: tuple[str, ...] = ()  # the fields that record how it is met
    needs: tuple[str, ...] = ()  # of those, what must be filled in before it is done
    evidence: bool = False  # documentation: done only with evidence attached (the Evidence tab)

    @property
    def role_plural(self) -> str:
        """Whose duty it is, in general: "providers", "deployers"."""
        return ROLE_PLURALS[self.role]


def _annex_iv(point: int, title: str, asks: str) -> Duty:
    return Duty(f"annex_iv_{point}", PROVIDER, f"Art. 11(1), Annex IV point {point}", "Art. 11",
                f"Annex IV point {point}: {title}", asks, evidence=True)  # fmt: skip


DUTIES: tuple[Duty, ...] = (
    _annex_iv(1, "general description", "What the system is for, who provides it and which version; how it "
              "works with other hardware and software; the forms it is supplied in; its user interface and "
              "instructions for use."),
    _annex_iv(2, "elements and development", "How it was built: methods and design choices, architecture, "
              "the data used and how it was prepared, oversight measures designed in, changes planned in "
              "advance, how it was validated and tested, and its cybersecurity measures."),
    _annex_iv(3, "monitoring, functioning and control", "What it can and cannot do, how accurate it is for "
              "the people it is used on, outcomes to expect that nobody intended, the human oversight it "
              "needs, and what its input data must be."),
    _annex_iv(4, "fitness of the performance metrics", "Why the metrics used to judge its performance suit "
              "this system."),
    _annex_iv(5, "risk management system", "The risk management system run for it across its life cycle "
              "(Art. 9)."),
    _annex_iv(6, "changes over the life cycle", "The relevant changes the provider made to it over its life "
              "cycle."),
    _annex_iv(7, "standards and specifications applied", "The harmonised standards applied, or the other "
              "solutions used to meet the high-risk requirements."),
    _annex_iv(8, "copy of the declaration of conformity", "A copy of the EU declaration of conformity "
              "(Art. 47)."),
    _annex_iv(9, "post-market evaluation", "How its performance is evaluated once on the market, with the "
              "post-market monitoring plan (Art. 72)."),
    Duty("conformity", PROVIDER, "Art. 43", "Art. 43", "Conformity assessment",
         "Assess conformity before placing it on the market: internal control (Annex VI), or assessment of "
         "the quality management system and technical documentation by a notified body (Annex VII).",
         details=("conformity_route", "notified_body_number"), needs=("conformity_route",)),
    Duty("declaration", PROVIDER, "Art. 47", "Art. 47", "EU declaration of conformity",
         "Draw up and sign the EU declaration of conformity, and keep it for the authorities.",
         details=("declared_on", "declaration_reference"), needs=("declared_on", "declaration_reference")),
    Duty("registration", PROVIDER, "Art. 49(1), Art. 71", "Art. 49", "Registration in the EU database",
         "Register the system, and ourselves as its provider, in the EU database before placing it on the "
         "market or putting it into service.",
         details=("registration_number", "registered_on"), needs=("registration_number", "registered_on")),
    Duty("monitoring_plan", PROVIDER, "Art. 72", "Art. 72", "Post-market monitoring plan",
         "Set up post-market monitoring in proportion to the risks, based on a written plan that is part "
         "of the technical documentation.", evidence=True),
    Duty("documentation_kept", PROVIDER, "Art. 18(1)", "Art. 18", "Documentation kept ten years",
         "Keep the technical documentation, the quality management system documents and the declaration "
         "of conformity for the authorities for ten years after placing it on the market.",
         details=("placed_on_market_on",), needs=("placed_on_market_on",)),
    Duty("provider_logs", PROVIDER, "Art. 19(1)", "Art. 19", "Automatically generated logs kept",
         "Keep the logs the system generates automatically, where under our control, for at least six "
         "months.", details=("log_retention_months",), needs=("log_retention_months",)),
    Duty("deployer_logs", DEPLOYER, "Art. 26(6)", "Art. 26", "Logs kept at least six months",
         "Keep the logs the system generates automatically, where under our control, for at least six "
         "months.", details=("log_retention_months",), needs=("log_retention_months",)),
    Duty("fria", DEPLOYER, "Art. 27(1)", "Art. 27", "Fundamental rights impact assessment",
         "Before first use, assess the impact on fundamental rights: public bodies, private bodies "
         "providing public services, and deployers scoring credit or pricing life and health insurance.",
         details=("impact_assessment",), needs=("impact_assessment",)),
    Duty("fria_notified", DEPLOYER, "Art. 27(3)", "Art. 27", "FRIA results notified to the authority",
         "Notify the market surveillance authority of the assessment's results, with the filled-in "
         "template.", details=("notified_on",), needs=("notified_on",)),
    Duty("use_registration", DEPLOYER, "Art. 49(3)", "Art. 49", "Registration of use in the EU database",
         "A deployer that is a public authority or body registers itself and its use of the system in the "
         "EU database before using it.",
         details=("public_body", "registration_number", "registered_on"),
         needs=("registration_number", "registered_on")),
)  # fmt: skip

DUTY = {duty.key: duty for duty in DUTIES}
DETAIL_FIELDS = tuple(dict.fromkeys(name for duty in DUTIES for name in duty.details))
NOTIFIED_BODY = re.compile(r"^\d{4}$")  # notified bodies are numbered with four digits (NANDO)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the day before the 1st of March
        return day.replace(year=day.year + years, day=28)


class HighRiskObligation(BaseRecord):
    reference_prefix = "HRO"
    history_extra = ("state",)  # moved by its transitions, not the form

    class State(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    class Route(models.TextChoices):
        INTERNAL = "annex_vi", "Internal control (Annex VI)"
        NOTIFIED_BODY = "annex_vii", "Notified body (Annex VII)"
        PRODUCT_LAW = "product_law", "The procedure of the Annex I product legislation (Art. 43(3))"

    OPEN = (State.NOT_STARTED, State.IN_PROGRESS)

    system = models.ForeignKey(
        "lifecycle.AISystem", on_delete=models.PROTECT, related_name="high_risk_obligations",
        verbose_name="AI system",
    )  # fmt: skip
    duty = models.CharField("obligation", max_length=20, choices=[(d.key, d.title) for d in DUTIES])
    state = models.CharField(max_length=16, choices=State.choices, default=State.NOT_STARTED, editable=False)
    not_applicable_reason = models.TextField("why it does not apply", blank=True, editable=False)
    due_on = models.DateField("due", null=True, blank=True)
    how_met = models.TextField("how it is met", blank=True, help_text="What was done, where it is kept.")
    conformity_route = models.CharField(
        "conformity assessment route", max_length=12, choices=Route.choices, blank=True
    )
    notified_body_number = models.CharField(
        "notified body number", max_length=4, blank=True,
        help_text="The four-digit number of the notified body (Annex VII only).",
    )  # fmt: skip
    declared_on = models.DateField("declaration signed on", null=True, blank=True)
    declaration_reference = models.CharField("declaration reference", max_length=100, blank=True)
    registration_number = models.CharField("EU database registration number", max_length=100, blank=True)
    registered_on = models.DateField("registered on", null=True, blank=True)
    placed_on_market_on = models.DateField(
        "placed on the market or put into service on", null=True, blank=True
    )
    log_retention_months = models.PositiveSmallIntegerField(
        "log retention (months)", null=True, blank=True, help_text="At least six months."
    )
    impact_assessment = models.ForeignKey(
        "lifecycle.ImpactAssessment", null=True, blank=True, on_delete=models.PROTECT,
        related_name="high_risk_obligations", verbose_name="fundamental rights impact assessment",
    )  # fmt: skip
    notified_on = models.DateField("results notified to the authority on", null=True, blank=True)
    public_body = models.BooleanField(
        "we use it as a public authority or body", null=True, blank=True,
        help_text="Asked here when the EU AI Act classification does not say.",
    )  # fmt: skip

    class Meta(BaseRecord.Meta):
        ordering = ["system__title", "id"]
        verbose_name = "high-risk obligation"
        verbose_name_plural = "high-risk obligations"
        indexes = [live_index("lifecycle_hro_live"), models.Index(fields=["state", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "duty"], condition=Q(archived_at__isnull=True), name="hro_one_live_per_duty"
            )
        ]

    @property
    def spec(self) -> Duty:
        return DUTY[self.duty]

    @property
    def keep_until(self) -> dt.date | None:
        """Art. 18(1): the documentation is kept until ten years after the system was placed on the market."""
        if self.duty != "documentation_kept" or not self.placed_on_market_on:
            return None
        return add_years(self.placed_on_market_on, KEEP_DOCUMENTATION_YEARS)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return bool(self.due_on and self.state in self.OPEN and self.due_on < (today or timezone.localdate()))

    def get_status_display(self) -> str:
        return self.get_state_display()

    def clean(self):
        if not self.duty or self.duty not in DUTY:
            return  # the field's own choice error says it
        spec, errors = self.spec, {}
        for name in DETAIL_FIELDS:
            if name not in spec.details and getattr(self, name) not in (None, ""):
                errors[name] = f"Not part of this obligation ({spec.title}); leave it empty."
        if self.log_retention_months is not None and self.log_retention_months < MIN_LOG_MONTHS:
            errors["log_retention_months"] = (
                f"{spec.cite}: logs are kept at least six months; {self.log_retention_months} is too short."
            )
        if self.notified_body_number and not NOTIFIED_BODY.match(self.notified_body_number):
            errors["notified_body_number"] = "A notified body's number is four digits, e.g. 0123."
        if self.conformity_route == self.Route.NOTIFIED_BODY and not self.notified_body_number:
            errors["notified_body_number"] = "Annex VII: name the notified body by its four-digit number."
        if self.notified_body_number and self.conformity_route != self.Route.NOTIFIED_BODY:
            errors["notified_body_number"] = "Only an assessment by a notified body (Annex VII) has one."
        if self.impact_assessment_id and self.impact_assessment.system_id != self.system_id:
            errors["impact_assessment"] = "Choose an impact assessment of this AI system."
        elif self.impact_assessment_id and not self.impact_assessment.fria_needed:
            errors["impact_assessment"] = (
                "Art. 27: choose an impact assessment that carries the fundamental rights part."
            )
        if self.registered_on and self.registered_on > timezone.localdate():
            errors["registered_on"] = "A registration date cannot be in the future."
        if self.state == self.State.DONE:
            for name in spec.needs:
                if getattr(self, name) in (None, "") and name not in errors:
                    label = self._meta.get_field(name).verbose_name
                    errors[name] = f"{spec.cite}: give the {label} before marking it done."
        if errors:
            raise ValidationError(errors)

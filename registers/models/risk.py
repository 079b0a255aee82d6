"""The AI risk register (ISO/IEC 42001 6.1.2 assessment, 6.1.3 treatment, 8.2 and 8.3 in operation)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from aims.catalogue_data import RISK_SOURCES
from aims.models import BaseRecord

SCALE = [MinValueValidator(1), MaxValueValidator(5)]
LIKELIHOOD_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Negligible", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}


def default_bands():
    return [
        {"name": "Low", "min": 1, "max": 4, "colour": "#a5d6a7"},
        {"name": "Medium", "min": 5, "max": 9, "colour": "#ffe082"},
        {"name": "High", "min": 10, "max": 16, "colour": "#ffab91"},
        {"name": "Critical", "min": 17, "max": 25, "colour": "#ef9a9a"},
    ]


@dataclass(frozen=True)
class Band:
    name: str
    min: int
    max: int
    colour: str

    @property
    def slug(self) -> str:
        return self.name.lower()


class RiskCriteria(models.Model):
    """AI risk criteria (6.1.1): level bands over likelihood x impact, and the appetite.

    Configuration, not code: one row, edited by the AIMS manager. Levels are computed from scores
    with these bands at read time, so changing a band re-levels every risk at once."""

    bands = models.JSONField(default=default_bands)
    appetite = models.CharField(
        max_length=30,
        default="Medium",
        help_text="Highest level an owner may accept; above it only the board.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name_plural = "risk criteria"

    def __str__(self):
        return "AI risk criteria"

    CACHE_KEY = "risk-criteria:v1"

    @classmethod
    def current(cls) -> "RiskCriteria":
        """The criteria, from the shared cache: read on nearly every page, changed rarely."""
        criteria = cache.get(cls.CACHE_KEY)
        if criteria is None:
            criteria, _ = cls.objects.get_or_create(pk=1)
            cache.set(cls.CACHE_KEY, criteria, 300)
        return criteria

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    def clean(self):
        bands = self.band_list
        expected = 1
        for band in bands:
            if band.min != expected or band.max < band.min:
                raise ValidationError({"bands": "Bands must cover scores 1 to 25 in order, without gaps."})
            expected = band.max + 1
        if expected != 26:
            raise ValidationError({"bands": "Bands must end at 25."})
        if self.appetite not in {b.name for b in bands}:
            raise ValidationError({"appetite": "The appetite must name one of the bands."})

    def describe(self) -> dict[str, str]:
        """The criteria as text, for history."""
        return {
            "bands": "; ".join(f"{b.name} {b.min}-{b.max}" for b in self.band_list),
            "appetite": self.appetite,
        }

    @property
    def band_list(self) -> list[Band]:
        # Parsed once per value of `bands` (a list page asks for two levels per row); a form or an import
        # assigns a new list, which is parsed again.
        parsed = self.__dict__.get("_band_list")
        if parsed is None or parsed[0] is not self.bands:
            bands = [
                Band(b["name"], int(b["min"]), int(b["max"]), b.get("colour", "#dddddd")) for b in self.bands
            ]
            parsed = self.__dict__["_band_list"] = (self.bands, bands)
        return list(parsed[1])

    def level(self, score: int | None) -> Band | None:
        if not score:
            return None
        for band in self.band_list:
            if band.min <= score <= band.max:
                return band
        return None

    def band_named(self, name: str) -> Band | None:
        return next((b for b in self.band_list if b.slug == name.lower()), None)

    @property
    def appetite_max(self) -> int:
        band = self.band_named(self.appetite)
        return band.max if band else 0

    def level_case(self, field: str) -> Case:
        """SQL expression giving each band's position for `field`, to count by level in one query."""
        return Case(
            *[
                When(**{f"{field}__range": (b.min, b.max)}, then=Value(i))
                for i, b in enumerate(self.band_list)
            ],
            output_field=IntegerField(),
        )


class RiskCategory(models.Model):
    """Configurable risk categories; the defaults come from a data migration."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "risk categories"

    def __str__(self):
        return self.name


class Risk(BaseRecord):
    reference_prefix = "RSK"
    # The register is the record of risk assessment (6.1.2, 8.2) and of its treatment (6.1.3, 8.3).
    serves = ("6.1.2", "6.1.3", "8.2", "8.3")
    history_extra = ("accepted_by", "accepted_on", "acceptance_rationale", "reassessment_due")

    class Treatment(models.TextChoices):
        AVOID = "avoid", "Avoid"
        MITIGATE = "mitigate", "Mitigate"
        TRANSFER = "transfer", "Transfer"
        ACCEPT = "accept", "Accept"

    class Status(models.TextChoices):
        IDENTIFIED = "identified", "Identified"
        ASSESSED = "assessed", "Assessed"
        TREATING = "treating", "In treatment"
        ACCEPTED = "accepted", "Accepted"
        CLOSED = "closed", "Closed"

    RiskSource = models.TextChoices("RiskSource", [(code, (code, title)) for code, title in RISK_SOURCES])

    description = models.TextField(blank=True)
    systems = models.ManyToManyField(
        "lifecycle.AISystem", blank=True, related_name="risks", verbose_name="AI systems",
        help_text="The AI systems this risk concerns; none for a risk to the whole AIMS.",
    )  # fmt: skip
    # Why the risk must be assessed again (a new model version or dataset of its system), until it is.
    reassessment_due = models.CharField("reassessment due", max_length=500, blank=True, editable=False)
    system_note = models.CharField(
        "AI system named in text", max_length=200, blank=True,
        help_text="A system not in the inventory, as it was named. Choose it above once it is listed.",
    )  # fmt: skip
    category = models.ForeignKey(RiskCategory, on_delete=models.PROTECT, related_name="risks")
    risk_source = models.CharField(
        "risk source", max_length=10, choices=RiskSource.choices, help_text="Annex C.3 risk source."
    )
    affects_organisation = models.BooleanField("affects the organisation", default=False)
    affects_individuals = models.BooleanField("affects individuals", default=False)
    affects_groups = models.BooleanField("affects groups", default=False)
    affects_society = models.BooleanField("affects society", default=False)
    inherent_likelihood = models.PositiveSmallIntegerField(validators=SCALE)
    inherent_impact = models.PositiveSmallIntegerField(validators=SCALE)
    existing_controls = models.TextField(blank=True)
    treatment = models.CharField(max_length=10, choices=Treatment.choices, default=Treatment.MITIGATE)
    treatment_plan = models.TextField(blank=True)
    # 8.3: when the treatment is to be in place, and when it was; a treatment past its due date without a
    # date in place is a gap in the results of risk treatment.
    treatment_due_on = models.DateField(
        "treatment due", null=True, blank=True, help_text="When the treatment is to be in place."
    )
    treatment_done_on = models.DateField(
        "treatment in place on", null=True, blank=True,
        help_text="When the treatment was implemented; empty while it is under way.",
    )  # fmt: skip
    residual_likelihood = models.PositiveSmallIntegerField(validators=SCALE)
    residual_impact = models.PositiveSmallIntegerField(validators=SCALE)
    target_likelihood = models.PositiveSmallIntegerField(validators=SCALE, null=True, blank=True)
    target_impact = models.PositiveSmallIntegerField(validators=SCALE, null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IDENTIFIED)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    accepted_on = models.DateField(null=True, blank=True, editable=False)
    acceptance_rationale = models.TextField(blank=True, editable=False)
    # Stored products of likelihood x impact, so lists filter, sort and count by level in SQL.
    inherent_score = models.PositiveSmallIntegerField(editable=False, default=0)
    residual_score = models.PositiveSmallIntegerField(editable=False, default=0)
    target_score = models.PositiveSmallIntegerField(editable=False, null=True)

    AFFECTED = ("affects_organisation", "affects_individuals", "affects_groups", "affects_society")

    class Meta(BaseRecord.Meta):
        ordering = ["-residual_score", "reference"]
        verbose_name = "risk"
        verbose_name_plural = "AI risks"
        indexes = [
            *BaseRecord.Meta.indexes,
            models.Index(fields=["residual_score"]),
            models.Index(fields=["inherent_score"]),
            models.Index(fields=["next_review_on"]),
            models.Index(fields=["owner", "archived_at"]),
            # The register's default order on live rows: the list and its API read the first page off this
            # index and join owner, category and the rest for those 50 rows only, not for every risk.
            models.Index(
                models.F("residual_score").desc(),
                "reference",
                name="registers_risk_default_order",
                condition=models.Q(archived_at__isnull=True),
            ),
            # Everything the one scan of the register groups by (registers.dashboard.register_summary), so
            # PostgreSQL answers it from the index alone: 52 ms -> 19 ms at 100,000. Residual cells and
            # category first: the dashboard's panel groups by those three alone, the board pack by all five,
            # and both then count in the index's order, with no hash table.
            models.Index(
                fields=[
                    "residual_likelihood",
                    "residual_impact",
                    "category",
                    "inherent_likelihood",
                    "inherent_impact",
                    "next_review_on",
                ],
                include=["id"],
                name="registers_risk_summary",
                condition=models.Q(archived_at__isnull=True),
            ),  # fmt: skip
            # The open risks (live, not closed), ids alone: counting them per AI system (systems by
            # priority, the audit programme) or per control (the SoA) joins the links to this index, not
            # to the register's rows: 37 ms -> 5 ms for that side at 100,000 risks.
            models.Index(
                fields=["id"],
                name="registers_risk_open",
                condition=models.Q(archived_at__isnull=True) & ~models.Q(status="closed"),
            ),
            # Above appetite and not yet accepted (selectors.risks_awaiting_acceptance, on the dashboard and
            # in the board pack), by residual score: the count reads the few thousand scores above the
            # appetite from this index alone, not their rows scattered over the table: 16 ms -> 1 ms at
            # 100,000 risks. The appetite is the criteria's, so it is the range asked, not the condition.
            models.Index(
                fields=["residual_score"],
                name="registers_risk_awaiting",
                condition=models.Q(archived_at__isnull=True, accepted_by__isnull=True)
                & ~models.Q(status="closed"),
            ),
            # The treatment plan's risks (registers.treatment_plan.IN_PLAN) by last change: every list
            # page asks how many and when the last changed (the plan's standing), answered from this
            # index instead of reading the register: 108 ms -> 24 ms at 100,000 risks.
            models.Index(
                fields=["updated_at"],
                include=["id"],
                name="registers_risk_in_plan",
                condition=models.Q(archived_at__isnull=True, status__in=["assessed", "treating", "accepted"]),
            ),
        ]

    def compute_scores(self):
        self.inherent_score = (self.inherent_likelihood or 0) * (self.inherent_impact or 0)
        self.residual_score = (self.residual_likelihood or 0) * (self.residual_impact or 0)
        if self.target_likelihood and self.target_impact:
            self.target_score = self.target_likelihood * self.target_impact
        else:
            self.target_score = None

    def clean(self):
        self.compute_scores()
        errors = {}
        if not any(getattr(self, f) for f in self.AFFECTED):
            errors["affects_organisation"] = (
                "Say who the risk affects: organisation, individuals, groups or society."
            )
        if self.inherent_score and self.residual_score > self.inherent_score:
            errors["residual_impact"] = (
                f"Residual risk ({self.residual_score}) cannot exceed inherent risk ({self.inherent_score}); "
                "controls do not add risk."
            )
        if bool(self.target_likelihood) != bool(self.target_impact):
            errors["target_impact"] = "Give both target likelihood and target impact, or neither."
        elif self.target_score and self.target_score > self.residual_score:
            errors["target_impact"] = (
                f"Target risk ({self.target_score}) cannot exceed residual risk ({self.residual_score})."
            )
        if self.treatment != self.Treatment.ACCEPT and not self.treatment_plan.strip():
            errors["treatment_plan"] = (
                f"Describe how the risk will be treated ({self.get_treatment_display()})."
            )
        if self.treatment_done_on and self.treatment_done_on > timezone.localdate():
            errors["treatment_done_on"] = "The treatment cannot be in place on a date still to come."
        if self.status == self.Status.ACCEPTED and not self.accepted_by_id:
            errors["status"] = self.ACCEPT_ONLY_BY_ACTION
        if errors:
            raise ValidationError(errors)

    # The one home of "a risk is accepted only through Accept": the model refuses Accepted without an
    # acceptance, and forms and the API offer Accepted only to a risk that already is (editable_statuses).
    ACCEPT_ONLY_BY_ACTION = "A risk becomes Accepted only through the Accept risk action."

    def status_editable_to(self, status) -> bool:
        """Whether an edit (form or API) may set `status`: Accepted only where it already is."""
        return status != self.Status.ACCEPTED or (self.pk is not None and self.status == status)

    @property
    def affected_labels(self) -> list[str]:
        return [
            str(self._meta.get_field(f).verbose_name).removeprefix("affects ")
            for f in self.AFFECTED
            if getattr(self, f)
        ]

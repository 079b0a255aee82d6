"""Standards and their requirements as data (clauses, headings, Annex A objectives and controls).

Built to hold more than one standard and crosswalk links between them; ISO/IEC 42001 is loaded by a
data migration from aims.catalogue_data."""

from django.db import models
from django.urls import reverse


class Standard(models.Model):
    key = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    title = models.CharField(max_length=255)
    edition = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "standards"
        ordering = ["name"]

    def __str__(self):
        return self.name


# The standard records are mapped to (the catalogue's other standards are reached through crosswalks).
PRIMARY_STANDARD = "iso42001"


class RequirementQuerySet(models.QuerySet):
    def mappable(self):
        """What a record may link to: the auditable leaves of ISO/IEC 42001. Another standard's "4.1" shares
        the code, so code look-ups for records go through here."""
        return self.filter(standard__key=PRIMARY_STANDARD, kind__in=Requirement.MAPPABLE)


class Requirement(models.Model):
    class Kind(models.TextChoices):
        CLAUSE = "clause", "Clause"
        HEADING = "heading", "Heading"
        REQUIREMENT = "requirement", "Requirement"
        ANNEX = "annex", "Annex"
        OBJECTIVE = "objective", "Control objective"
        CONTROL = "control", "Control"

    # Kinds a record can be mapped to: auditable leaves only.
    MAPPABLE = (Kind.REQUIREMENT, Kind.CONTROL)

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="requirements")
    key = models.CharField(max_length=64, unique=True, help_text="Stable id, e.g. iso42001:A.6.2.4")
    code = models.CharField(max_length=32)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True, help_text="Our own paraphrase, never the standard's text.")
    position = models.PositiveIntegerField(help_text="Document order within the standard.")

    objects = RequirementQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "requirements"
        ordering = ["standard", "position"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="requirement_code_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("catalogue-detail", args=[self.key])

    @property
    def is_mappable(self) -> bool:
        return self.kind in self.MAPPABLE and self.standard.key == PRIMARY_STANDARD


def requirement_fields(model) -> list[str]:
    """Every field by which a record names a clause or control: the mapping every record has
    (`requirements`) and a register's own (a finding's requirement, an audit's scope, an SoA entry's
    control)."""
    return [
        f.name
        for f in model._meta.get_fields()
        if f.is_relation and f.related_model is Requirement and f.concrete and not f.auto_created
    ]


def naming(queryset, requirement):
    """The records of `queryset` that name `requirement` by any of their fields: what the catalogue page
    lists and what a list's "clause or control" filter keeps, so the two agree."""
    names = models.Q()
    for name in requirement_fields(queryset.model):
        names |= models.Q(**{name: requirement})
    if not names:
        return queryset.none()
    # A subquery of keys: one row per record, however many of its fields name the requirement.
    return queryset.filter(pk__in=queryset.model.objects.filter(names).values("pk"))


class Crosswalk(models.Model):
    """A link between requirements of two standards (e.g. 42001 4.1 ~ 27001 4.1)."""

    class Strength(models.TextChoices):
        EQUIVALENT = "equivalent", "Equivalent"
        RELATED = "related", "Related"
        ANALYTICAL = "analytical", "Analytical (not an official crosswalk)"

    source = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="crosswalks_out")
    target = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="crosswalks_in")
    strength = models.CharField(max_length=16, choices=Strength.choices)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name_plural = "crosswalks"
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="crosswalk_unique")]

    def __str__(self):
        return f"{self.source} ~ {self.target}"

"""Reads of the AI risk register (6.1.2 assessment results) for pages, dashboards and reports.

Every function takes a queryset of Risk the caller has already passed through
`Risk.objects.restrict(user, "view")`: selectors never widen or narrow what a user may see, they only
aggregate it. Each one is a single SQL query, so a dashboard over 10,000 risks costs the same as one
over ten."""

from django.db.models import Count, Q

from .models import Risk, RiskCriteria
from .models.risk import Band

WHICH = ("inherent", "residual")


def risks_awaiting_acceptance(risks):
    """Above appetite and not yet accepted: the board's decision (6.1.3). The one definition the
    dashboard, "waiting for my decision", readiness, the roadmap and stage gates all use."""
    return risks.filter(
        residual_score__gt=RiskCriteria.current().appetite_max, accepted_by__isnull=True
    ).exclude(status=Risk.Status.CLOSED)


def open_risk_counts(systems) -> dict[int, int]:
    """{AI system id: how many live risks that are not closed name it} for `systems` (ids, or a queryset
    of them): one grouped scan of the links against the open-risks index (Risk.Meta.indexes). Every
    open risk counts, whoever asks: the figure is the system's, as the audit programme weighs it."""
    links = Risk.systems.through.objects.filter(
        aisystem_id__in=systems, risk__archived_at__isnull=True
    ).exclude(risk__status=Risk.Status.CLOSED)
    return dict(links.order_by().values_list("aisystem_id").annotate(n=Count("risk_id")))


def above_appetite(risks):
    """Residual score above the appetite, accepted or not: the dashboard's "above appetite" tile
    (registers.dashboard.register_summary counts the same) and the list's ?above_appetite=true."""
    return risks.filter(residual_score__gt=RiskCriteria.current().appetite_max)


def residual_trends(risks) -> dict[int, tuple[int, object]]:
    """{risk id: (residual score before its last reassessment, when it was reassessed)} for the risks
    whose residual likelihood or impact was ever changed; the board reads whether a risk is rising. One
    query over the risks' history (small: only the given risks)."""
    from django.contrib.contenttypes.models import ContentType

    from aims.models import Change

    current = {r.pk: (r.residual_likelihood, r.residual_impact) for r in risks}
    trends: dict[int, tuple[int, object]] = {}
    changes = Change.objects.filter(
        content_type=ContentType.objects.get_for_model(Risk), object_id__in=list(current)
    ).order_by("object_id", "-version", "-id")
    for change in changes.only("object_id", "changes", "at"):
        if change.object_id in trends:
            continue  # the latest reassessment only
        old = {c["field"]: c.get("old") for c in change.changes if c.get("field") in RESIDUAL}
        if not old:
            continue
        likelihood, impact = current[change.object_id]
        try:
            likelihood = int(str(old.get("residual_likelihood", likelihood)).split()[0])
            impact = int(str(old.get("residual_impact", impact)).split()[0])
        except (ValueError, IndexError):
            continue  # first set (no old value): no trend yet
        trends[change.object_id] = (likelihood * impact, change.at)
    return trends


RESIDUAL = ("residual_likelihood", "residual_impact")


def untreated(risks):
    """No treatment under way (8.3): only identified, or assessed with no treatment decided and started
    (an Accept treatment is decided by recording the acceptance)."""
    return risks.filter(status__in=(Risk.Status.IDENTIFIED, Risk.Status.ASSESSED))


def treatments_overdue(risks, today):
    """A treatment past its due date and not in place (8.3); an Accept treatment has nothing to put in
    place, a closed risk nothing left to treat."""
    return (
        risks.filter(treatment_due_on__lt=today, treatment_done_on__isnull=True)
        .exclude(treatment=Risk.Treatment.ACCEPT)
        .exclude(status=Risk.Status.CLOSED)
    )


def _check_which(which: str) -> str:
    if which not in WHICH:
        raise ValueError(f"which must be 'inherent' or 'residual', not {which!r}.")
    return which


def heat_matrix(risks, which: str = "residual") -> dict[tuple[int, int], int]:
    """Number of risks per (likelihood, impact) cell; empty cells are absent (callers use .get)."""
    _check_which(which)
    likelihood, impact = f"{which}_likelihood", f"{which}_impact"
    # order_by() drops any list ordering so it cannot leak into GROUP BY.
    rows = risks.order_by().values(likelihood, impact).annotate(n=Count("pk"))
    return {(row[likelihood], row[impact]): row["n"] for row in rows}


def count_by_level(risks, criteria: RiskCriteria, which: str = "residual") -> list[tuple[Band, int]]:
    """Every band of the criteria, in order, with its number of risks (zero included)."""
    _check_which(which)
    rows = (
        risks.order_by()
        .annotate(level_index=criteria.level_case(f"{which}_score"))
        .values("level_index")
        .annotate(n=Count("pk"))
    )
    counts = {row["level_index"]: row["n"] for row in rows}
    return [(band, counts.get(index, 0)) for index, band in enumerate(criteria.band_list)]


def count_by_category(risks) -> list[tuple[str, str, int]]:
    """(category name, category slug, number of risks) for categories that hold at least one risk."""
    rows = (
        risks.order_by()
        .values("category__name", "category__slug", "category__position")
        .annotate(n=Count("pk"))
        .order_by("category__position", "category__name")
    )
    return [(row["category__name"], row["category__slug"], row["n"]) for row in rows]


def level_filter(criteria: RiskCriteria, level_slug: str, which: str = "residual") -> Q:
    """Condition selecting risks whose `which` score falls in the band named `level_slug`."""
    _check_which(which)
    band = criteria.band_named(level_slug or "")
    if band is None:
        names = ", ".join(b.slug for b in criteria.band_list)
        raise ValueError(f"{which.capitalize()} level {level_slug!r} is not one of: {names}.")
    return Q(**{f"{which}_score__range": (band.min, band.max)})

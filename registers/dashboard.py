"""The risk register's panel on the board dashboard. Every number links to the list behind it."""

from collections import Counter

from django.db.models import Case, Count, Value, When
from django.urls import reverse
from django.utils import timezone

from aims.charts import heatmap_svg

from . import selectors
from .models import Risk, RiskCategory, RiskCriteria


def register_summary(risks, criteria: RiskCriteria, today) -> tuple[dict, dict]:
    """Both heat maps, the headline totals and the risks per category from ONE scan of the register:
    risks grouped by their four scale values, their category and a flag, summed here. A scan of 100,000
    risks costs tens of milliseconds; the dashboard makes one instead of five. `totals["by_category"]`
    is {category id: risks}."""
    fields = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")
    rows = (
        risks.order_by()
        .annotate(overdue=Case(When(next_review_on__lt=today, then=Value(1)), default=Value(0)))
        .values_list(*fields, "category_id", "overdue")
        .annotate(n=Count("pk"))
    )
    matrices = {"inherent": Counter(), "residual": Counter()}
    totals = Counter(total=0, above_appetite=0, overdue=0)
    by_category = Counter()
    appetite = criteria.appetite_max  # once: thousands of groups come back at volume
    for il, ii, rl, ri, category, overdue, n in rows:
        matrices["inherent"][(il, ii)] += n
        matrices["residual"][(rl, ri)] += n
        by_category[category] += n
        totals["total"] += n
        totals["overdue"] += n * overdue
        if rl * ri > appetite:
            totals["above_appetite"] += n
    return matrices, {**totals, "by_category": dict(by_category)}


def categories_counted(by_category: dict) -> list[tuple[str, str, int]]:
    """(name, slug, risks) of the categories holding risks, in the categories' order: the same list as
    selectors.count_by_category, from the counts register_summary made (the category table is small)."""
    return [
        (category.name, category.slug, by_category[category.pk])
        for category in RiskCategory.objects.order_by("position", "name")
        if by_category.get(category.pk)
    ]


def levels_from_matrix(matrix, criteria: RiskCriteria) -> list:
    """Risks per band, from a heat map's cells (score = likelihood x impact)."""
    counts = Counter()
    for (likelihood, impact), n in matrix.items():
        band = criteria.level(likelihood * impact)
        if band:
            counts[band.name] += n
    return [(band, counts[band.name]) for band in criteria.band_list]


def risk_panel(request) -> dict:
    user = request.user
    risks = Risk.objects.restrict(user, "view").live()
    criteria = RiskCriteria.current()
    list_url = reverse("risk-list")

    def heat_link(which):
        return lambda likelihood, impact: (
            f"{list_url}?{which}_likelihood={likelihood}&{which}_impact={impact}"
        )

    today = timezone.localdate()
    matrices, totals = register_summary(risks, criteria, today)
    # Figures only: the tiles link to their lists, and the risks waiting for the board are listed in the
    # board's "waiting for my decision", at the head of its dashboard.
    return {
        "template": "registers/dashboard_panel.html",
        "criteria": criteria,
        "list_url": list_url,
        # The residual map only: it is what the board accepts; both maps are on the heat map page.
        "heatmaps": [
            heatmap_svg(matrices["residual"], criteria, title="Residual risk", link=heat_link("residual"))
        ],
        "by_level": levels_from_matrix(matrices["residual"], criteria),
        "by_category": categories_counted(totals["by_category"]),
        "totals": totals,
        "awaiting_count": selectors.risks_awaiting_acceptance(risks).count(),
        # Mine to assess again after a new model version or dataset of their system (the list's filter).
        "to_reassess": risks.filter(owner=user).exclude(reassessment_due="").count(),
    }

"""The risk register's panel on the board dashboard. Every number links to the list behind it."""

from collections import Counter

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from aims.charts import heatmap_svg

from . import selectors
from .models import Risk, RiskCategory, RiskCriteria


def register_summary(risks, criteria: RiskCriteria, today, *, inherent: bool = True) -> tuple[dict, dict]:
    """The heat maps, the headline totals and the risks per category from ONE scan of the register:
    risks grouped by their residual cell, their category and (with `inherent`) their inherent cell, with
    how many of each group are overdue for review, summed here. A scan of 100,000 risks costs tens of
    milliseconds; the dashboard makes one instead of five. The groups are the leading columns of the
    summary index (Risk.Meta.indexes), so PostgreSQL counts them in the index's order as it reads it, with
    no hash table, and the overdue ones as a FILTER of each group rather than as one more column to group
    by. The dashboard's panel shows the residual map alone and asks without `inherent`: 225 groups at
    most instead of thousands. `matrices["inherent"]` is there only with `inherent`;
    `totals["by_category"]` is {category id: risks}."""
    fields = ("residual_likelihood", "residual_impact", "category_id")
    if inherent:
        fields += ("inherent_likelihood", "inherent_impact")
    rows = (
        risks.order_by()
        .values_list(*fields)
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(next_review_on__lt=today)))
    )
    residual, by_category = Counter(), Counter()
    matrices = {"residual": residual}
    if inherent:
        matrices["inherent"] = Counter()
    total = overdue = above_appetite = 0
    appetite = criteria.appetite_max  # once: thousands of groups come back at volume
    for row in rows:
        rl, ri, category, n, late = row[0], row[1], row[2], row[-2], row[-1]
        if inherent:
            matrices["inherent"][row[3], row[4]] += n
        residual[rl, ri] += n
        by_category[category] += n
        total += n
        overdue += late
        if rl * ri > appetite:
            above_appetite += n
    totals = {"total": total, "above_appetite": above_appetite, "overdue": overdue}
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
    matrices, totals = register_summary(risks, criteria, today, inherent=False)  # the residual map alone
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

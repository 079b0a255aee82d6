"""The risk register's panel on the board dashboard. Every number links to the list behind it."""

from collections import Counter

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from aims.charts import heatmap_svg
from aims.together import together, totals

from . import selectors
from .models import Risk, RiskCategory, RiskCriteria


def summary_groups(risks, today, *, inherent: bool = True):
    """The one scan of the register behind the heat maps, the headline totals and the risks per category
    (register_summary sums it): risks grouped by their residual cell, their category and (with
    `inherent`) their inherent cell, with how many of each group are overdue for review. The groups are
    the leading columns of the summary index (Risk.Meta.indexes), so PostgreSQL counts them in the
    index's order as it reads it, with no hash table, and the overdue ones as a FILTER of each group
    rather than as one more column to group by. A queryset, so a page may ask it with others at once
    (aims.together)."""
    fields = ("residual_likelihood", "residual_impact", "category_id")
    if inherent:
        fields += ("inherent_likelihood", "inherent_impact")
    return (
        risks.order_by()
        .values_list(*fields)
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(next_review_on__lt=today)))
    )


def register_summary(
    risks, criteria: RiskCriteria, today, *, inherent: bool = True, rows=None
) -> tuple[dict, dict]:
    """The heat maps, the headline totals and the risks per category from ONE scan of the register
    (summary_groups, or its `rows` if already asked), summed here. A scan of 100,000 risks costs tens of
    milliseconds; the dashboard makes one instead of five. The dashboard's panel shows the residual map
    alone and asks without `inherent`: 225 groups at most instead of thousands. `matrices["inherent"]`
    is there only with `inherent`; `totals["by_category"]` is {category id: risks}."""
    if rows is None:
        rows = summary_groups(risks, today, inherent=inherent)
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


def _count(answer) -> int:
    """The count of a totals() part read by together(): none asked (a queryset that can hold no rows)
    is zero."""
    return answer[0]["n"] if answer else 0


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
    # The register's one scan and the two counts in one round trip (on PostgreSQL; one by one elsewhere).
    rows, awaiting, to_reassess = together(
        summary_groups(risks, today, inherent=False),  # the residual map alone
        totals(selectors.risks_awaiting_acceptance(risks), n=Count("pk")),
        # Mine to assess again after a new model version or dataset of their system (the list's filter).
        totals(risks.filter(owner=user).exclude(reassessment_due=""), n=Count("pk")),
    )
    matrices, figures = register_summary(risks, criteria, today, inherent=False, rows=rows)
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
        "by_category": categories_counted(figures["by_category"]),
        "totals": figures,
        "awaiting_count": _count(awaiting),
        "to_reassess": _count(to_reassess),
    }

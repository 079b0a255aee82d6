"""The risk register's panel on the board dashboard. Every number links to the list behind it."""

from collections import Counter

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from aims.charts import heatmap_svg

from . import selectors
from .models import Risk, RiskCriteria


def both_heat_matrices(risks) -> dict[str, dict[tuple[int, int], int]]:
    """Inherent and residual heat maps from one grouped query (at most 625 rows)."""
    fields = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")
    matrices = {"inherent": Counter(), "residual": Counter()}
    for il, ii, rl, ri, n in risks.order_by().values_list(*fields).annotate(n=Count("pk")):
        matrices["inherent"][(il, ii)] += n
        matrices["residual"][(rl, ri)] += n
    return matrices


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

    matrices = both_heat_matrices(risks)
    today = timezone.localdate()
    above = Q(residual_score__gt=criteria.appetite_max)
    totals = risks.aggregate(
        total=Count("pk"),
        above_appetite=Count("pk", filter=above),
        above_unaccepted=Count("pk", filter=above & Q(accepted_by__isnull=True)),
        overdue=Count("pk", filter=Q(next_review_on__lt=today)),
    )
    return {
        "template": "registers/dashboard_panel.html",
        "criteria": criteria,
        "list_url": list_url,
        "heatmaps": [
            heatmap_svg(matrices[w], criteria, title=f"{w.title()} risk", link=heat_link(w))
            for w in ("residual", "inherent")
        ],
        "by_level": levels_from_matrix(matrices["residual"], criteria),
        "by_category": selectors.count_by_category(risks),
        "totals": totals,
        "above_appetite": risks.filter(above, accepted_by__isnull=True).select_related("owner")[:8],
        "overdue": risks.filter(next_review_on__lt=today)
        .select_related("owner")
        .order_by("next_review_on")[:8],
    }

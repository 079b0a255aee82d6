"""The risk register's panel on the board dashboard. Every number links to the list behind it."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from aims.charts import heatmap_svg

from . import selectors
from .models import Risk, RiskCriteria


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
            heatmap_svg(
                selectors.heat_matrix(risks, w), criteria, title=f"{w.title()} risk", link=heat_link(w)
            )
            for w in ("residual", "inherent")
        ],
        "by_level": selectors.count_by_level(risks, criteria),
        "by_category": selectors.count_by_category(risks),
        "totals": totals,
        "above_appetite": risks.filter(above, accepted_by__isnull=True).select_related("owner")[:8],
        "overdue": risks.filter(next_review_on__lt=today)
        .select_related("owner")
        .order_by("next_review_on")[:8],
    }

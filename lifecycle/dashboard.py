"""The board dashboard's AI systems panel: systems by life-cycle stage and EU AI Act tier, every number
linking to the inventory filtered by it; one query."""

from django.db.models import Count
from django.urls import reverse

from aims.registry import registry

from .models import AISystem, Stage, Tier
from .standard.soa import implementation_percent


def systems_panel(request) -> dict:
    rows = (
        AISystem.objects.restrict(request.user, "view")
        .live()
        .filter(in_scope=True)
        .order_by()
        .values_list("stage", "eu_tier")
        .annotate(n=Count("pk"))
    )
    counts = {(stage, tier): n for stage, tier, n in rows}
    tiers = [(t, label) for t, label in Tier.choices]
    list_url = reverse("aisystem-list")
    grid = [
        (
            label,
            [(counts.get((stage, t), 0), f"{list_url}?stage={stage}&eu_tier={t}") for t, _ in tiers],
            sum(counts.get((stage, t), 0) for t, _ in tiers),
            f"{list_url}?stage={stage}",
        )
        for stage, label in Stage.choices
    ]
    by_tier = [
        (label, sum(counts.get((s, t), 0) for s, _ in Stage.choices), f"{list_url}?eu_tier={t}")
        for t, label in tiers
    ]
    return {
        "template": "lifecycle/systems_panel.html",
        "grid": grid,
        "tiers": tiers,
        "by_tier": by_tier,
        "total": sum(counts.values()),
        "list_url": list_url,
        "priority_url": reverse("aisystem-priority"),
        "soa_percent": implementation_percent(),
        "soa_url": reverse("statement-list"),
    }


registry.add_dashboard_panel(systems_panel)

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
    in_scope = f"{list_url}?in_scope=true"  # the figures count systems in scope: so do their lists
    grid = [
        (
            label,
            [(counts.get((stage, t), 0), f"{in_scope}&stage={stage}&eu_tier={t}") for t, _ in tiers],
            sum(counts.get((stage, t), 0) for t, _ in tiers),
            f"{in_scope}&stage={stage}",
        )
        for stage, label in Stage.choices
    ]
    return {
        "template": "lifecycle/systems_panel.html",
        "grid": grid,
        "tiers": tiers,
        "total": sum(counts.values()),
        "list_url": list_url,
        "in_scope_url": in_scope,
        "priority_url": reverse("aisystem-priority"),
        "soa_percent": implementation_percent(),
        "soa_url": reverse("statement-list"),
    }


registry.add_dashboard_panel(systems_panel)

"""The board dashboard's AI systems panel: systems by life-cycle stage and EU AI Act tier, every number
linking to the inventory filtered by it, and the SoA's Annex A readiness; two queries."""

from django.db.models import Count
from django.urls import reverse

from aims.certification import snapshot
from aims.registry import registry

from .models import AISystem, Stage, Statement, Tier


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
        **soa_figure(request.user),
    }


def soa_figure(user) -> dict:
    """The Statement of Applicability's Annex A readiness, as certification readiness worked it out (its
    latest snapshot: the figure costs the panel no query to the registers), linking to the statement,
    whose page shows the same figure from the same judgement of each control (lifecycle.controls)."""
    statement = Statement.objects.restrict(user, "view").live().order_by("-version_number", "-pk").first()
    data = snapshot()
    annex = next((s for s in data["sections"] if s["key"] == "A"), None) if data else None
    return {
        "soa": statement,
        "soa_percent": annex["percent"] if annex else None,
        "soa_as_of": data["computed_at"][:16].replace("T", " ") if annex else "",
        "soa_list": reverse("statement-list"),
    }


registry.add_dashboard_panel(systems_panel)

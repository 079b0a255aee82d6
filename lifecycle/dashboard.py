"""The board dashboard's AI systems panel: systems by life-cycle stage and EU AI Act tier (the tier in
effect), every number linking to the inventory filtered by it; the systems classified as a prohibited
practice and not yet decommissioned, by name (Art. 5: they must be stopped); the classifications awaiting
a second person's confirmation; and the SoA's Annex A readiness. Two queries, three with prohibited
systems to name."""

from django.db.models import Count, Q
from django.urls import reverse

from aims import roles
from aims.certification import snapshot
from aims.registry import registry
from aims.selectors import first_with_total
from registers.models import Risk

from .models import (
    AISystem,
    ClassificationStatus,
    ImpactAssessment,
    Stage,
    Statement,
    Tier,
    prohibited_not_stopped_q,
)

SHOWN = 5  # prohibited systems named on the panel; the figure links to all of them


def systems_panel(request) -> dict:
    in_scope_systems = AISystem.objects.restrict(request.user, "view").live().filter(in_scope=True)
    not_stopped = prohibited_not_stopped_q()
    rows = (
        in_scope_systems.order_by()
        .values_list("stage", "eu_tier")
        .annotate(
            n=Count("pk"),
            to_stop=Count("pk", filter=not_stopped),
            waiting=Count("pk", filter=Q(classification_status=ClassificationStatus.AWAITING_CONFIRMATION)),
        )
    )
    counts, awaiting, prohibited = {}, 0, 0
    for stage, tier, n, to_stop, waiting in rows:
        counts[(stage, tier)] = n
        prohibited += to_stop
        awaiting += waiting
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
    to_stop = []
    if prohibited:  # the systems the figure counts, named
        to_stop = list(
            in_scope_systems.filter(not_stopped)
            .order_by("reference")
            .only("reference", "title", "stage", "eu_tier", "classification_status", "proposed_tier")[:SHOWN]
        )
    return {
        "template": "lifecycle/systems_panel.html",
        "prohibited": prohibited,
        "prohibited_systems": to_stop,
        "prohibited_url": f"{in_scope}&prohibited=not_stopped",
        "awaiting": awaiting,
        "awaiting_url": f"{in_scope}&classification={ClassificationStatus.AWAITING_CONFIRMATION}",
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


# The board too: a prohibited practice not yet stopped (Art. 5) is theirs to act on.
registry.add_dashboard_panel(systems_panel, roles=(roles.MANAGER, roles.BOARD), order=80)


def reassessments_panel(request) -> dict:
    """The owner's risks and impact assessments to assess again since a new model version, dataset or
    change of their system (ISO/IEC 42001 6.1.2, 8.2, 8.4): two queries, each list's first rows counting
    the rest, as the lists' ?mine=true&reassessment_due=true filters count them."""
    user = request.user

    def first(queryset):
        return first_with_total(queryset.filter(owner=user), "reference", shown=SHOWN)

    risks, risk_count = first(Risk.objects.restrict(user, "view").live().exclude(reassessment_due=""))
    assessments, assessment_count = first(
        ImpactAssessment.objects.restrict(user, "view").live().filter(reassessment_due=True)
    )
    return {
        "template": "lifecycle/reassessments_panel.html",
        "risks": risks,
        "risk_count": risk_count,
        "risk_url": f"{reverse('risk-list')}?mine=true&reassessment_due=true",
        "assessments": assessments,
        "assessment_count": assessment_count,
        "assessment_url": f"{reverse('impactassessment-list')}?mine=true&reassessment_due=true",
    }


registry.add_dashboard_panel(reassessments_panel, roles=(roles.OWNER,), order=16)

"""Certification readiness (aims.certification): the page listing every clause and applicable control with
its gaps and the links that fix them, and the board dashboard's panel."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from aims import permissions
from aims.certification import STATUS_LABELS, readiness, snapshot, store_snapshot


@login_required
def readiness_page(request):
    permissions.require_overview(request.user, "readiness")
    data = readiness()
    store_snapshot(data)  # the dashboard panel shows what was just worked out
    # ?status=missing&status=partial: only the checks in those states (the dashboard's figures link here)
    wanted = [s for s in request.GET.getlist("status") if s in STATUS_LABELS]
    shown = [
        c for section in data["sections"] for c in section["checks"] if not wanted or c["status"] in wanted
    ]
    return render(
        request,
        "aims/certification_readiness.html",
        {
            "readiness": data,
            "wanted": wanted,
            "wanted_labels": [STATUS_LABELS[s].lower() for s in wanted],
            "shown_count": len(shown),
        },
    )


def readiness_panel(request) -> dict:
    """The overall percentage, the clauses furthest from ready and the first gaps, each a link; from
    the latest snapshot (aims.certification), so the panel costs no query to the registers."""
    if not permissions.may_see_overview(request.user, "readiness_panel"):
        return {"template": "aims/readiness_panel.html", "hidden": True}
    url = reverse("certification-readiness")
    data = snapshot()
    if data is None:
        return {"template": "aims/readiness_panel.html", "pending": True, "url": url}
    return {
        "template": "aims/readiness_panel.html",
        "computed_at": parse_datetime(data["computed_at"]),
        "percent": data["percent"],
        "counts": data["counts"],
        "worst": data["worst"],
        "gaps": data["gaps"][:3],
        "gap_count": len(data["gaps"]),
        "url": url,
    }

"""Certification readiness (aims.certification): the page listing every clause and applicable control with
its gaps and the links that fix them, and the board dashboard's panel."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from aims import permissions
from aims.certification import readiness


@login_required
def readiness_page(request):
    permissions.require_overview(request.user, "readiness")
    return render(request, "aims/certification_readiness.html", {"readiness": readiness()})


def readiness_panel(request) -> dict:
    """The overall percentage, the clauses furthest from ready and the first gaps, each a link."""
    if not permissions.may_see_overview(request.user, "readiness_panel"):
        return {"template": "aims/readiness_panel.html", "hidden": True}
    data = readiness()
    return {
        "template": "aims/readiness_panel.html",
        "percent": data["percent"],
        "counts": data["counts"],
        "worst": data["worst"],
        "gaps": data["gaps"][:5],
        "gap_count": len(data["gaps"]),
        "url": reverse("certification-readiness"),
    }

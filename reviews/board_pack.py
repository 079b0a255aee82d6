"""The board pack (ISO/IEC 42001 5.1 leadership, 9.3 management review): one PDF a governance board
hands around at its meeting -- what waits for its decision, the risks above appetite with their trend,
readiness by clause, serious incidents, KPI breaches, audit findings and overdue actions, with the heat
map and charts, behind a cover with the date and the AIMS scope.

Every figure is the one the dashboard shows: each section calls the dashboard panel (or the selector the
panel counts with) for the person who asked, so the pack and the dashboard never disagree. Made by a
Celery job (aims.jobs); the Act app owns it because it reads every earlier stage of the cycle."""

from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from aims import jobs, permissions
from aims.certification import refresh_snapshot
from aims.charts import hbar_chart_svg, heatmap_svg, safe_colour
from aims.policies import dashboard_sections
from aims.registry import registry
from aims.selectors import firsts_with_totals
from aims.views.core import awaiting
from aims.views.job_answers import answer_with_job
from audits.dashboard import OPEN as FINDING_OPEN
from audits.dashboard import audits_panel
from audits.models import NOT_CONFORMING, Finding
from lifecycle.standard.incidents.panels import incidents_panel
from lifecycle.standard.kpis.panels import kpis_panel
from registers import selectors as risk_selectors
from registers.dashboard import levels_from_matrix, register_summary
from registers.models import Risk, RiskCriteria, ScopeStatement
from registers.standard.decisions import open_decisions_panel

from .improvement_dashboard import improvement_panel

KIND = "board_pack_pdf"
TITLE = "Board pack"
SHOWN = 15  # rows of a list in the pack; the figure beside it says how many in all


def decisions_waiting(user) -> list[tuple]:
    """[(register info, first records, how many)] waiting for a decision: the board member's own, as on
    their dashboard; for the AIMS manager preparing the meeting, what waits for the board. Every register
    in one round trip (aims.selectors.firsts_with_totals)."""
    deciding = [info for info in registry.registers if info.awaiting_decision]
    if dashboard_sections(user)["decisions"]:
        waiting = [awaiting(info, user) for info in deciding]
    else:
        waiting = [
            info.awaiting_decision(info.model.objects.restrict(user, "view").live()).select_related("owner")
            for info in deciding
        ]
    found = firsts_with_totals(waiting, shown=SHOWN)
    return [(info, records, total) for info, (records, total) in zip(deciding, found, strict=True) if total]


def risk_section(user, today) -> dict:
    risks = Risk.objects.restrict(user, "view").live()
    criteria = RiskCriteria.current()
    matrices, totals = register_summary(risks, criteria, today)  # the dashboard panel's one scan
    above = list(
        risk_selectors.above_appetite(risks)
        .select_related("owner", "accepted_by", "category")
        .order_by("-residual_score", "reference")[:SHOWN]
    )
    trends = risk_selectors.residual_trends(above)
    bands = [
        {"index": n, "name": b.name, "colour": safe_colour(b.colour)}
        for n, b in enumerate(criteria.band_list)
    ]
    for risk in above:
        level = criteria.level(risk.residual_score)
        risk.band = next((b for b in bands if level and b["name"] == level.name), None)
        before = trends.get(risk.pk)
        risk.trend = (
            None
            if before is None
            else {
                "before": before[0],
                "on": before[1],
                "word": "rising"
                if risk.residual_score > before[0]
                else "falling"
                if risk.residual_score < before[0]
                else "unchanged",
            }
        )
    return {
        "criteria": criteria,
        "bands": bands,
        "totals": totals,
        "above": above,
        "awaiting_acceptance": risk_selectors.risks_awaiting_acceptance(risks).count(),
        "by_level": levels_from_matrix(matrices["residual"], criteria),
        "residual_map": heatmap_svg(matrices["residual"], criteria, title="Residual risk", cell_size=34),
        "inherent_map": heatmap_svg(matrices["inherent"], criteria, title="Inherent risk", cell_size=34),
    }


def readiness_section(today) -> dict:
    """Worked out now and stored as the snapshot the dashboard's panel reads: both show this figure."""
    data = refresh_snapshot(today)
    chart = hbar_chart_svg(
        [
            (s["title"].replace("Annex A controls (those the SoA marks applicable)", "Annex A"), s["percent"])
            for s in data["sections"]
        ],
        title="Readiness by clause",
        maximum=100,
        unit="%",
    )
    return {**data, "chart": chart}


def findings_section(user, panel: dict) -> dict:
    findings = Finding.objects.restrict(user, "view").live().filter(FINDING_OPEN, grade__in=NOT_CONFORMING)
    return {
        **panel,
        "open_count": sum(n for _, _, n in panel["by_grade"]),
        "open": list(
            findings.select_related("audit", "owner", "requirement").order_by(
                "audit__reference", "reference"
            )[:SHOWN]
        ),
    }


def scope_of(user):
    """The AIMS scope in force: the published statement (4.3), as the requester may see it."""
    return (
        ScopeStatement.objects.restrict(user, "view")
        .live()
        .order_by(F("published_on").desc(nulls_last=True), "-pk")
        .first()
    )


def pack_context(user, today=None) -> dict:
    today = today or timezone.localdate()
    request = SimpleNamespace(user=user)  # the panels read only who is asking
    incidents = incidents_panel(request)
    kpis = kpis_panel(request)
    waiting = decisions_waiting(user)
    risks = risk_section(user, today)
    return {
        "org": "AIMS",
        "title": TITLE,
        "generated": timezone.localtime(),
        "today": today,
        "requested_by": user,
        "scope": scope_of(user),
        "waiting": waiting,
        "waiting_total": sum(total for _, _, total in waiting),
        "risks": risks,
        "bands": risks["bands"],  # the level colours of reports/base.html
        "readiness": readiness_section(today),
        "incidents": incidents,
        "severity_chart": hbar_chart_svg(
            [(label, n) for _, label, n in incidents["by_severity"]],
            title="Open incidents by severity",
            maximum=1,
        ),
        "kpis": kpis,
        "findings": findings_section(user, audits_panel(request)),
        "improvement": improvement_panel(request),
        "board_decisions": open_decisions_panel(request),
    }


def board_pack_pdf(job, progress) -> tuple[str, bytes]:
    """Job runner: no parameters; the requester must be on the board or the AIMS manager (asked again
    when the job runs, not only when it was queued)."""
    from aims.pdf import html_to_pdf

    permissions.require_overview(job.requested_by, "board_pack")
    progress(5)
    context = pack_context(job.requested_by)
    progress(30)
    html = render_to_string("reports/board_pack.html", context)
    return f"board-pack-{context['today']:%Y-%m-%d}.pdf", html_to_pdf(html, progress, 7)


registry.add_job_runner(KIND, board_pack_pdf)


@login_required
@require_POST
def board_pack_start(request):
    permissions.require_overview(request.user, "board_pack")
    job = jobs.start_job(kind=KIND, title=f"{TITLE} (PDF)", params={}, user=request.user)
    return answer_with_job(request, job, waiting="The board pack is being made.")

"""The audit report (ISO/IEC 42001 9.2.2: results reported to relevant managers): one PDF per audit with
cover, scope, criteria, team, results counted per grade, findings with the auditees' answers, and the
checklist. A Celery job (aims.jobs), so the page follows its progress and ends with a download."""

from django.utils import timezone

from aims.links import HIDDEN
from aims.permissions import visible_only
from aims.record_reports import RecordReportView, record_report_runner

from .checklist import joint_mapping
from .models import Audit, Result

KIND = "audit_report_pdf"


def report_context(audit: Audit, viewer=None) -> dict:
    """Everything the report shows, in a fixed number of queries however long the checklist. The evidence
    sampled is named as `viewer` may see it (aims.permissions.visible_only): a confidential piece they
    may not open is "a record you may not see", as on the audit's page."""
    checklist = list(
        audit.checklist.select_related("requirement__standard", "system", "assessed_by").prefetch_related(
            "evidence"
        )
    )
    mapping = joint_mapping(audit)
    shown = set(visible_only([e for item in checklist for e in item.evidence.all()], viewer))
    for item in checklist:
        item.also_covers = mapping.get(item.requirement_id, [])
        item.sampled = [e.reference if e in shown else HIDDEN for e in item.evidence.all()]
    counts = {value: 0 for value in Result.values}
    for item in checklist:
        if item.result:
            counts[item.result] += 1
    return {
        "audit": audit,
        "scope": list(audit.scope.select_related("standard").order_by("standard__name", "position")),
        "systems": list(audit.systems.order_by("title")),
        "team": list(audit.team.order_by("username")),
        "checklist": checklist,
        "summary": [(Result(value).label, counts[value]) for value in Result.values],
        "unassessed": sum(1 for item in checklist if not item.result),
        "findings": list(audit.findings.live().select_related("owner", "requirement", "answered_by")),
        "generated": timezone.localtime(),
        "org": "AIMS",
        "title": f"Audit report {audit.reference}",
    }


audit_report_pdf = record_report_runner(
    Audit,
    template="reports/audit_report.html",
    context=report_context,
    filename=lambda audit: f"audit-report-{audit.reference}-{timezone.localdate():%Y-%m-%d}.pdf",
    select_related=("owner", "lead_auditor", "programme"),
    pages=4,
)


class AuditReportView(RecordReportView):
    """Anyone who may see the audit asks for its report; the job page follows it to the download."""

    model, kind, title = Audit, KIND, "Audit report"

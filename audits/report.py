"""The audit report (ISO/IEC 42001 9.2.2: results reported to relevant managers): one PDF per audit with
cover, scope, criteria, team, results counted per grade, findings with the auditees' answers, and the
checklist. A Celery job (aims.jobs), so the page follows its progress and ends with a download."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import View

from aims import jobs
from aims.jobs import JobError
from aims.pdf import html_to_pdf
from aims.views.records import RecordMixin

from .checklist import joint_mapping
from .models import Audit, Result

KIND = "audit_report_pdf"


def report_context(audit: Audit) -> dict:
    """Everything the report shows, in a fixed number of queries however long the checklist."""
    checklist = list(
        audit.checklist.select_related("requirement__standard", "system", "assessed_by").prefetch_related(
            "evidence"
        )
    )
    mapping = joint_mapping(audit)
    for item in checklist:
        item.also_covers = mapping.get(item.requirement_id, [])
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


def audit_report_pdf(job, progress) -> tuple[str, bytes]:
    """Job runner: params {"reference": "AUD-0001"}; the requester must be able to see the audit."""
    reference = (job.params or {}).get("reference")
    audit = (
        Audit.objects.restrict(job.requested_by, "view")
        .filter(reference=reference)
        .select_related("owner", "lead_auditor", "programme")
        .first()
    )
    if audit is None:
        raise JobError(f"No audit {reference} that you can see.")
    progress(10)
    html = render_to_string(
        "reports/audit_report.html", {**report_context(audit), "requested_by": job.requested_by}
    )
    progress(30)
    return f"audit-report-{audit.reference}-{timezone.localdate():%Y-%m-%d}.pdf", html_to_pdf(
        html, progress, 4
    )


class AuditReportView(RecordMixin, View):
    """Anyone who may see the audit asks for its report; the job page follows it to the download."""

    model = Audit

    def post(self, request, reference):
        audit = self.get_record()
        job = jobs.start_job(
            kind=KIND, title=f"Audit report {audit.reference} (PDF)", params={"reference": audit.reference},
            user=request.user,
        )  # fmt: skip
        messages.info(request, "The audit report is being made; this page follows its progress.")
        return redirect("job-detail", pk=job.pk)

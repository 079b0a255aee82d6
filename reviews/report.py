"""The Management Review Report (ISO/IEC 42001 9.3, 7.5): one PDF per review -- cover, attendees, period,
each frozen input section with its figures, the minutes, the decisions and actions, and the sign-off.
It reads the FROZEN inputs, never the registers as they are today. A Celery job (aims.jobs)."""

from django.utils import timezone

from aims.record_reports import RecordReportView, record_report_runner
from aims.registry import registry

from .models import ManagementReview

KIND = "management_review_pdf"


def report_context(review: ManagementReview, viewer=None) -> dict:
    """Everything the report shows, in a fixed number of queries. The frozen inputs name no record of a
    register that hides some (evidence, concerns), so every reader gets the same report."""
    return {
        "review": review,
        "inputs": review.freezes.select_related("frozen_by").first(),
        "attendees": list(review.attendees.all()),
        "present": list(review.attendees_present.all()),
        "actions": list(review.actions.live().select_related("owner")),
        "generated": timezone.localtime(),
        "org": "AIMS",
        "title": f"Management review report {review.reference}",
    }


management_review_pdf = record_report_runner(
    ManagementReview,
    template="reports/management_review.html",
    context=report_context,
    filename=lambda review: f"management-review-{review.reference}.pdf",
    select_related=("owner", "chair", "signed_off_by"),
)
registry.add_job_runner(KIND, management_review_pdf)


class ReportView(RecordReportView):
    """Queue the report as a job; its page follows the progress and ends with the download."""

    model, kind, title = ManagementReview, KIND, "Management review report"

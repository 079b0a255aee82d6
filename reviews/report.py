"""The Management Review Report (ISO/IEC 42001 9.3, 7.5): one PDF per review -- cover, attendees, period,
each frozen input section with its figures, the minutes, the decisions and actions, and the sign-off.
It reads the FROZEN inputs, never the registers as they are today. A Celery job (aims.jobs)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.views import View

from aims import jobs
from aims.jobs import JobError
from aims.pdf import html_to_pdf
from aims.registry import registry
from aims.views.records import RecordMixin

from .models import ManagementReview

KIND = "management_review_pdf"


def report_context(review: ManagementReview) -> dict:
    """Everything the report shows, in a fixed number of queries."""
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


def management_review_pdf(job, progress) -> tuple[str, bytes]:
    """Job runner: params {"reference": "MR-0001"}; the requester must be able to see the review."""
    reference = (job.params or {}).get("reference")
    review = (
        ManagementReview.objects.restrict(job.requested_by, "view")
        .filter(reference=reference)
        .select_related("owner", "chair", "signed_off_by")
        .first()
    )
    if review is None:
        raise JobError(f"No management review {reference} that you can see.")
    progress(10)
    html = render_to_string(
        "reports/management_review.html", {**report_context(review), "requested_by": job.requested_by}
    )
    progress(30)
    return f"management-review-{review.reference}.pdf", html_to_pdf(html, progress, 6)


registry.add_job_runner(KIND, management_review_pdf)


class ReportView(RecordMixin, View):
    """Queue the report as a job; its page follows the progress and ends with the download."""

    model = ManagementReview

    def post(self, request, reference):
        review = self.get_record()
        job = jobs.start_job(
            kind=KIND,
            title=f"Management review report {review.reference} (PDF)",
            params={"reference": review.reference},
            user=request.user,
        )
        messages.info(request, "The report is being made; this page follows its progress.")
        return redirect("job-detail", pk=job.pk)


EXTRA_URLS = [
    path("management-reviews/<str:reference>/report/", ReportView.as_view(), name="managementreview-report")
]

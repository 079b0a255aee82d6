"""A PDF report of one record (an AI system's dossier, an audit report, a management review report ...),
made by a Celery job: the record page's button posts to `RecordReportView`, which queues the job and
answers with the file when it is ready within a few seconds, else sends the person to the job's page,
where progress ends in the download (aims.views.job_answers).

`record_report_runner` is the job side for reports drawn from one template: it finds the record again
as the requester may see it (permissions are asked when the job runs, not only when it was queued)."""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.views import View

from aims import jobs
from aims.pdf import html_to_pdf
from aims.views.job_answers import answer_with_job
from aims.views.records import RecordMixin


def record_report_runner(
    model, *, template: str, context: Callable, filename: Callable, select_related=(), pages: int = 6
) -> Callable:
    """A job runner for params {"reference": ...}: `context(record, viewer=requester)` fills `template`
    (naming only the related records the requester may see, as the record's page does); `filename(record)`
    names the PDF; `pages` is the layout's share of the progress bar (see aims.pdf.html_to_pdf)."""

    def run(job, progress) -> tuple[str, bytes]:
        reference = (job.params or {}).get("reference")
        record = (
            model.objects.restrict(job.requested_by, "view")
            .filter(reference=reference)
            .select_related(*select_related)
            .first()
        )
        if record is None:
            raise jobs.JobError(f"No {model._meta.verbose_name} {reference} that you can see.")
        progress(10)
        html = render_to_string(
            template, {**context(record, viewer=job.requested_by), "requested_by": job.requested_by}
        )
        progress(30)
        return filename(record), html_to_pdf(html, progress, pages)

    return run


class RecordReportView(RecordMixin, View):
    """POST queues the report of the record named in the URL; anyone who may see the record may ask."""

    kind = ""  # the job runner's kind
    title = ""  # "Audit report": the job is "Audit report AUD-0001 (PDF)"

    def post(self, request, reference):
        record = self.get_record()
        job = jobs.start_job(
            kind=self.kind,
            title=f"{self.title} {record.reference} (PDF)",
            params={"reference": record.reference},
            user=request.user,
        )
        return answer_with_job(
            request, job, waiting=f"The {self.title[0].lower()}{self.title[1:]} is being made."
        )

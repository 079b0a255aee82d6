"""How a button that starts a report answers: a report made within a few seconds is downloaded straight
from the button; a longer one sends the person to its job page, which follows its progress.

The worker makes the file either way (the request only waits for the job's row to say it is done), so a
report is made, stored and hashed the same way whether it took one second or ten minutes."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect

from aims import jobs
from aims.downloads import download
from aims.models import Job


def answer_with_job(request, job: Job, *, waiting: str):
    """The file of `job` if it is done within the wait, else a redirect to its page with `waiting` (what
    is being made) as the message. A job that ended within the wait was seen to end: no notice of it."""
    job = jobs.wait_for(job, settings.REPORT_WAIT_SECONDS)
    if job.is_finished:
        jobs.seen_as_it_ended(job)
        path = jobs.result_file(job)
        if path is not None:
            return download(path, job.result_name)
        return redirect("job-detail", pk=job.pk)  # failed or cancelled: its page says why
    messages.info(request, f"{waiting} It takes a while: this page follows its progress.")
    return redirect("job-detail", pk=job.pk)

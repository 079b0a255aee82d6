"""Background jobs: long work (reports, evidence packs, imports) runs in a Celery worker and reports
through a Job row that the UI and the API follow (status, progress, result file, SHA-256, error).

Supports ISO/IEC 42001 7.5 (documented information): every produced file is kept with its checksum,
so what was handed to an auditor can be shown to be unchanged.

A domain app registers a runner for a kind from its AppConfig.ready():
`registry.add_job_runner("risk_register_pdf", runner)`, where
`runner(job, progress) -> (filename, bytes)` and `progress(percent)` may be called as work advances.
A runner whose result is too large for memory (evidence packs) returns (filename, Path) instead: a file
it wrote under PRIVATE_MEDIA_ROOT, which is moved into place and hashed in chunks.

A kind may also declare, as keywords of add_job_runner: `silence=timedelta(...)`, how long a run may go
without calling `progress` before the sweep calls its worker dead (default DEFAULT_JOB_SILENCE, above the
time limit); and `retry_refusal(job) -> str`, why a failed job of the kind cannot simply run again ("" when
it can). A worker that dies mid-job leaves the job to be delivered again (acknowledged late); it is started
at most MAX_ATTEMPTS times. The person who asked (or the AIMS manager) may cancel a queued or running job and
retry a failed or cancelled one, as a new job (JobPolicy's guards)."""

import hashlib
import logging
import time
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from aims.models import Job, Notification
from aims.policies import policy_of, require
from aims.registry import registry

logger = logging.getLogger(__name__)


# A job is started at most this often: once, and once more when the worker running it stopped (killed,
# out of memory, restarted). A job whose worker stops twice fails rather than take down worker after worker.
MAX_ATTEMPTS = 2
WORKER_STOPPED = (
    "Not finished: the worker stopped while running this job ({attempts}). Retry it; if it stops again, "
    "the administrator can find why in the worker's log under job {pk}."
)
# Time limits of one run (aims.tasks.run_job). The broker hands an unacknowledged job to another worker
# only after its visibility timeout (BROKER_VISIBILITY_TIMEOUT), which must stay above the hard limit.
SOFT_TIME_LIMIT = 15 * 60
HARD_TIME_LIMIT = 16 * 60
HEARTBEAT_SECONDS = 30  # a runner repeating the same percent still says it is alive, this often at most


class JobError(Exception):
    """A failure whose message is written for the person who asked for the job (shown as is)."""


class JobStopped(Exception):
    """The run no longer owns its job (cancelled, failed by the sweep, started again): it stops quietly."""


def job_url(job: Job) -> str:
    return f"/jobs/{job.pk}/"


def start_job(*, kind: str, title: str, params: dict | None, user, retry_of: Job | None = None) -> Job:
    """Record a job and queue it once the surrounding transaction commits (never before: the
    worker must find the row)."""
    if kind not in registry.job_runners:
        known = ", ".join(sorted(registry.job_runners)) or "none registered"
        raise ValueError(f"Unknown job kind {kind!r} (known kinds: {known}).")
    job = Job.objects.create(
        kind=kind, title=title[:200], params=params or {}, requested_by=user, retry_of=retry_of
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from aims import tasks  # tasks imports this module

    try:
        tasks.run_job.delay(job_id)
    except Exception:  # broker unreachable: say so on the job instead of leaving it queued forever
        logger.exception("Could not queue job %s", job_id)
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            error="The job could not be queued: the task queue is unreachable. Try again later.",
        )


def cancel_job(*, job: Job, user) -> Job:
    """Stop a queued or running job for the person who asked for it (or the AIMS manager). A queued one
    never runs (its message finds it cancelled); a running one stops at its next progress report, and
    whatever it produces afterwards is dropped."""
    require(policy_of(job), "cancel", user, job, field="status")
    now = timezone.now()
    note = f"Cancelled by {user} at {timezone.localtime(now):%Y-%m-%d %H:%M}."
    active = Job.objects.filter(pk=job.pk, status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
    if not active.update(status=Job.Status.CANCELLED, finished_at=now, error=note):
        job.refresh_from_db()
        raise ValidationError({"status": f"{job.title} is {job.get_status_display().lower()} already."})
    job.refresh_from_db()
    logger.info("Job %s cancelled by %s", job.pk, user.pk)
    if job.requested_by_id != user.pk:
        _notify(job, f"{job.title} was cancelled by {user}.")
    return job


def retry_job(*, job: Job, user) -> Job:
    """Run a failed or cancelled job again, as a new job for the same person with the same parameters;
    the old one stays as it ended, with a link to the new one."""
    with transaction.atomic():
        # Two clicks on Retry make one new job: the second finds the first one's retry.
        Job.objects.select_for_update().filter(pk=job.pk).first()
        require(policy_of(job), "retry", user, job, field="status")
        return start_job(
            kind=job.kind, title=job.title, params=job.params, user=job.requested_by, retry_of=job
        )


def sweep_stale_jobs(*, now=None) -> list[Job]:
    """Fail the jobs nothing moves any more (run by Celery beat and `manage.py sweep_jobs`): a running job
    silent for longer than its kind allows (its worker stopped and no other took it up), and a queued one
    no worker took within JOB_QUEUE_LIMIT_MINUTES (its message was lost)."""
    now = now or timezone.now()
    queue_limit = timedelta(minutes=settings.JOB_QUEUE_LIMIT_MINUTES)
    failed = []
    for job in Job.objects.filter(status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).select_related(
        "requested_by"
    ):
        if job.status == Job.Status.RUNNING:
            silence = registry.job_kind(job.kind).silence
            since = job.progressed_at or job.started_at or job.created_at
            if now - since <= silence:
                continue
            reason = (
                f"Not finished: it showed no progress for more than {_minutes(silence)} (the last at "
                f"{timezone.localtime(since):%Y-%m-%d %H:%M}), so the worker running it has stopped. Retry it."
            )
        else:
            if now - job.created_at <= queue_limit:
                continue
            reason = (
                f"Not started: no worker took it up within {_minutes(queue_limit)} of the request. Retry it; "
                "if that happens again, ask the administrator to check that the background worker runs."
            )
        # Only if it is still as read: a run that moved meanwhile keeps its job.
        unchanged = Job.objects.filter(
            pk=job.pk, status=job.status, attempts=job.attempts, progressed_at=job.progressed_at
        )
        if _fail(job, reason, run=unchanged):
            logger.warning("Job %s (%s) failed by the sweep: %s", job.pk, job.kind, reason)
            failed.append(job)
    return failed


def wait_for(job: Job, seconds: float, *, every: float = 0.2) -> Job:
    """The job as it stands once it has finished, or after `seconds` (reading its row again meanwhile): a
    request may wait this long for a short report, so that the person gets the file from the button."""
    deadline = time.monotonic() + seconds
    while not job.is_finished and time.monotonic() < deadline:
        time.sleep(min(every, max(0.0, deadline - time.monotonic())))
        job.refresh_from_db()
    return job


def seen_as_it_ended(job: Job) -> None:
    """The person who asked saw the job end (the request that queued it waited and answered with the file,
    or with its error): the "job finished" notice is only for the ones they left, so it goes."""
    Notification.objects.filter(user_id=job.requested_by_id, key=f"job:{job.pk}").delete()


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def safe_filename(name: str) -> str:
    name = get_valid_filename(Path(str(name or "")).name) if name else ""
    name = name.lstrip(".")[-150:]
    return name or "result.bin"


def _user_message(exc: Exception, job: Job) -> str:
    if isinstance(exc, JobError | PermissionDenied):
        return str(exc) or "The job was refused."
    if isinstance(exc, SoftTimeLimitExceeded):
        return (
            f"{job.title} took longer than the {SOFT_TIME_LIMIT // 60} minutes a job may run, so it was stopped. "
            "Narrow it down (fewer records, a shorter period) and try again."
        )
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        return " ".join(exc.messages)
    # Anything else is a bug or an outage: its text may expose internals, so it stays in the log.
    return (
        f"{job.title} could not be produced because of an internal error ({type(exc).__name__}). "
        f"The administrator can find the details in the server log under job {job.pk}."
    )


def _notify(job: Job, message: str) -> None:
    Notification.objects.update_or_create(
        user_id=job.requested_by_id,
        key=f"job:{job.pk}",
        defaults={"kind": Notification.Kind.JOB_DONE, "message": message[:500], "url": job_url(job)},
    )
    from aims import webhooks
    from aims.api.fields import absolute_url

    if webhooks.subscribed("job.finished"):  # the body reads the person: only for someone listening
        webhooks.emit("job.finished", {
            "job": job.pk, "kind": job.kind, "title": job.title, "status": job.status,
            "requested_by": job.requested_by.username if job.requested_by_id else None,
            "url": absolute_url(None, reverse("api:job-detail", args=[job.pk])),
        })  # fmt: skip


def _claim(job_id: int) -> Job | None:
    """Take the job for this delivery of its message, or say why not (None). The task is acknowledged
    only once it ends (acks_late), so a worker that dies mid-job leaves the message to be delivered
    again: a job found running was started by a worker that stopped, and this start counts an attempt."""
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            logger.warning("Job %s no longer exists; nothing to run.", job_id)
            return None
        if job.status == Job.Status.RUNNING:
            if job.attempts >= MAX_ATTEMPTS:
                logger.error(
                    "Job %s: the worker stopped during each of its %s runs; failing it.", job_id, job.attempts
                )
                _fail(job, WORKER_STOPPED.format(attempts=_times(job.attempts), pk=job.pk))
                return None
            logger.warning("Job %s was running when its worker stopped; starting it again.", job_id)
        elif job.status != Job.Status.QUEUED:
            logger.info("Job %s is %s already; a redelivered task does not run it again.", job_id, job.status)
            return None
        now = timezone.now()
        job.status, job.attempts, job.progress = Job.Status.RUNNING, job.attempts + 1, 0
        job.started_at = job.progressed_at = now
        job.save(update_fields=["status", "attempts", "progress", "started_at", "progressed_at"])
    return job


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _fail(job: Job, error: str, *, run=None) -> bool:
    """Mark the job failed and tell the requester; with `run` (the rows this run still owns), only if it
    still owns the job. Returns whether it was marked."""
    rows = run if run is not None else Job.objects.filter(pk=job.pk, status=job.status)
    with transaction.atomic():  # whoever sees the job failed finds the notice too
        if not rows.update(status=Job.Status.FAILED, finished_at=timezone.now(), error=error):
            return False
        job.status, job.error = Job.Status.FAILED, error
        _notify(job, f"{job.title} failed: {error}")
    return True


def run_job(job_id: int) -> None:
    """Run a queued job to the end. Never raises: the worker loop must survive any runner."""
    job = _claim(job_id)
    if job is None:
        return
    # Every write of this run goes through `run`: once the job is cancelled, failed by the sweep or
    # started again after a worker stopped, this run owns it no more and its writes change nothing.
    run = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)
    last = {"percent": 0, "at": time.monotonic()}

    def progress(percent: int) -> None:
        percent = max(0, min(99, int(percent)))  # 100 means done, and only run_job says that
        now = time.monotonic()
        if percent == last["percent"] and now - last["at"] < HEARTBEAT_SECONDS:
            return
        last.update(percent=percent, at=now)
        if not run.update(progress=percent, progressed_at=timezone.now()):
            raise JobStopped  # cancelled meanwhile: stop working on it at once

    try:
        runner = registry.job_runners.get(job.kind)
        if runner is None:
            raise JobError(f"No runner is registered for jobs of kind {job.kind!r}.")
        filename, data = runner(job, progress)
        _store(job, safe_filename(filename), data, run)
    except JobStopped:
        logger.info("Job %s was cancelled or taken over while it ran; its run stops here.", job.pk)
        return
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _fail(job, _user_message(exc, job), run=run)
        return


def _store(job: Job, filename: str, data: bytes | Path, run) -> None:
    relative = Path("jobs") / str(job.pk) / filename
    target = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, Path):
        size, sha256 = _hash_file(data)
        data.replace(target)  # same file system: a rename, never a copy
    else:
        partial = target.with_name(f".{filename}.part")
        partial.write_bytes(data)
        partial.replace(target)  # a download never sees a half-written file
        size, sha256 = len(data), hashlib.sha256(data).hexdigest()
    fields = {
        "result_path": relative.as_posix(), "result_name": filename, "result_size": size, "sha256": sha256,
        "status": Job.Status.DONE, "progress": 100, "finished_at": timezone.now(), "error": "",
    }  # fmt: skip
    with transaction.atomic():  # whoever sees the job done finds the notice too
        if not run.update(**fields):  # cancelled while the runner worked: nobody wants the file
            target.unlink(missing_ok=True)
            logger.info("Job %s was cancelled or taken over before it finished; its file is dropped.", job.pk)
            return
        for name, value in fields.items():
            setattr(job, name, value)
        _notify(job, f"{job.title} is ready to download ({filesizeformat(job.result_size)}).")


def _hash_file(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def result_file(job: Job) -> Path | None:
    """The stored result of a finished job, for the download view (which checks permissions)."""
    if job.status != Job.Status.DONE or not job.result_path:
        return None
    path = Path(settings.PRIVATE_MEDIA_ROOT) / job.result_path
    return path if path.is_file() else None

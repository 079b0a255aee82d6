"""Background jobs: long work (reports, evidence packs, imports) runs in a Celery worker and reports
through a Job row that the UI and the API follow (status, progress, result file, SHA-256, error).

Supports ISO/IEC 42001 7.5 (documented information): every produced file is kept with its checksum,
so what was handed to an auditor can be shown to be unchanged.

A domain app registers a runner for a kind from its AppConfig.ready():
`registry.add_job_runner("risk_register_pdf", runner)`, where
`runner(job, progress) -> (filename, bytes)` and `progress(percent)` may be called as work advances.
A runner whose result is too large for memory (evidence packs) returns (filename, Path) instead: a file
it wrote under PRIVATE_MEDIA_ROOT, which is moved into place and hashed in chunks."""

import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import get_valid_filename

from aims.models import Job, Notification
from aims.registry import registry

logger = logging.getLogger(__name__)


class JobError(Exception):
    """A failure whose message is written for the person who asked for the job (shown as is)."""


def job_url(job: Job) -> str:
    return f"/jobs/{job.pk}/"


def start_job(*, kind: str, title: str, params: dict | None, user) -> Job:
    """Record a job and queue it once the surrounding transaction commits (never before: the
    worker must find the row)."""
    if kind not in registry.job_runners:
        known = ", ".join(sorted(registry.job_runners)) or "none registered"
        raise ValueError(f"Unknown job kind {kind!r} (known kinds: {known}).")
    job = Job.objects.create(kind=kind, title=title[:200], params=params or {}, requested_by=user)
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


def safe_filename(name: str) -> str:
    name = get_valid_filename(Path(str(name or "")).name) if name else ""
    name = name.lstrip(".")[-150:]
    return name or "result.bin"


def _user_message(exc: Exception, job: Job) -> str:
    if isinstance(exc, JobError | PermissionDenied):
        return str(exc) or "The job was refused."
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


def run_job(job_id: int) -> None:
    """Run a queued job to the end. Never raises: the worker loop must survive any runner."""
    job = Job.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None:
        logger.warning("Job %s no longer exists; nothing to run.", job_id)
        return
    if job.status != Job.Status.QUEUED:
        logger.info("Job %s is %s already; a redelivered task does not run it twice.", job_id, job.status)
        return
    job.status, job.started_at, job.progress = Job.Status.RUNNING, timezone.now(), 0
    job.save(update_fields=["status", "started_at", "progress"])
    last = [0]

    def progress(percent: int) -> None:
        percent = max(0, min(99, int(percent)))  # 100 means done, and only run_job says that
        if percent != last[0]:
            last[0] = percent
            Job.objects.filter(pk=job.pk).update(progress=percent)

    try:
        runner = registry.job_runners.get(job.kind)
        if runner is None:
            raise JobError(f"No runner is registered for jobs of kind {job.kind!r}.")
        filename, data = runner(job, progress)
        _store(job, safe_filename(filename), data)
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job.status, job.finished_at = Job.Status.FAILED, timezone.now()
        job.error = _user_message(exc, job)
        job.save(update_fields=["status", "finished_at", "error"])
        _notify(job, f"{job.title} failed: {job.error}")
        return
    _notify(job, f"{job.title} is ready to download ({filesizeformat(job.result_size)}).")


def _store(job: Job, filename: str, data: bytes | Path) -> None:
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
    job.result_path, job.result_name = relative.as_posix(), filename
    job.result_size, job.sha256 = size, sha256
    job.status, job.progress, job.finished_at, job.error = Job.Status.DONE, 100, timezone.now(), ""
    job.save(
        update_fields=[
            "result_path", "result_name", "result_size", "sha256", "status", "progress", "finished_at", "error"
        ]
    )  # fmt: skip


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

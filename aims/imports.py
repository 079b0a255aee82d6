"""Imports run as jobs, for every register that imports (the AI risk register, KPI measurements).

The request checks what can be checked at once -- the file's size, kind, header, row limit -- and refuses
a bad file on the spot with the reason. A good-looking file is kept privately and a Celery worker runs the
register's importer on it: every row is checked through the register's services, all or nothing. The job
page then says what happened, with every problem by row and column, and offers the per-row report as CSV.

A register adds its importer with `add_importer(kind, run)`, where `run(job, upload) -> ImportOutcome`
reads the job's params (what to import into) and acts as `job.requested_by`."""

import csv
import io
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.jobs import JobError, start_job
from aims.registry import registry
from aims.spreadsheets import read_upload

SHOWN = 500  # problems kept on the job for its page; the report holds them all


@dataclass
class ImportOutcome:
    ok: bool
    summary: (
        str  # one line: "2 created, 1 updated." or "Nothing was imported: 3 problems to fix in the file."
    )
    problems: list[tuple[int, str, str]] = field(
        default_factory=list
    )  # (row, column, problem); row 0: the file
    done: list[tuple[str, str]] = field(default_factory=list)  # (reference or line, what happened)


def start_import(*, kind: str, title: str, upload, user, params: dict | None = None):
    """Keep the upload privately and queue the import; returns the job. The caller has checked the file."""
    name, data = read_upload(upload)
    relative = Path("imports") / f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:10]}"
    target = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return start_job(
        kind=kind,
        title=title,
        params={**(params or {}), "upload": relative.as_posix(), "name": name},
        user=user,
    )


def add_importer(kind: str, run) -> None:
    registry.add_job_runner(kind, lambda job, progress: _run(job, run), retry_refusal=_upload_gone)


def _upload_gone(job) -> str:
    """An import runs again only while its upload is kept (a worker stopped before it ended)."""
    if (Path(settings.PRIVATE_MEDIA_ROOT) / job.params.get("upload", "-")).is_file():
        return ""
    return "The uploaded file is no longer kept once an import has run: upload it again."


def _run(job, run):
    stored = Path(settings.PRIVATE_MEDIA_ROOT) / job.params["upload"]
    try:
        upload = SimpleUploadedFile(job.params["name"], stored.read_bytes())
        outcome = run(job, upload)
    finally:
        stored.unlink(missing_ok=True)  # the file was only a means: the records and the report remain
    job.params = {
        **job.params,
        "summary": outcome.summary,
        "problems": [list(p) for p in outcome.problems[:SHOWN]],
        "problem_count": len(outcome.problems),
    }
    job.save(update_fields=["params"])
    if not outcome.ok:
        raise JobError(outcome.summary)
    return "import-report.csv", _report(outcome)


def _report(outcome: ImportOutcome) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["record", "outcome"])
    writer.writerows(outcome.done)
    return buffer.getvalue().encode("utf-8-sig")

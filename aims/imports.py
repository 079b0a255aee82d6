"""Imports run as jobs, for every register that imports (the AI risk register, KPI measurements).

The request checks what can be checked at once and cheaply -- the file's size, kind, header, row limit --
and refuses a bad file on the spot with the reason. A good-looking file is kept privately and a Celery
worker runs the register's importer on it: every row is checked through the register's services, all or
nothing. The job page then says what happened, with the first problems by row and column and how many
more there are, and offers the per-row report as CSV.

Every import reads its file row by row (aims.spreadsheets.open_table) and stops at IMPORT_MAX_ROWS, and
keeps at most MAX_PROBLEMS problems (and a count of the rest), so neither a request nor a job does work
or holds memory in proportion to what a file claims.

A register adds its importer with `add_importer(kind, run)`, where `run(job, upload) -> ImportOutcome`
reads the job's params (what to import into) and acts as `job.requested_by`."""

import csv
import io
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files import File

from aims.files import too_large
from aims.jobs import JobError, start_job
from aims.registry import registry
from aims.spreadsheets import TableError

MAX_PROBLEMS = 50  # problems kept and shown; beyond them only their number ("and 5,994 more")


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
    problem_count: int | None = None  # all problems found, when more than `problems` holds


def nothing_imported(count: int) -> str:
    """The summary of an import refused for its problems, the same in every register."""
    return f"Nothing was imported: {count:,} problem{'' if count == 1 else 's'} to fix in the file."


def start_import(*, kind: str, title: str, upload, user, params: dict | None = None):
    """Keep the upload privately and queue the import; returns the job. The caller has checked the file."""
    name = os.path.basename(getattr(upload, "name", "") or "")
    relative = Path("imports") / f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:10]}"
    target = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    limit, written = settings.MAX_UPLOAD_BYTES, 0
    upload.seek(0)
    with target.open("wb") as stored:
        for chunk in upload.chunks():  # copied in chunks: an upload is never held whole in memory here
            written += len(chunk)
            if written > limit:
                stored.close()
                target.unlink(missing_ok=True)
                raise TableError(too_large(written, limit))
            stored.write(chunk)
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
        with stored.open("rb") as stream:  # read from disk as the importer goes, never loaded whole
            outcome = run(job, File(stream, name=job.params["name"]))
    finally:
        stored.unlink(missing_ok=True)  # the file was only a means: the records and the report remain
    count = max(outcome.problem_count or 0, len(outcome.problems))
    shown = [list(p) for p in outcome.problems[:MAX_PROBLEMS]]
    job.params = {
        **job.params,
        "summary": outcome.summary,
        "problems": shown,
        "problem_count": count,
        "problems_more": count - len(shown),
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

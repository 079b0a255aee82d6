"""Measurements imported from a CSV file (measured_at, value, note): read by the project's one reader
(aims.spreadsheets.read_table: settings.MAX_UPLOAD_BYTES and settings.IMPORT_MAX_ROWS), every row checked
and each problem named with its line and column; all or nothing."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from aims.imports import ImportOutcome
from aims.policies import policy_of, require
from aims.spreadsheets import TableError, read_table
from lifecycle.models import Measurement

from .services import clean_measured_at, clean_value, record_measurement

COLUMNS = ("measured_at", "value", "note")


@dataclass(frozen=True)
class RowError:
    line: int  # as a text editor shows it: the header is line 1; 0 means the file as a whole
    column: str
    message: str


def _parse_time(text: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(text.strip())  # a date, or a date and time
    except ValueError:
        raise ValidationError(
            f"{text.strip()[:40]!r} is not a date or time like 2026-03-31 or 2026-03-31 14:00."
        ) from None
    return clean_measured_at(parsed)


def parse_rows(rows, delimiter: str, existing: set) -> tuple[list[dict], list[RowError]]:
    """Every row checked; each problem named with its line and column. Nothing touches the database."""
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [name for name in ("measured_at", "value") if name not in header]
    if missing:
        return [], [
            RowError(1, ", ".join(missing), "Missing column: the header names measured_at and value.")
        ]
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        return [], [RowError(1, ", ".join(unknown), f"Unknown column; use {', '.join(COLUMNS)}.")]
    position = {name: header.index(name) for name in COLUMNS if name in header}
    good, errors, seen = [], [], {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, often at the end of a file
        values = {name: cells[i].strip() if i < len(cells) else "" for name, i in position.items()}
        row = {"line": line, "note": values.get("note", "")}
        if delimiter == ";" and "," in values["value"] and "." not in values["value"]:
            values["value"] = values["value"].replace(",", ".")  # a decimal comma, from a semicolon file
        for name, parse in (("measured_at", _parse_time), ("value", clean_value)):
            try:
                text = values[name]
                if not text:
                    raise ValidationError("Required: this cell is empty.")
                row[name] = parse(text)
            except ValidationError as exc:
                errors.append(RowError(line, name, " ".join(exc.messages)))
        if len(row["note"]) > 500:
            errors.append(RowError(line, "note", f"At most 500 characters (it has {len(row['note'])})."))
        when = row.get("measured_at")
        if when is not None:
            if when in seen:
                errors.append(RowError(line, "measured_at", f"The same time is on line {seen[when]}."))
            elif when in existing:
                errors.append(RowError(line, "measured_at", "There is already a measurement at this time."))
            seen.setdefault(when, line)
        if "measured_at" in row and "value" in row:
            good.append(row)
    return good, errors


class _RollBack(Exception):
    pass


def import_measurements(kpi, upload, *, actor) -> tuple[int, list[RowError]]:
    """All or nothing: every row is checked, and any problem leaves the KPI as it was."""
    require(policy_of(kpi), "import", actor, kpi)  # whoever may change it, while not archived
    try:
        table = read_table(upload, formats=("csv",), what=" of measurements")
    except TableError as exc:
        return 0, [RowError(0, "file", str(exc))]
    existing = set(kpi.measurements.values_list("measured_at", flat=True))
    good, errors = parse_rows(table.rows, table.delimiter, existing)
    if not errors and not good:
        errors = [RowError(0, "file", "The file has a header but no measurements.")]
    if errors:
        return 0, errors
    try:
        with transaction.atomic():
            # Newest first: only the newest can move the state, so a year of history makes one
            # history entry and at most one incident, not one per past breach.
            for row in sorted(good, key=lambda r: r["measured_at"], reverse=True):
                try:
                    record_measurement(
                        kpi,
                        actor=actor,
                        value=row["value"],
                        measured_at=row["measured_at"],
                        source=Measurement.Source.CSV,
                        note=row["note"],
                    )
                except ValidationError as exc:
                    errors += [
                        RowError(row["line"], field, " ".join(msgs))
                        for field, msgs in exc.message_dict.items()
                    ]
            if errors:
                raise _RollBack
    except _RollBack:
        return 0, sorted(errors, key=lambda e: e.line)
    return len(good), []


# -- import as a job (aims.imports) ------------------------------------------------------------------------
IMPORT_KIND = "kpi_measurement_import"


def file_problems(upload) -> list[RowError]:
    """What the request refuses at once, before queueing: the file's size and kind, its header, its row
    limit, a file with no measurements. Each row's own problems are the job's to find."""
    try:
        table = read_table(upload, formats=("csv",), what=" of measurements")
    except TableError as exc:
        return [RowError(0, "file", str(exc))]
    good, errors = parse_rows(table.rows, table.delimiter, set())
    whole = [e for e in errors if e.line <= 1]
    if not whole and not good and not errors:
        whole = [RowError(0, "file", "The file has a header but no measurements.")]
    return whole


def run_import(job, upload) -> ImportOutcome:
    """The worker's side: import into the KPI named by the job, as the person who asked."""
    from lifecycle.models import KPI

    kpi = KPI.objects.get(reference=job.params["kpi"])
    count, errors = import_measurements(kpi, upload, actor=job.requested_by)
    if errors:
        summary = f"Nothing was imported: {len(errors)} problem{'s' if len(errors) != 1 else ''} to fix in the file."
        return ImportOutcome(
            ok=False, summary=summary, problems=[(e.line, e.column, e.message) for e in errors]
        )
    kpi.refresh_from_db()
    summary = (
        f"{count} measurement{'s' if count != 1 else ''} imported into {kpi.reference}; "
        f"it is {kpi.get_state_display().lower()}."
    )
    return ImportOutcome(ok=True, summary=summary, done=[(kpi.reference, summary)])

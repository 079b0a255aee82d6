"""Import of the AI risk register from the layout of columns.py, through the register's services
(validation, history, permissions), all or nothing: one bad row and nothing is saved, with every row's
problems in the report. It runs as a job (aims.imports)."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction

from aims.catalogue_data import STANDARD
from aims.forms import owner_choices
from aims.imports import MAX_PROBLEMS, ImportOutcome, nothing_imported
from aims.models import Change, Requirement, ReviewCadence, User
from aims.records import StaleEdit
from aims.spreadsheets import TableError, cell_text, open_table
from aims.system_names import SystemIndex

from ..models import Risk, RiskCategory
from ..services import risk_create, risk_update
from .columns import HEADERS, READ_ONLY, REQUIRED, SHEET_TITLE


# -- import: the report ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RowError:
    row_number: int  # as a spreadsheet shows it: the header is row 1; 0 means the file as a whole
    column: str
    message: str

    def __str__(self):
        where = "File" if self.row_number == 0 else f"Row {self.row_number}"
        return f"{where}, {self.column}: {self.message}"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # the first MAX_PROBLEMS problems
    problem_count: int = 0  # all of them

    @property
    def ok(self) -> bool:
        return not self.problem_count

    @property
    def full(self) -> bool:
        """Enough problems to show: the rest are only counted, and no more rows are tried on the database."""
        return self.problem_count >= MAX_PROBLEMS

    def add(self, errors: list[RowError]) -> None:
        self.errors.extend(errors[: max(0, MAX_PROBLEMS - len(self.errors))])
        self.problem_count += len(errors)

    @property
    def summary(self) -> str:
        if not self.ok:
            return nothing_imported(self.problem_count)
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged."


class _CellError(Exception):
    pass


class _RollBack(Exception):
    """Raised inside the import transaction when any row failed, so that nothing is saved."""


# -- import: one parser per importable column -------------------------------------------------------
_KEEP = object()  # a blank cell: the default on create, unchanged on update


def _show(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _required(text):
    if not text.strip():
        raise _CellError("Required: this cell is empty.")
    return text.strip()


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _scale(required: bool):
    def parse(text, ctx):
        if not text.strip():
            if required:
                raise _CellError("Required: give a whole number from 1 to 5.")
            return None
        value = _int(text)
        if value is None or not 1 <= value <= 5:
            raise _CellError(f"{_show(text)} is not a whole number from 1 to 5.")
        return value

    return parse


def _flag(text, ctx):
    value = text.strip().lower()
    if value in ("yes", "true", "1", "y"):
        return True
    if value in ("no", "false", "0", "n", ""):
        return False
    raise _CellError(f"{_show(text)} is not yes or no.")


def _choice(choices, blank=_KEEP, required=False):
    lookup = {str(v).lower(): v for v, _ in choices} | {str(label).lower(): v for v, label in choices}
    allowed = ", ".join(str(v) for v, _ in choices)

    def parse(text, ctx):
        if not text.strip():
            if required:
                raise _CellError(f"Required: one of {allowed}.")
            return blank
        if text.strip().lower() not in lookup:
            raise _CellError(f"{_show(text)} is not one of {allowed}.")
        return lookup[text.strip().lower()]

    return parse


def _category(text, ctx):
    category = ctx.categories.get(_required(text).lower())
    if category is None:
        names = ", ".join(c.name for c in ctx.categories.values())
        raise _CellError(f"No active category named {_show(text)}. Choose one of: {names}.")
    return category


def _owner(text, ctx):
    if not text.strip():
        return _KEEP
    user = ctx.owners.get(text.strip().lower())
    if user is None:
        raise _CellError(
            f"No user {_show(text)} who may own risks: give the username of an active user with "
            "the Owner or AIMS manager role."
        )
    return user


def _date(text, ctx):
    if not text.strip():
        return _KEEP
    try:
        return dt.datetime.fromisoformat(text.strip()).date()  # a date, or a date with a time
    except ValueError as exc:
        raise _CellError(f"{_show(text)} is not a date in the form YYYY-MM-DD.") from exc


def _systems(text, ctx):
    """AI systems by reference or title, separated by ";" (the export writes references)."""
    match = ctx.systems.match(text)
    if match.leftover:
        raise _CellError(
            f"Not in the AI system inventory (or not visible to you): {_show(match.leftover)}. Give "
            "references like SYS-0001, separated by ';', or put the name in system_note."
        )
    return match.systems


def _requirements(text, ctx):
    codes = text.replace(",", " ").split()
    unknown = [code for code in codes if code not in ctx.requirements]
    if unknown:
        raise _CellError(
            f"Not ISO/IEC 42001 requirements or Annex A controls: {', '.join(_show(c) for c in unknown)}."
        )
    return [ctx.requirements[code] for code in dict.fromkeys(codes)]


FIELD_OF = {"ai_systems": "systems"}  # a column whose header is not its field's name

PARSERS = {
    "title": lambda text, ctx: _required(text),
    "description": lambda text, ctx: text,
    "ai_systems": _systems,
    "system_note": lambda text, ctx: text.strip(),
    "category": _category,
    "risk_source": _choice(Risk.RiskSource.choices, required=True),
    **dict.fromkeys(Risk.AFFECTED, _flag),
    "inherent_likelihood": _scale(required=True),
    "inherent_impact": _scale(required=True),
    "existing_controls": lambda text, ctx: text,
    "treatment": _choice(Risk.Treatment.choices),
    "treatment_plan": lambda text, ctx: text,
    "treatment_due_on": _date,
    "treatment_done_on": _date,
    "residual_likelihood": _scale(required=True),
    "residual_impact": _scale(required=True),
    "target_likelihood": _scale(required=False),
    "target_impact": _scale(required=False),
    "owner": _owner,
    "status": _choice(Risk.Status.choices),
    "review_cadence": _choice(ReviewCadence.choices),
    "next_review_on": _date,
    "requirements": _requirements,
}


# -- import: rows ---------------------------------------------------------------------------------
@dataclass
class _Context:
    actor: User
    categories: dict
    owners: dict
    requirements: dict
    risks: dict
    systems: SystemIndex

    @classmethod
    def load(cls, actor, references):
        owners = owner_choices()  # who may own a record, as the form offers them
        requirements = Requirement.objects.filter(
            standard__key=STANDARD["key"], kind__in=Requirement.MAPPABLE
        )
        risks = (
            Risk.objects.restrict(actor, "view")
            .filter(reference__in=references)
            .select_related("owner", "category")
            .prefetch_related("requirements", "systems")
        )
        systems = Risk._meta.get_field("systems").related_model.objects.restrict(actor, "view").live()
        return cls(
            actor=actor,
            categories={c.name.lower(): c for c in RiskCategory.objects.filter(active=True)},
            owners={u.username.lower(): u for u in owners.distinct()},
            requirements={r.code: r for r in requirements},
            risks={r.reference: r for r in risks},
            systems=SystemIndex(systems),
        )


def _same(current, new) -> bool:
    if isinstance(current, set):
        return current == {item.pk for item in new}
    if isinstance(current, str) and isinstance(new, str):
        return current.replace("\r\n", "\n").strip() == new.replace("\r\n", "\n").strip()
    return current == new


def _current(risk, name: str):
    if name == "systems":  # compared as the same systems, whatever their order
        return {s.pk for s in risk.systems.all()}
    return getattr(risk, name)


def _changes(risk, fields: dict, requirements) -> tuple[dict, list | None]:
    """Only what the row changes, so an unchanged row touches nothing and needs no permission."""
    changed = {name: value for name, value in fields.items() if not _same(_current(risk, name), value)}
    if requirements is not None and {r.pk for r in requirements} == {r.pk for r in risk.requirements.all()}:
        requirements = None
    return changed, requirements


def _service_errors(row_number: int, exc: ValidationError) -> list[RowError]:
    if not hasattr(exc, "error_dict"):
        return [RowError(row_number, "row", message) for message in exc.messages]
    return [
        RowError(row_number, "row" if name == "__all__" else name, message)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def _import_row(ctx, report, row_number: int, cells: dict) -> list[RowError]:
    errors, fields, requirements = [], {}, None
    for header, text in cells.items():
        if header not in PARSERS:
            continue
        try:
            value = PARSERS[header](text, ctx)
        except _CellError as exc:
            errors.append(RowError(row_number, header, str(exc)))
            continue
        if header == "requirements":
            requirements = value
        elif value is not _KEEP:
            fields[FIELD_OF.get(header, header)] = value
    reference = cells.get("reference", "").strip().upper()
    risk = ctx.risks.get(reference) if reference else None
    if reference and risk is None:
        errors.append(RowError(row_number, "reference", f"{reference}: no such risk."))
    version = _int(cells.get("version", ""))
    if reference and version is None:
        errors.append(
            RowError(row_number, "version", f"To update {reference}, give the version it had when exported.")
        )
    if errors or report.full:  # once full, nothing will be saved: rows are only checked and counted
        return errors
    try:
        with transaction.atomic():
            if risk is None:
                created = risk_create(
                    actor=ctx.actor, fields=fields, requirements=requirements, action=Change.Action.IMPORTED
                )
                report.created.append(created.reference)
                return []
            changed, requirements = _changes(risk, fields, requirements)
            if not changed and requirements is None:
                report.unchanged.append(reference)
                return []
            risk_update(
                risk, actor=ctx.actor, expected_version=version, fields=changed, requirements=requirements
            )
            report.updated.append(reference)
            return []
    except StaleEdit as exc:
        return [RowError(row_number, "version", exc.message)]
    except PermissionDenied as exc:
        return [RowError(row_number, "reference" if risk else "row", str(exc))]
    except ValidationError as exc:
        return _service_errors(row_number, exc)
    except DatabaseError as exc:
        return [RowError(row_number, "row", f"The database refused this row: {str(exc).splitlines()[0]}")]


def _parse_header(raw: list) -> list[str]:
    names = [cell_text(value).strip().lower() for value in raw]
    problems = []
    unknown = [name for name in names if name and name not in HEADERS]
    if unknown:
        problems.append(
            f"Unknown column(s): {', '.join(_show(n) for n in unknown)}. Use the export's headers."
        )
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        problems.append(f"Missing required column(s): {', '.join(missing)}.")
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        problems.append(f"Column(s) given more than once: {', '.join(repeated)}.")
    if problems:
        raise TableError(" ".join(problems))
    return names


def _header(sheet) -> list[str]:
    first = next(sheet.rows, None)
    if first is None or not any(cell_text(v).strip() for v in first[1]):
        raise TableError(f"The first row must hold the column headers ({', '.join(REQUIRED[:3])}, ...).")
    return _parse_header(first[1])


def _read_rows(sheet, headers: list[str]):
    """The rows of risks below the header, one at a time, as {column: text}; blank rows are skipped."""
    for number, raw in sheet.rows:
        raw = [*raw, *[None] * (len(headers) - len(raw))]  # a short row's missing cells are blank
        cells = {h: cell_text(v) for h, v in zip(headers, raw, strict=False) if h and h not in READ_ONLY}
        if any(text.strip() for text in cells.values()):
            yield number, cells


def _open(uploaded_file):
    return open_table(uploaded_file, sheet_title=SHEET_TITLE, what=" in the export's layout")


def import_risks(uploaded_file, *, actor) -> ImportReport:
    """Create and update AI risks (6.1.2, 6.1.3) from a CSV or XLSX file in the export's layout.

    All or nothing: every row is checked and tried; if any fails, nothing is saved and the report
    lists the first MAX_PROBLEMS problems by row (as the spreadsheet numbers them) and column, and
    counts the rest. The file is read row by row and refused past IMPORT_MAX_ROWS."""
    report = ImportReport()
    try:
        with _open(uploaded_file) as sheet:
            headers = _header(sheet)
            # Read before the transaction (at most IMPORT_MAX_ROWS rows): the context loads every risk the
            # file names at once, rather than one query per row.
            rows = list(_read_rows(sheet, headers))
    except TableError as exc:
        report.add([RowError(0, "file", str(exc))])
        return report
    if not rows:
        report.add([RowError(0, "file", "The file has a header row but no rows of risks.")])
        return report
    seen = {}
    try:
        with transaction.atomic():
            ctx = _Context.load(actor, {c.get("reference", "").strip().upper() for _, c in rows} - {""})
            for number, cells in rows:
                reference = cells.get("reference", "").strip().upper()
                if reference and reference in seen:
                    report.add(
                        [RowError(number, "reference", f"{reference} is already on row {seen[reference]}.")]
                    )
                    continue
                if reference:
                    seen[reference] = number
                report.add(_import_row(ctx, report, number, cells))
            if not report.ok:
                raise _RollBack
    except _RollBack:
        # Nothing was saved, so the report must not claim any creation or update.
        report.created.clear()
        report.updated.clear()
        report.unchanged.clear()
    return report


# -- import as a job (aims.imports) ------------------------------------------------------------------------
IMPORT_KIND = "risk_import"


def check_file(uploaded_file) -> None:
    """What the request refuses at once, before queueing: size, kind, header, no rows or more than
    IMPORT_MAX_ROWS (raises TableError). Rows are only read, not checked: bounded work for a request."""
    with _open(uploaded_file) as sheet:
        headers = _header(sheet)
        if next(_read_rows(sheet, headers), None) is None:
            raise TableError("The file has a header row but no rows of risks.")
        for _ in sheet.rows:  # counted up to the limit, where the reader stops
            pass


def run_import(job, uploaded_file) -> ImportOutcome:
    """The worker's side: import_risks as the person who asked, its report as the job's outcome."""
    report = import_risks(uploaded_file, actor=job.requested_by)
    done = [(r, "created") for r in report.created] + [(r, "updated") for r in report.updated]
    return ImportOutcome(
        ok=report.ok,
        summary=report.summary,
        problems=[(e.row_number, e.column, e.message) for e in report.errors],
        problem_count=report.problem_count,
        done=done + [(r, "unchanged") for r in report.unchanged],
    )

"""Spreadsheets in and out, for every register that exports or imports: one formula escape and one reader
of uploaded CSV and XLSX files, with one size limit (MAX_UPLOAD_BYTES) and one row limit
(IMPORT_MAX_ROWS)."""

import codecs
import csv
import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from aims.files import size_text, too_large

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP). The apostrophe
# that neutralises one is escaped too, so an import undoes the escape exactly.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def escape_formula(value) -> str:
    """Text a spreadsheet must not run as a formula, with a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def unescape_formula(text: str) -> str:
    """What escape_formula wrote, as it was."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


class TableError(Exception):
    """The file as a whole cannot be read; the message says why, for the person who uploaded it."""


@dataclass
class Table:
    rows: list[list]  # the header row first; CSV cells are text, XLSX cells typed values
    delimiter: str = ","  # a CSV's; ";" hints at a decimal comma in its numbers


@dataclass
class Sheet:
    """An uploaded table read one row at a time: `rows` yields (row number as a spreadsheet shows it, the
    header being 1; cells) and refuses the row after IMPORT_MAX_ROWS, so no file is ever held whole."""

    rows: Iterator[tuple[int, list]]
    delimiter: str = ","


def read_upload(uploaded_file) -> tuple[str, bytes]:
    """The file's name and bytes, refused above MAX_UPLOAD_BYTES before it is read whole."""
    limit = settings.MAX_UPLOAD_BYTES
    name = os.path.basename(getattr(uploaded_file, "name", "") or "")
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise TableError(too_large(size, limit))
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1) or b""
    if len(data) > limit:
        raise TableError(f"The file is larger than the limit of {size_text(limit)}.")
    if not data.strip():
        raise TableError("The file is empty.")
    return name, data


def _check_size(uploaded_file) -> str:
    """The file's name, once its size is known to be within MAX_UPLOAD_BYTES and it is not blank."""
    limit = settings.MAX_UPLOAD_BYTES
    name = os.path.basename(getattr(uploaded_file, "name", "") or "")
    size = getattr(uploaded_file, "size", None)
    if size is None:  # a stream of unknown size: read_upload reads at most one byte past the limit
        return read_upload(uploaded_file)[0]
    if size > limit:
        raise TableError(too_large(size, limit))
    uploaded_file.seek(0)
    head = uploaded_file.read(4096)
    uploaded_file.seek(0)
    if not head.strip() and size <= len(head):
        raise TableError("The file is empty.")
    return name


@contextmanager
def open_table(uploaded_file, *, formats=("csv", "xlsx"), sheet_title: str = "", what: str = ""):
    """An uploaded CSV or XLSX file (told apart by its extension) as a Sheet read row by row, at most
    IMPORT_MAX_ROWS rows below the header. `what` names the expected layout in the refusal of another kind
    of file. Every problem reading it -- kind, size, encoding, a damaged row -- is a TableError."""
    name = _check_size(uploaded_file)
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in formats:
        kinds = " or ".join(f".{f}" for f in formats)
        raise TableError(
            f"Upload a {kinds} file{what}; {_show(name)} is {'neither' if formats[1:] else 'not one'}."
        )
    opened = _csv if extension == "csv" else _xlsx
    with opened(uploaded_file, sheet_title) as sheet:
        sheet.rows = _limited(sheet.rows)
        yield sheet


def read_table(uploaded_file, *, formats=("csv", "xlsx"), sheet_title: str = "", what: str = "") -> Table:
    """The whole of open_table's rows at once (at most IMPORT_MAX_ROWS of them), for small imports."""
    with open_table(uploaded_file, formats=formats, sheet_title=sheet_title, what=what) as sheet:
        return Table([cells for _, cells in sheet.rows], sheet.delimiter)


def _limited(rows):
    limit = settings.IMPORT_MAX_ROWS
    for number, cells in rows:
        if number - 1 > limit:  # found, not counted to the end: a million rows cost what limit+1 do
            raise TableError(
                f"The file has more than {limit:,} rows below the header; the limit is {limit:,}."
            )
        yield number, cells


def _show(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _stream(uploaded_file):
    uploaded_file.seek(0)
    return getattr(uploaded_file, "file", None) or uploaded_file  # Django's File wraps the real stream


@contextmanager
def _csv(uploaded_file, sheet_title: str):
    stream = _stream(uploaded_file)
    head = stream.read(65536)
    stream.seek(0)
    try:  # the head as a whole, so the usual refusal comes first; a later row is checked as it is read
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise TableError(NOT_UTF8) from exc
    if b"\x00" in head:
        raise TableError("The file is not a text CSV file (it holds binary data).")
    first_line = head.split(b"\n", 1)[0]
    # Excel in many European locales saves CSV with semicolons (and a decimal comma).
    delimiter = ";" if first_line.count(b";") > first_line.count(b",") else ","
    # Bytes that are not UTF-8 are kept as surrogates and found in the row that holds them: a strict
    # decoder fails on a whole chunk of the file at once, and would name the wrong row.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield Sheet(_csv_rows(csv.reader(text, delimiter=delimiter)), delimiter)
    finally:
        text.detach()  # the upload is its owner's to close


NOT_DECODED = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, kept by surrogateescape
NOT_UTF8 = "The CSV file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again."


def _csv_rows(reader):
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TableError(f"Row {number:,} of the CSV file cannot be read: {_csv_problem(exc)}.") from exc
        if any(NOT_DECODED.search(cell) for cell in cells):
            raise TableError(f"{NOT_UTF8} (Row {number:,} is the first that is not.)")
        if any("\x00" in cell for cell in cells):
            raise TableError(f"The file is not a text CSV file (row {number:,} holds binary data).")
        yield number, cells


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a cell is longer than {csv.field_size_limit():,} characters, the most a cell may hold"
    return str(exc)


class _StreamingSheet(ReadOnlyWorksheet):
    def _get_size(self):
        """Not looked for: where a file does not state its size before its rows, openpyxl parses the whole
        sheet to find it, holding an element per row. The rows are read as they come instead."""


class _StreamingReader(ExcelReader):
    """openpyxl's read-only loading, with worksheets that do not parse themselves whole on opening."""

    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                worksheet = _StreamingSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                worksheet.sheet_state = sheet.state
                self.wb._sheets.append(worksheet)


@contextmanager
def _xlsx(uploaded_file, sheet_title: str):
    stream = _stream(uploaded_file)
    if not zipfile.is_zipfile(stream):
        raise TableError("The file is not a valid XLSX workbook.")
    stream.seek(0)
    with zipfile.ZipFile(stream) as archive:
        if sum(info.file_size for info in archive.infolist()) > 20 * settings.MAX_UPLOAD_BYTES:
            raise TableError("The workbook is too large once unpacked.")
    stream.seek(0)
    try:
        # read_only parses the sheet as it is iterated: memory stays flat however many rows it holds.
        reader = _StreamingReader(stream, read_only=True, data_only=True)
        reader.read()
        workbook = reader.wb
    except Exception as exc:  # openpyxl raises many kinds on a damaged file; all mean the same to a user
        raise TableError("The file is not a valid XLSX workbook.") from exc
    try:
        names = workbook.sheetnames
        sheet = workbook[sheet_title] if sheet_title in names else workbook.worksheets[0]
        sheet.reset_dimensions()  # a file's declared size can lie; read the rows that are there
        yield Sheet(_xlsx_rows(sheet))
    finally:
        workbook.close()


def _xlsx_rows(sheet):
    rows, number = sheet.iter_rows(values_only=True), 0
    while True:
        number += 1
        try:
            cells = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # a damaged sheet fails as it is read, whatever openpyxl raises
            raise TableError(f"Row {number:,} of the workbook's sheet cannot be read.") from exc
        yield number, list(cells)


def cell_text(value) -> str:
    """Any cell (CSV text or a typed XLSX value) as text, with the export's formula escape undone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unescape_formula(str(value).replace("\r\n", "\n"))

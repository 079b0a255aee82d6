"""Spreadsheets in and out, for every register that exports or imports: one formula escape and one reader
of uploaded CSV and XLSX files, with one size limit (MAX_UPLOAD_BYTES) and one row limit
(IMPORT_MAX_ROWS)."""

import csv
import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass

from django.conf import settings

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


def read_table(uploaded_file, *, formats=("csv", "xlsx"), sheet_title: str = "", what: str = "") -> Table:
    """An uploaded CSV or XLSX file (told apart by its extension) as rows, at most IMPORT_MAX_ROWS of them
    below the header. `what` names the expected layout in the refusal of another kind of file."""
    name, data = read_upload(uploaded_file)
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in formats:
        kinds = " or ".join(f".{f}" for f in formats)
        raise TableError(
            f"Upload a {kinds} file{what}; {_show(name)} is {'neither' if formats[1:] else 'not one'}."
        )
    table = _csv(data) if extension == "csv" else Table(_xlsx(data, sheet_title))
    limit = settings.IMPORT_MAX_ROWS
    if len(table.rows) - 1 > limit:
        raise TableError(f"The file has {len(table.rows) - 1:,} rows; the limit is {limit:,}.")
    return table


def _show(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            "The CSV file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again."
        ) from exc
    if "\x00" in text:
        raise TableError("The file is not a text CSV file (it holds binary data).")
    first_line = text.split("\n", 1)[0]
    # Excel in many European locales saves CSV with semicolons (and a decimal comma).
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return Table(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), delimiter)
    except csv.Error as exc:
        raise TableError(f"The CSV file cannot be read: {exc}.") from exc


def _xlsx(data: bytes, sheet_title: str) -> list[list]:
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TableError("The file is not a valid XLSX workbook.")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > 20 * settings.MAX_UPLOAD_BYTES:
            raise TableError("The workbook is too large once unpacked.")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file; all mean the same to a user
        raise TableError("The file is not a valid XLSX workbook.") from exc
    try:
        names = workbook.sheetnames
        sheet = workbook[sheet_title] if sheet_title in names else workbook.worksheets[0]
        sheet.reset_dimensions()  # a file's declared size can lie; read the rows that are there
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    except Exception as exc:
        raise TableError("The workbook's first sheet cannot be read.") from exc
    finally:
        workbook.close()


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

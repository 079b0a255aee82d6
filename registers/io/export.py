"""The AI risk register as CSV and XLSX, in the layout of columns.py; the queries do not grow with the
number of risks."""

import csv
import datetime as dt
import io

import openpyxl
from django.http import HttpResponse
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from aims.downloads import download
from aims.spreadsheets import escape_formula

from .columns import CHUNK_SIZE, CONTENT_TYPES, EXPORT_COLUMNS, HEADERS, SHEET_TITLE


# -- export ------------------------------------------------------------------------------------------
def _rows(risks, criteria):
    """Cell values per risk; a fixed number of queries whatever the number of risks (per chunk)."""
    queryset = risks.select_related("owner", "category", "accepted_by").prefetch_related(
        "requirements", "systems"
    )
    for risk in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [read(risk, criteria) for _, read in EXPORT_COLUMNS]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def export_csv(risks, criteria) -> bytes:
    """The risks (already restricted and filtered by the caller) as CSV, UTF-8 with a BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows([_csv_cell(v) for v in row] for row in _rows(risks, criteria))
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet, value):
    if value == "":
        return None  # openpyxl writes no XML for an empty cell: a third of the cells, often
    if isinstance(value, str):
        # Control characters are not allowed in XLSX; openpyxl would raise on them.
        return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def export_xlsx(risks, criteria) -> bytes:
    """The risks as an XLSX workbook: one sheet, bold frozen header row, one row per risk."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _rows(risks, criteria):
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(risks, criteria, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {fmt!r}: use csv or xlsx.")
    content = export_csv(risks, criteria) if fmt == "csv" else export_xlsx(risks, criteria)
    return download(
        content, f"ai-risks-{timezone.localdate():%Y-%m-%d}.{fmt}", content_type=CONTENT_TYPES[fmt]
    )

"""CSV and XLSX export of any register's list, as the user's filter shows it.

Columns default to the reference, every field history tracks (as shown on the page) and the archive
state; a register with its own import layout (risks) writes its own exporter."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from aims.downloads import download
from aims.records import display_value, tracked_fields
from aims.spreadsheets import escape_formula


def default_columns(model) -> list[tuple[str, callable]]:
    columns = [("reference", lambda r: r.reference)]
    for field in tracked_fields(model):
        columns.append((field.name, lambda r, f=field: display_value(r, f)))
    columns += [("version", lambda r: r.version), ("archived", lambda r: "yes" if r.archived_at else "no")]
    return columns


def rows(queryset, columns):
    for record in queryset.iterator(chunk_size=1000):  # prefetches still apply, chunk by chunk
        yield [escape_formula(get(record)) for _, get in columns]


def export_response(queryset, columns, fmt: str, stem: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise ValueError(fmt)
    filename = f"{stem}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    headers = [name for name, _ in columns]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(rows(queryset, columns))
        content, content_type = ("\ufeff" + buffer.getvalue()).encode(), "text/csv; charset=utf-8"
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(stem[:31])
        sheet.freeze_panes = "A2"
        sheet.append([_bold(sheet, h) for h in headers])
        for row in rows(queryset, columns):
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        content = out.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return download(content, filename, content_type=content_type)


def _bold(sheet, text):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    return cell

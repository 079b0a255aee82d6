"""Export and import of the AI risk register as CSV and XLSX (ISO/IEC 42001 6.1.2, 7.5.3).

Export and import share one layout (columns.py), so an export edited in a spreadsheet can be uploaded
again. Imports go through the register's services (validation, history, permissions) and are
all-or-nothing: one bad row and nothing is saved, with every row's problems in the report."""

from .columns import EXPORT_COLUMNS, HEADERS
from .export import export_csv, export_response, export_xlsx
from .importing import IMPORT_KIND, ImportReport, RowError, check_file, import_risks, run_import

__all__ = [
    "EXPORT_COLUMNS", "HEADERS", "IMPORT_KIND", "ImportReport", "RowError",
    "check_file", "export_csv", "export_response", "export_xlsx", "import_risks", "run_import",
]  # fmt: skip

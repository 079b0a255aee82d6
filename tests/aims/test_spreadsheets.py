"""The one formula escape, the one upload reader and the one way a size is told (aims.spreadsheets,
aims.files), which every import and export shares."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.files import size_text, too_large
from aims.spreadsheets import TableError, cell_text, escape_formula, read_table


@pytest.mark.parametrize(
    "size, text",
    [
        (200, "0.2 KB"),
        (2048, "2 KB"),
        (1536, "1.5 KB"),
        (10 * 1024**2, "10 MB"),
        (int(2.5 * 1024**2), "2.5 MB"),
    ],
)
def test_a_size_reads_in_the_binary_units_the_limits_are_set_in(size, text):
    assert size_text(size) == text


def test_a_file_just_over_the_limit_is_not_said_to_be_the_limit():
    limit = 10 * 1024**2
    assert too_large(limit + 1, limit) == "The file is 10,485,761 bytes; the limit is 10,485,760 bytes."
    assert too_large(12 * 1024**2, limit) == "The file is 12 MB; the limit is 10 MB."


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'=quoted"])
def test_every_formula_start_is_escaped_and_an_import_undoes_it_exactly(text):
    escaped = escape_formula(text)
    assert escaped == "'" + text and cell_text(escaped) == text


def test_plain_text_is_left_as_it_is():
    assert escape_formula("Bias in credit scores") == "Bias in credit scores"
    assert cell_text("it's fine") == "it's fine"


def test_the_row_limit_counts_rows_below_the_header(settings):
    settings.IMPORT_MAX_ROWS = 2
    ok = SimpleUploadedFile("a.csv", b"title\nx\ny\n")
    assert len(read_table(ok).rows) == 3
    with pytest.raises(TableError, match="The file has more than 2 rows below the header; the limit is 2."):
        read_table(SimpleUploadedFile("a.csv", b"title\nx\ny\nz\n"))


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("a.txt", b"title\nx\n", "Upload a .csv or .xlsx file; 'a.txt' is neither."),
        ("a.csv", "title\né\n".encode("latin-1"), "is not UTF-8 text"),
        ("a.csv", b"title\x00\n", "holds binary data"),
        ("a.xlsx", b"PK not really", "not a valid XLSX workbook"),
        ("a.csv", b"  \n", "The file is empty."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(name, data, message):
    with pytest.raises(TableError, match=message):
        read_table(SimpleUploadedFile(name, data))


def test_a_semicolon_csv_is_read_as_excel_writes_it_in_many_locales():
    table = read_table(SimpleUploadedFile("a.csv", b"title;score\nx;1,5\n"))
    assert table.rows == [["title", "score"], ["x", "1,5"]] and table.delimiter == ";"

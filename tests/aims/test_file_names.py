"""What an upload is called and how big it is said to be: a long name keeps its extension wherever the
name is kept or offered (the record, the file's versions, the download, the evidence pack), and a refusal
for size never shows the file's size and the limit as the same figure (aims.files)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.files import too_large
from aims.spreadsheets import TableError, read_upload
from audits.evidence_services import services as evidence_services

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
UNITS = {"bytes": 1, "KB": 1024, "MB": 1024**2}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def shown_sizes(message: str) -> tuple[float, float]:
    """The file's size and the limit as a reader takes them from the message, in bytes."""
    found = re.fullmatch(
        r"The file is ([\d.,]+) (bytes|KB|MB); the limit is ([\d.,]+) (bytes|KB|MB)\.", message
    )
    assert found, message
    size, size_unit, limit, limit_unit = found.groups()
    return float(size.replace(",", "")) * UNITS[size_unit], float(limit.replace(",", "")) * UNITS[limit_unit]


# -- sizes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size, limit",
    [
        (11010049, 11010048),  # one byte over 10.5 MB
        (11010048 + 40000, 11010048),  # still "10.5 MB" at one decimal
        (10 * 1024**2 + 1, 10 * 1024**2),
        (1048577, 1048575),  # "1 MB" against "1024 KB"
        (1025, 1024),
        (201, 200),
        (12 * 1024**2, 10 * 1024**2),
    ],
)
def test_a_file_over_the_limit_always_reads_larger_than_the_limit(size, limit):
    size_shown, limit_shown = shown_sizes(too_large(size, limit))
    assert size_shown > limit_shown


def test_every_size_just_over_a_limit_reads_larger_and_round_figures_stay_short():
    for limit in (200, 1000, 1024, 10**6, 1024**2 - 1, 1024**2, 5 * 10**6, 11010048, 10 * 1024**2):
        for over in (1, 7, 100, 1000, 40000):
            size_shown, limit_shown = shown_sizes(too_large(limit + over, limit))
            assert size_shown > limit_shown, too_large(limit + over, limit)
    assert too_large(12 * 1024**2, 10 * 1024**2) == "The file is 12 MB; the limit is 10 MB."


def test_an_evidence_upload_just_over_the_limit_names_the_field_and_both_sizes(owner, settings):
    settings.MAX_UPLOAD_BYTES = 11010048
    upload = SimpleUploadedFile("minutes.pdf", PDF + b"x" * (11010048 + 1 - len(PDF)))
    with pytest.raises(ValidationError) as refused:
        evidence_services.create(actor=owner, fields={"title": "Minutes", "kind": "file", "file": upload})
    message = refused.value.message_dict["file"][0]
    size_shown, limit_shown = shown_sizes(message)
    assert size_shown > limit_shown


def test_a_spreadsheet_just_over_the_limit_reads_larger_than_the_limit(settings):
    settings.MAX_UPLOAD_BYTES = 1024**2 - 1
    upload = SimpleUploadedFile("kpis.csv", b"a,b\n" + b"1,2\n" * (1024**2 // 4))
    with pytest.raises(TableError) as refused:
        read_upload(upload)
    size_shown, limit_shown = shown_sizes(str(refused.value))
    assert size_shown > limit_shown

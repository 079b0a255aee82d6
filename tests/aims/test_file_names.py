"""What an upload is called and how big it is said to be: a long name keeps its extension wherever the
name is kept or offered (the record, the file's versions, the download, the evidence pack), and a refusal
for size never shows the file's size and the limit as the same figure (aims.files)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.files import original_name, too_large
from aims.models import Requirement
from aims.spreadsheets import TableError, read_upload
from audits.evidence_services import services as evidence_services
from audits.models import Evidence
from registers.models import Document
from tests.audits.pack_helpers import build, names
from tests.base import client_for

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
LONG = "Validation report of the credit scoring model " * 7  # over 300 characters before the extension
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


# -- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, kept",
    [
        ("C:\\fakepath\\minutes.pdf", "minutes.pdf"),
        ("../../etc/minutes.pdf", "minutes.pdf"),
        ('min"utes\r\n.pdf', "min-utes-.pdf"),
        ("..hidden.pdf", "hidden.pdf"),
        ("board minutes.v2.PDF", "board minutes.v2.PDF"),
    ],
)
def test_a_name_is_its_last_part_without_separators_control_characters_or_a_leading_dot(given, kept):
    assert original_name(given) == kept


def test_a_long_name_is_shortened_keeping_its_extension():
    kept = original_name(LONG + ".docx")
    assert len(kept) <= 200 and kept.endswith(".docx") and kept.startswith("Validation report")
    assert original_name("x" * 400) == "x" * 200


def test_a_long_evidence_name_keeps_its_extension_on_the_record_its_version_the_download_and_the_pack(
    owner, auditor, tmp_path
):
    response = client_for(owner).post(
        "/evidence/new/",
        {"title": "Validation report", "kind": "file", "nature": "record", "confidentiality": "internal",
         "origin": "internal", "owner": owner.pk, "review_cadence": 365,
         "file": SimpleUploadedFile(LONG + ".pdf", PDF, content_type="application/pdf")},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    evidence = Evidence.objects.get()
    assert len(evidence.file_name) <= 200 and evidence.file_name.endswith(".pdf")
    assert evidence.files.get().file_name == evidence.file_name

    download = client_for(auditor).get(f"/evidence/{evidence.reference}/file/")
    assert download.status_code == 200
    assert re.search(r'filename="[^"]+\.pdf"', download["Content-Disposition"]), download[
        "Content-Disposition"
    ]

    evidence.requirements.add(Requirement.objects.get(standard__key="iso42001", code="7.5.3"))
    pack, _ = build(auditor, {"requirements": ["iso42001:7.5.3"]}, tmp_path=tmp_path)
    in_pack = [n for n in names(pack) if evidence.reference in n and "/evidence/" in n]
    assert in_pack and all(n.endswith(".pdf") for n in in_pack), in_pack


def test_a_long_document_name_keeps_its_extension_and_the_download_too(owner, auditor):
    response = client_for(owner).post(
        "/documents/new/",
        {"title": "Model card template", "kind": "template", "document_version": "1.0", "status": "draft",
         "classification": "internal", "owner": owner.pk, "review_cadence": 365,
         "file": SimpleUploadedFile(LONG + ".png", PNG)},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    assert len(document.file_name) <= 200 and document.file_name.endswith(".png")
    download = client_for(auditor).get(f"/documents/{document.reference}/file/")
    assert re.search(r'filename="[^"]+\.png"', download["Content-Disposition"]), download[
        "Content-Disposition"
    ]


def test_a_name_stored_before_it_was_made_safe_is_offered_safe_and_with_its_extension(owner, auditor):
    evidence = evidence_services.create(
        actor=owner,
        fields={"title": "Minutes", "kind": "file", "file": SimpleUploadedFile("minutes.pdf", PDF)},
    )
    Evidence.objects.filter(pk=evidence.pk).update(file_name='old"name\r\n' + "y" * 150 + ".pdf")
    download = client_for(auditor).get(f"/evidence/{evidence.reference}/file/")
    disposition = download["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert re.search(r'filename="old\'name y+\.pdf"', disposition), disposition

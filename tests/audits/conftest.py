"""Evidence fixtures: private files under a temporary folder, small real files, evidence made through
the services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.services import services

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def pdf(name="report.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def make_evidence(owner):
    def make(actor=None, requirements=None, **overrides):
        fields = {"title": "Model validation report 2025", "kind": "file", "file": pdf(), **overrides}
        if fields["kind"] == "link":
            fields.pop("file", None)
            fields.setdefault("url", "https://docs.example.org/contract")
        return services.create(actor=actor or owner, fields=fields, requirements=requirements)

    return make

"""Every role against the evidence library's pages and API (tests/base.py), for evidence that is not
confidential; confidential evidence is tested per role in test_evidence.py."""

import pytest

from audits.models import Evidence
from tests.base import RegisterRoleMatrix, form_data_for


def without_file(record):
    return {k: v for k, v in form_data_for(record).items() if k != "file"}


class TestEvidenceRoles(RegisterRoleMatrix):
    model = Evidence
    url_prefix = "evidence"
    api_prefix = "/api/v1/evidence/"

    @pytest.fixture
    def record(self, make_evidence):
        return make_evidence()

    @pytest.fixture
    def form_data(self):
        return without_file

    @pytest.fixture
    def api_create_payload(self):
        return {
            "title": "Supplier contract for the OCR service",
            "kind": "link",
            "link": "https://contracts.example.org/ocr-2025",
            "nature": "document",
            "origin": "external",
            "requirements": ["A.10.3"],
        }

"""The demo's evidence: believable pieces, attached to the demo's records, made once."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from audits.models import Evidence, EvidenceFile, EvidenceLink

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_dozen_pieces_of_evidence_once_attached_to_demo_records():
    call_command("seed_demo", stdout=io.StringIO())
    evidence = Evidence.objects.all()
    assert evidence.count() == 12
    assert [e.title for e in evidence if e.is_expired()] == ["Chatbot penetration test report 2024"]
    assert list(evidence.filter(confidentiality="confidential").values_list("title", flat=True)) == [
        "Northbank Score v3 model validation report"
    ]
    assert EvidenceLink.objects.count() >= 12
    linked_types = set(EvidenceLink.objects.values_list("content_type__model", flat=True))
    assert {"risk", "aisystem", "policy", "supplier"} <= linked_types
    assert all(e.requirements.exists() for e in evidence)
    retested = Evidence.objects.get(title="GPU cluster failover test record")
    assert list(retested.files.values_list("number", flat=True)) == [1, 2]
    report = Evidence.objects.get(title="AI risk assessment methodology v2")
    with report.file.open("rb") as stored:
        text = PdfReader(stored).pages[0].extract_text()
    assert "Appetite: residual Medium or below" in text

    files, links = EvidenceFile.objects.count(), EvidenceLink.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert (Evidence.objects.count(), EvidenceFile.objects.count(), EvidenceLink.objects.count()) == (
        12,
        files,
        links,
    )

"""The report for external interested parties (7.4, A.8.5): only published material goes in -- the
published versions of the scope and the AI policy, and the AI systems marked "publish to stakeholders"
(title, purpose, tier). Secrets planted everywhere else must not appear in the page or in the PDF."""

import datetime as dt
import subprocess

import pytest

from aims import publishing
from aims.models import Job
from aims.records import create_record
from aims.registry import registry
from audits.models import Evidence
from lifecycle import stakeholder_report
from lifecycle.models import AISystem
from registers.standard import policies, scope
from registers.standard.concerns import services as concerns
from tests.base import client_for
from tests.registers import records_for_readiness as build

SECRETS = [
    "SECRET-UNPUBLISHED-SYSTEM", "SECRET-UNPUBLISHED-PURPOSE", "SECRET-OVERSIGHT", "SECRET-MISUSE",
    "SECRET-DATA-RESOURCES", "SECRET-AFFECTED", "SECRET-DRAFT-BOUNDARY", "SECRET-EXCLUSION",
    "SECRET-DRAFT-POLICY", "SECRET-POLICY-BODY", "SECRET-EVIDENCE", "SECRET-RISK", "SECRET-CONCERN",
    "SECRET-OUT-OF-SCOPE",
]  # fmt: skip


@pytest.fixture
def organisation(owner, board, manager, make_risk):
    """Published scope and AI policy, one published system, and secrets in everything else."""
    published_scope = build.scope_statement(
        owner, board, boundaries="The retail lending division in Lisbon.", exclusions="SECRET-EXCLUSION"
    )
    draft = publishing.revise(published_scope, actor=owner, expected_version=published_scope.version)
    scope.services.update(
        draft, actor=owner, expected_version=draft.version, fields={"boundaries": "SECRET-DRAFT-BOUNDARY"}
    )
    build.ai_policy(owner, board, purpose="We use AI lawfully and fairly.", body="SECRET-POLICY-BODY")
    policies.services.create(actor=owner, fields={
        "title": "AI policy 2027 draft", "kind": "ai_policy", "purpose": "SECRET-DRAFT-POLICY", "body": "Draft.",
    })  # fmt: skip
    shown = build.system(
        owner, title="Customer-support chatbot", purpose="Answers questions about loans.",
        publish_to_stakeholders=True, oversight="SECRET-OVERSIGHT", foreseeable_misuse="SECRET-MISUSE",
        data_resources="SECRET-DATA-RESOURCES", affected_people="SECRET-AFFECTED",
    )  # fmt: skip
    AISystem.objects.filter(pk=shown.pk).update(eu_tier="limited")
    hidden = build.system(owner, title="SECRET-UNPUBLISHED-SYSTEM", purpose="SECRET-UNPUBLISHED-PURPOSE")
    build.system(owner, title="SECRET-OUT-OF-SCOPE", in_scope=False, publish_to_stakeholders=True)
    evidence = create_record(Evidence, actor=owner, fields={
        "title": "Model card", "owner": owner, "kind": "link", "url": "https://intranet.example/card",
        "description": "SECRET-EVIDENCE", "confidentiality": "confidential",
    })  # fmt: skip
    from django.contrib.contenttypes.models import ContentType

    from audits.models import EvidenceLink

    EvidenceLink.objects.create(
        evidence=evidence,
        content_type=ContentType.objects.get_for_model(AISystem),
        object_id=shown.pk,
        linked_by=owner,
    )
    make_risk(title="SECRET-RISK", system_note="Customer-support chatbot")
    concerns.create(actor=owner, fields={"title": "SECRET-CONCERN", "systems": [hidden], "description": "x"})
    return shown


def _pdf_text(job_owner, tmp_path) -> str:
    job = Job.objects.create(kind=stakeholder_report.KIND, title="s", params={}, requested_by=job_owner)
    name, data = stakeholder_report.stakeholder_report_pdf(job, lambda p: None)
    assert name.startswith("stakeholder-report-") and data.startswith(b"%PDF")
    pdf = tmp_path / name
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_the_page_shows_only_what_is_published(organisation, auditor):
    page = client_for(auditor).get("/stakeholder-report/").content.decode()
    assert "The retail lending division in Lisbon." in page  # the published version, not the draft
    assert "We use AI lawfully and fairly." in page
    assert "Customer-support chatbot" in page and "Answers questions about loans." in page
    assert "Limited risk: transparency duties (Art. 50)" in page
    assert "How to raise a concern" in page and "not yet held" in page
    for secret in SECRETS:
        assert secret not in page, secret


def test_the_pdf_shows_only_what_is_published(organisation, manager, tmp_path):
    text = _pdf_text(manager, tmp_path)
    assert "report to interested parties" in text and "The retail lending division in Lisbon." in text
    assert "Customer-support chatbot" in text and "Limited risk" in text and "not yet held" in text
    assert "ISO/IEC 42001 7.4 and A.8.5" in text  # external communication (7.4); there is no clause 9.5
    for secret in SECRETS:
        assert secret not in text, secret


def test_the_latest_management_review_comes_from_its_register_when_there_is_one(owner, monkeypatch):
    monkeypatch.setattr(registry, "latest_management_review", lambda: dt.date(2026, 10, 15))
    page = client_for(owner).get("/stakeholder-report/").content.decode()
    assert "15 October 2026" in page and "not yet held" not in page


def test_an_empty_report_says_what_is_not_published_yet(owner):
    page = client_for(owner).get("/stakeholder-report/").content.decode()
    assert "The scope statement has not been published yet." in page
    assert "No AI system is marked for publication yet." in page
    assert "ISO/IEC 42001 7.4 communication, A.8.5" in page and "42001 9.5" not in page


def test_publishing_a_system_is_off_by_default_and_in_its_history(owner):
    system = build.system(owner)
    assert system.publish_to_stakeholders is False
    from aims.records import history
    from lifecycle.standard import ai_systems

    ai_systems.services.update(
        system, actor=owner, expected_version=system.version, fields={"publish_to_stakeholders": True}
    )
    assert history(system).first().changes[0]["label"] == "Publish to stakeholders"


@pytest.mark.parametrize(
    "role,status", [("manager", 200), ("board", 200), ("owner", 200), ("auditor", 200), ("outsider", 403)]
)
def test_the_page_by_role(db, request, role, status):
    assert client_for(request.getfixturevalue(role)).get("/stakeholder-report/").status_code == status


def test_the_pdf_button_queues_a_job_and_refuses_an_outsider(owner, outsider):
    response = client_for(owner).post("/stakeholder-report/pdf/")
    job = Job.objects.get(kind=stakeholder_report.KIND)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert client_for(outsider).post("/stakeholder-report/pdf/").status_code == 403
    from django.core.exceptions import PermissionDenied

    job = Job.objects.create(kind=stakeholder_report.KIND, title="s", params={}, requested_by=outsider)
    with pytest.raises(PermissionDenied):
        stakeholder_report.stakeholder_report_pdf(job, lambda p: None)


def test_the_report_reads_a_constant_number_of_queries(owner, board, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    build.scope_statement(owner, board)
    build.ai_policy(owner, board)
    build.system(owner, publish_to_stakeholders=True)
    with CaptureQueriesContext(connection) as few:
        stakeholder_report.report_context()
    for i in range(5):
        build.system(owner, title=f"Published {i}", publish_to_stakeholders=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(stakeholder_report.report_context()["systems"]) == 6

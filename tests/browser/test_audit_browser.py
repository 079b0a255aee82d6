"""An internal audit from plan to report in a real browser (9.2): the AIMS manager plans it, the lead
auditor records the checklist with a minor nonconformity, the owner answers the finding, and the
auditor's report PDF is made by a real Celery worker and downloaded."""

import io

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from playwright.sync_api import expect
from pypdf import PdfReader

from aims.celery import app
from audits.models import Audit, Finding
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(monkeypatch):
    # The worker thread opens its own connection; no reuse, so the test database can be flushed after.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def switch_to(page, live_server, user):
    page.context.clear_cookies()
    sign_in(page, live_server, user)


def test_an_audit_from_plan_to_report(page, live_server, manager, auditor, owner, worker):
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/audits/new/")
    page.get_by_label("Title").fill("Data quality audit")
    page.get_by_label("Criteria").fill("ISO/IEC 42001 A.7.4 and our data quality standard.")
    page.get_by_label("Starts on").fill("2026-12-01")
    page.get_by_label("Ends on").fill("2026-12-02")
    page.get_by_label("Clauses and controls audited").fill("A.7.4")  # the requirement picker's search
    page.get_by_role("checkbox", name="A.7.4 Quality of data for AI systems").check()
    page.get_by_label("Lead auditor", exact=True).select_option(label="Audrey")
    page.get_by_role("button", name="Create audit").click()
    audit = Audit.objects.get()
    expect(page.get_by_role("status")).to_contain_text(f"{audit.reference} created.")
    expect(page.locator("#checklist")).to_contain_text("The lead auditor and team generate it")

    switch_to(page, live_server, auditor)
    page.goto(f"{live_server.url}/audits/{audit.reference}/")
    page.get_by_role("button", name="Start the audit").click()
    expect(page.get_by_role("status")).to_contain_text(f"{audit.reference} is in progress.")
    page.get_by_role("button", name="Generate questions for the scope").click()
    expect(page.get_by_role("status")).to_contain_text("1 question added")
    page.get_by_role("link", name="Record item 1").click()
    page.get_by_label("Result", exact=True).select_option(label="Minor nonconformity")
    page.get_by_label("Notes").fill("Representativeness of applicants under 25 is never checked.")
    page.get_by_label("Records sampled").fill("DAT-0001")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".has-error").first).to_contain_text("No record has the reference DAT-0001.")
    expect(page.locator(".has-error").last).to_contain_text("Choose the auditee")
    page.get_by_label("Records sampled").fill("")
    page.get_by_label("Auditee").select_option(label="Olivia")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Checklist item saved.")
    finding = Finding.objects.get()
    row = page.locator("#checklist tbody tr").first
    expect(row).to_contain_text("Minor nonconformity")
    expect(row).to_contain_text(finding.reference)
    page.get_by_role("button", name="Mark as reported").click()
    expect(page.get_by_role("status")).to_contain_text(f"{audit.reference} reported.")

    switch_to(page, live_server, owner)
    page.goto(f"{live_server.url}/findings/{finding.reference}/")
    page.locator("summary", has_text="Answer the finding").click()
    page.get_by_label("Response").fill("Agreed: we will add a check by age band.")
    page.get_by_label("Proposed action").fill("Add it to the monthly data quality report.")
    page.get_by_role("button", name="Answer the finding", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"{finding.reference} answered")
    expect(page.locator("dl.details").last).to_contain_text("Agreed: we will add a check by age band.")

    switch_to(page, live_server, auditor)
    page.goto(f"{live_server.url}/audits/{audit.reference}/")
    page.get_by_role("button", name="Audit report (PDF)").click()
    download_link = page.get_by_role("link", name="Download audit-report")
    expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download_link.click()
    data = info.value.path().read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert info.value.suggested_filename.startswith(f"audit-report-{audit.reference}")
    assert "Internal audit report" in text and finding.reference in text, text
    assert "Agreed: we will add a check by age band." in text and "Minor nonconformity 1" in text

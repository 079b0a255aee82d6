"""The evidence library in a real browser (ISO/IEC 42001 7.5, 9.2): an owner uploads a file, attaches it
to a risk from the risk's own page, sees it there and downloads it."""

import re

import pytest
from playwright.sync_api import expect

from audits.demo_evidence import pdf_bytes
from tests.browser.conftest import SHOTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_uploads_evidence_attaches_it_to_a_risk_and_downloads_it(page, live_server, owner, make_risk,
                                                                       settings, tmp_path):  # fmt: skip
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    risk = make_risk()
    content = pdf_bytes("Fairness test results Q3", ["Approval-rate ratio 0.91 by age band."])
    sign_in(page, live_server, owner)

    page.goto(f"{live_server.url}/evidence/")
    expect(page.get_by_text("No evidence yet.")).to_be_visible()
    page.get_by_role("link", name="New evidence").click()
    page.get_by_label("Title").fill("Fairness test results Q3")
    page.get_by_label("Type").select_option("record")
    page.set_input_files("#id_file", files=[{"name": "fairness-q3.pdf", "mimeType": "application/pdf",
                                             "buffer": content}])  # fmt: skip
    page.get_by_role("button", name="Create evidence").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"EVD-\d{4}"))
    reference = re.search(r"EVD-\d{4}", heading.inner_text()).group()
    expect(page.get_by_role("link", name="Download fairness-q3.pdf")).to_be_visible()

    page.goto(f"{live_server.url}/risks/{risk.reference}/")
    page.get_by_role("link", name="Evidence", exact=True).click()
    expect(page.get_by_text(f"No evidence attached to {risk.reference} yet.")).to_be_visible()
    page.get_by_label("Evidence to attach").select_option(reference)
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_role("status")).to_contain_text(f"{reference} attached to {risk.reference}.")
    row = page.locator("table.register tr", has_text=reference)
    expect(row).to_contain_text("Fairness test results Q3")
    page.screenshot(path=f"{SHOTS}/evidence-on-risk.png", full_page=True)

    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download fairness-q3.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "fairness-q3.pdf"
    assert open(download.path(), "rb").read() == content

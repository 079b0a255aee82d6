"""An auditor exports an evidence pack in a real browser: chooses the scope, starts it, watches the
progress reach done, downloads the ZIP, and the pack verifies (ISO/IEC 42001 9.2, 7.5)."""

import re

import pytest
from playwright.sync_api import expect

from audits.pack.verify import verify_pack
from registers.services import risk_update
from tests.aims.test_worker import worker  # noqa: F401  a real Celery worker in this process
from tests.audits.pack_helpers import make_evidence, names, requirement
from tests.browser.conftest import SHOTS, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worker"),
]


def test_an_auditor_exports_a_pack_and_it_verifies(page, live_server, auditor, owner, make_risk, tmp_path):
    risk = make_risk(title="Scores drift for thin-file applicants")
    risk_update(risk, actor=owner, expected_version=1, fields={}, requirements=[requirement("6.1.2")])
    evidence = make_evidence(owner, ["6.1.2"], b"risk workshop minutes\n", "minutes.txt")

    sign_in(page, live_server, auditor)
    page.locator("nav .menu", has_text="Check").hover()
    page.get_by_role("link", name="Evidence packs").click()
    expect(page.get_by_role("heading", name="Evidence packs")).to_be_visible()
    page.get_by_role("link", name="New evidence pack").first.click()

    for code in ("6.1.2", "A.6.2.4"):  # through the requirement picker (static/js/picker.js)
        page.fill("#id_requirements-search", code)
        page.locator(".picker-option:not([hidden])", has_text=f"{code} ").first.locator("input").check()
    expect(page.locator("#id_requirements option:checked")).to_have_count(2)
    page.fill("#id_title", "Stage 2: risk assessment")
    page.get_by_role("button", name="Build evidence pack").click()

    expect(page).to_have_url(re.compile(r"/evidence-packs/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stage 2: risk assessment")
    expect(page.locator("progress")).to_be_visible()
    expect(page.locator("#job-status")).to_have_text("Done", timeout=90_000)  # the page refreshes itself
    page.screenshot(path=f"{SHOTS}/evidence-pack-done.png", full_page=True)

    with page.expect_download() as info:
        page.locator("#download").click()
    download = info.value
    assert re.fullmatch(r"evidence-pack-\d+-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    result = verify_pack(saved)
    assert result.ok, result.problems
    assert f"clauses/6.1.2 AI risk assessment/evidence/{evidence.reference} minutes.txt" in names(saved)

    page.get_by_role("link", name="Evidence packs").first.click()
    row = page.locator("tbody tr", has_text="Stage 2: risk assessment")
    expect(row).to_contain_text("Audrey")
    expect(row).to_contain_text("Done")

"""A management review to sign-off in a real browser (ISO/IEC 42001 9.3): the AIMS manager schedules it,
compiles and freezes the inputs, records the meeting and an output; a board member who did not chair it
signs it off; the report PDF is made by a real Celery worker and downloaded."""

import io

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from playwright.sync_api import expect
from pypdf import PdfReader

from aims.celery import app
from reviews.models import ManagementReview
from tests import clock
from tests.browser.conftest import sign_in
from tests.reviews.management_review_helpers import *  # noqa: F403  the second_board fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(monkeypatch):
    # The worker thread opens its own connection; no reuse, so the test database can be dropped after.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def test_manager_runs_a_review_to_the_board_sign_off_and_downloads_the_report(
    page, live_server, manager, board, owner, second_board, worker
):
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/management-reviews/new/")
    page.fill("#id_title", "Annual management review 2026")
    page.fill("#id_scheduled_on", clock.today().isoformat())
    page.fill("#id_period_from", clock.days(-365).isoformat())
    page.fill("#id_period_to", clock.today().isoformat())
    page.select_option("#id_chair", label="Boris")
    page.select_option("#id_attendees", label=["Olivia", "Maria"])
    page.get_by_role("button", name="Create management review").click()
    expect(page.get_by_role("status")).to_contain_text("created")
    review = ManagementReview.objects.get()
    assert page.url.endswith(f"/management-reviews/{review.reference}/")

    page.get_by_role("button", name="Compile and freeze inputs").click()
    expect(page.get_by_role("status")).to_contain_text("inputs compiled from the registers and frozen")
    expect(page.locator("#inputs-heading + p")).to_contain_text("Frozen #1")

    page.get_by_text("Record the meeting…").click()
    page.fill("#action-record-meeting-held_on", clock.today().isoformat())
    page.fill("#action-record-meeting-minutes", "Reviewed every input; one resource need agreed.")
    page.locator("form").filter(has=page.locator("#action-record-meeting-held_on")).get_by_role(
        "button", name="Record the meeting"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("meeting recorded")

    page.get_by_role("link", name="Add an output").click()
    expect(page.locator("#id_review")).to_have_value(str(review.pk))
    page.fill("#id_title", "Fund a second fairness analyst")
    page.select_option("#id_kind", "resources")
    page.fill("#id_due_on", clock.today().replace(year=clock.today().year + 1).isoformat())
    page.select_option("#id_owner", label="Olivia")
    page.get_by_role("button", name="Create management review action").click()
    expect(page.get_by_role("status")).to_contain_text("created")
    page.goto(f"{live_server.url}/management-reviews/{review.reference}/")
    expect(page.locator("#outputs-heading + table")).to_contain_text("Fund a second fairness analyst")
    expect(page.get_by_text("Sign off…")).to_have_count(0)  # the manager is not the board

    page.context.clear_cookies()
    sign_in(page, live_server, second_board)
    page.goto(f"{live_server.url}/management-reviews/{review.reference}/")
    page.get_by_text("Sign off…").click()
    page.fill("#action-sign-off-note", "Agreed for the board.")
    page.once("dialog", lambda dialog: dialog.accept())  # signing off asks first (data-confirm)
    page.locator("form").filter(has=page.locator("#action-sign-off-note")).get_by_role(
        "button", name="Sign off"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("signed off")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)

    page.get_by_role("button", name="Download the report (PDF)").click()
    download_link = page.locator("#download")
    expect(download_link).to_be_visible(timeout=60_000)  # the page refreshes until the worker is done
    with page.expect_download() as info:
        download_link.click()
    data = info.value.path().read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Management review report" in text and review.reference in text
    assert (
        "Fund a second fairness analyst" in text and "Signed off for the governance board by Bianca" in text
    )

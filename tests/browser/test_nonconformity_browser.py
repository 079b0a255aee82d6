"""A nonconformity to closure in a real browser (ISO/IEC 42001 10.2): raised from an AI incident, the
root cause found with five whys, an action planned and done, the effectiveness checked by someone other
than the owner, and the nonconformity closed."""

import re

import pytest
from playwright.sync_api import expect

from lifecycle.standard.incidents import services as incidents
from reviews.models import CorrectiveAction, Nonconformity
from tests import clock
from tests.browser.conftest import SHOTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nonconformity_from_an_incident_to_closure(page, live_server, owner, manager):
    incident = incidents.services.create(
        actor=owner,
        fields={"title": "Stale bureau data declined applicants", "detected_on": clock.today(), "severity": "high",
                "description": "Month-old bureau files were scored for two days.",
                "containment": "Automated declines paused."},
    )  # fmt: skip
    sign_in(page, live_server, owner)

    # Raise it from the incident's page.
    page.goto(f"{live_server.url}/incidents/{incident.reference}/")
    page.get_by_text("Raise a nonconformity…").click()
    page.select_option("#action-raise-nonconformity-grade", "major")
    # Clauses and controls come from the requirement picker: searched, then ticked.
    picker = page.locator('[data-picker-for="action-raise-nonconformity-requirements"]')
    picker.locator(".picker-search").fill("8.1")
    picker.get_by_role("checkbox", name=re.compile(r"^8\.1 ")).check()
    picker.locator(".picker-search").fill("A.7.4")
    picker.get_by_role("checkbox", name=re.compile(r"^A\.7\.4 ")).check()
    expect(picker.locator(".picker-chip")).to_have_count(2)
    page.get_by_role("button", name="Raise a nonconformity", exact=True).click()
    expect(page.get_by_text("nonconformity raised")).to_be_visible()
    nc = Nonconformity.objects.get()
    assert sorted(nc.requirements.values_list("code", flat=True)) == ["8.1", "A.7.4"]
    page.get_by_role("link", name=nc.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(incident.title)

    # Start the corrective action and find the root cause.
    page.get_by_text("Start a corrective action…").click()
    page.fill("#action-start-corrective-action-title", "Bureau feed freshness")
    page.get_by_role("button", name="Start a corrective action", exact=True).click()
    ca = CorrectiveAction.objects.get()
    page.get_by_role("link", name=ca.reference).click()
    expect(page.get_by_text("No why asked yet")).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    page.fill("#id_why_1", "Why were applicants declined on old data?")
    page.fill("#id_because_1", "The pipeline checks that a file arrives, not how old it is.")
    page.select_option("#id_cause_category", "data")
    page.fill("#id_check_after_days", "0")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_text("The pipeline checks that a file arrives")).to_be_visible()

    # Plan the action and do it.
    page.fill("#add-action-description", "Reject files older than 48 hours")
    page.fill("#add-action-due", clock.today().isoformat())
    page.get_by_role("button", name="Plan the action").click()
    expect(page.get_by_role("cell", name="Reject files older than 48 hours")).to_be_visible()
    page.get_by_role("button", name="Mark action 1 done").click()
    expect(page.get_by_text("the check is due now")).to_be_visible()
    expect(page.get_by_text("Four eyes")).to_be_visible()  # the owner is told why they cannot check it
    page.screenshot(path=f"{SHOTS}/corrective-action-done.png", full_page=True)

    # Someone else checks that it worked; the nonconformity closes.
    page.context.clear_cookies()
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/corrective-actions/{ca.reference}/")
    page.get_by_text("Check effectiveness…").click()
    page.select_option("#action-check-effectiveness-result", "effective")
    page.fill("#action-check-effectiveness-notes", "Two stale test files were rejected within the hour.")
    page.get_by_role("button", name="Check effectiveness", exact=True).click()
    expect(page.get_by_text("checked by Maria")).to_be_visible()
    page.goto(f"{live_server.url}/nonconformities/{nc.reference}/")
    expect(page.locator(".record-header")).to_contain_text("Closed")
    page.screenshot(path=f"{SHOTS}/nonconformity-closed.png", full_page=True)
    nc.refresh_from_db()
    assert nc.status == "closed"

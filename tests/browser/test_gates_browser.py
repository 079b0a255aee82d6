"""Stage gates (8.1, A.6) in a real browser: the owner asks for the gate into development and a board
member approves it, so the system's page shows the new stage and its history; and a move to
deployment that the records do not support cannot be asked for, the page naming what is missing."""

import pytest
from playwright.sync_api import expect

from lifecycle.models import AISystem, GateReview
from lifecycle.standard.ai_systems import services
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SYSTEM = {
    "title": "Claims triage",
    "purpose": "Sorts incoming insurance claims by urgency.",
    "kind": "ml",
    "origin": "in_house",
    "ai_role": "producer",
    "automation": "advisory",
}


def make_system(owner, stage, tier):
    system = services.create(actor=owner, fields=SYSTEM)
    AISystem.objects.filter(pk=system.pk).update(stage=stage, eu_tier=tier)
    return system


def status(page):
    return page.get_by_role("status")


def gates_section(page):
    return page.locator("section#gates")


def test_owner_asks_for_the_development_gate_and_the_board_approves(page, live_server, owner, board):
    system = make_system(owner, "design", "minimal")
    url = f"{live_server.url}/systems/{system.reference}/"

    sign_in(page, live_server, owner)
    page.goto(url)
    section = gates_section(page)
    expect(section.get_by_test_id("current-stage")).to_have_text("Planning and design")
    expect(section.locator("li", has_text="Classified under the EU AI Act")).to_contain_text("✓ Met")
    section.get_by_label("Approver").select_option(label="Boris")
    section.get_by_label("Evidence", exact=True).fill("Classified as minimal risk on the system page.")
    section.get_by_role("button", name="Request the gate").click()
    expect(status(page)).to_contain_text("Gate into Development and training requested; Boris decides.")
    expect(gates_section(page).get_by_role("button", name="Approve the gate")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, live_server, board)
    page.goto(url)
    section = gates_section(page)
    expect(section).to_contain_text("Waiting for a decision")
    section.get_by_label("Reason").fill("Classification is on record.")
    section.get_by_role("button", name="Approve the gate").click()

    expect(status(page)).to_contain_text(
        f"Gate approved: {system.reference} is now in Development and training."
    )
    section = gates_section(page)
    expect(section.get_by_test_id("current-stage")).to_have_text("Development and training")
    row = section.locator("table.gate-history tbody tr").first
    expect(row).to_contain_text("Planning and design → Development and training")
    expect(row).to_contain_text("Approved")
    expect(row).to_contain_text("Classification is on record.")
    expect(row).to_contain_text("Olivia")

    page.get_by_role("link", name="History").click()
    entry = page.locator("ol.history li").first
    expect(entry).to_contain_text("by Boris")
    expect(entry).to_contain_text("Gate Planning and design → Development and training approved")
    expect(entry.locator("tr", has_text="Stage")).to_contain_text("Development and training")
    assert AISystem.objects.get(pk=system.pk).stage == "development"
    assert GateReview.objects.get().decision == "approved"


def test_a_blocked_move_to_deployment_shows_what_is_missing(page, live_server, owner, board):
    """Before anyone presses: the blocked choice is marked, and what it misses is listed by the button.
    A request refused all the same is answered beside the form, on screen, not at the page's top."""
    system = make_system(owner, "validation", "high")

    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/systems/{system.reference}/")
    section = gates_section(page)
    expect(section.get_by_role("heading", name="Gate into Deployment")).to_be_visible()
    expect(
        section.locator(".gate-checklist li", has_text="An impact assessment is approved")
    ).to_contain_text("✗ Not met")
    expect(section.locator(".gate-checklist li", has_text="No risk above the appetite")).to_contain_text(
        "✓ Met"
    )
    expect(section.locator('#gate-to-stage option[value="deployment"]')).to_be_disabled()
    unmet = section.locator("#gate-unmet-deployment")
    expect(unmet).to_contain_text("The gate into Deployment cannot be requested yet.")
    for missing in (
        f"An impact assessment is approved: No impact assessment of {system.reference} has been approved",
        "The latest bias assessment passed: No bias assessment",
        "Verification and validation results are recorded",
        "Human oversight is defined",
        "A deployment plan is approved",
    ):
        expect(unmet).to_contain_text(missing)

    section.get_by_label("Into").select_option(label="Decommissioning")  # still open: needs its note
    section.get_by_label("Approver").select_option(label="Boris")
    section.get_by_role("button", name="Request the gate").click()
    refusal = gates_section(page).get_by_role("alert")
    expect(refusal).to_contain_text("The gate into Decommissioning cannot be requested yet.")
    expect(refusal).to_be_in_viewport()  # where the person acted, without scrolling
    expect(gates_section(page).get_by_label("Approver")).to_have_value(str(board.pk))
    expect(gates_section(page).get_by_text("No gate reviews yet.")).to_be_visible()
    assert not GateReview.objects.exists()

"""The AI risk register as people use it in a real browser: sign in, record, edit, accept, two editors
at once, the heat map leading to the filtered list, and the keyboard on the list (ISO/IEC 42001 6.1.2,
6.1.3, 8.2, 8.3)."""

import re

import pytest
from playwright.sync_api import expect

from registers.models import Risk
from registers.services import risk_create
from tests.browser.conftest import SHOTS, sign_in

# Transactional: the live server's thread must see the rows the test commits (see conftest._reference_data).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = re.compile(r"RSK-\d{4}")


def topbar_user(page):
    return page.locator("header.topbar summary")


def test_each_role_signs_in_to_the_dashboard_and_a_wrong_password_is_refused(
    page, live_server, board, owner, auditor
):
    for user, name in ((board, "Boris"), (owner, "Olivia"), (auditor, "Audrey")):
        page.context.clear_cookies()
        sign_in(page, live_server, user)
        expect(page).to_have_url(f"{live_server.url}/")
        expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
        expect(topbar_user(page)).to_contain_text(name)

    page.context.clear_cookies()
    sign_in(page, live_server, board, password="not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text("enter a correct username and password")
    expect(topbar_user(page)).to_have_count(0)


def test_owner_creates_then_edits_a_risk_and_history_shows_both_titles(page, live_server, owner):
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/risks/new/")
    page.fill("#id_title", "Chatbot invents loan terms")
    page.fill("#id_system_note", "Customer chatbot")
    page.select_option("#id_category", label="Transparency and explainability")
    page.select_option("#id_risk_source", "C.3.2")
    page.check("#id_affects_individuals")
    page.select_option("#id_inherent_likelihood", "4")
    page.select_option("#id_inherent_impact", "3")
    page.select_option("#id_residual_likelihood", "2")
    page.select_option("#id_residual_impact", "3")
    page.select_option("#id_treatment", "mitigate")
    page.fill("#id_treatment_plan", "Ground answers in the product catalogue; human hand-off.")
    page.get_by_role("button", name="Create risk").click()

    expect(page).to_have_url(re.compile(r"/risks/RSK-\d{4}/$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Chatbot invents loan terms")
    reference = REFERENCE.search(heading.inner_text()).group()
    expect(page.get_by_role("status")).to_contain_text(f"{reference} created.")
    residual_row = page.locator("table.levels tr", has_text="Residual")
    next_review = page.locator(".record-header .facts div", has_text="Next review").locator("dd")
    first_review = next_review.inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", first_review), "a new risk gets its first review date"
    expect(residual_row.locator(".level")).to_have_text("Medium · 6")

    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/risks/{reference}/edit/")
    page.fill("#id_title", "Chatbot invents loan terms and rates")
    page.select_option("#id_residual_likelihood", "1")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status")).to_contain_text(f"{reference} saved.")
    expect(residual_row.locator(".level")).to_have_text("Low · 3")
    page.get_by_role("link", name="History").click()
    version_2 = page.locator("ol.history > li", has_text="Version 2")
    expect(version_2).to_contain_text("by Olivia")
    title_row = version_2.locator("tr", has_text="Title")
    expect(title_row.locator("td").nth(1)).to_have_text("Chatbot invents loan terms")
    expect(title_row.locator("td").nth(2)).to_have_text("Chatbot invents loan terms and rates")
    page.screenshot(path=f"{SHOTS}/risk-history.png", full_page=True)
    # The person never touched the review date: an edit of other fields must keep it.
    expect(version_2.locator("tr", has_text="Next review")).to_have_count(0)
    expect(next_review).to_have_text(first_review)


def test_invalid_risk_form_shows_errors_by_the_fields_and_saves_nothing(page, live_server, owner):
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/risks/new/")
    # Title left empty; residual 4x4 = 16 above inherent 2x2 = 4.
    page.select_option("#id_category", label="Safety")
    page.select_option("#id_risk_source", "C.3.3")
    page.check("#id_affects_individuals")
    page.select_option("#id_inherent_likelihood", "2")
    page.select_option("#id_inherent_impact", "2")
    page.select_option("#id_residual_likelihood", "4")
    page.select_option("#id_residual_impact", "4")
    page.fill("#id_treatment_plan", "Human review of every decision.")
    page.get_by_role("button", name="Create risk").click()

    expect(page).to_have_url(f"{live_server.url}/risks/new/")
    page.screenshot(path=f"{SHOTS}/risk-form-errors.png", full_page=True)
    expect(page.locator(".msg-error").first).to_contain_text("Nothing was saved")
    title_field = page.locator(".field.has-error", has=page.locator("#id_title"))
    expect(title_field.locator(".error")).to_have_text("This field is required.")
    # The person's other entries are kept, so only the marked fields need fixing.
    expect(page.locator("#id_residual_likelihood")).to_have_value("4")
    residual_field = page.locator(".field.has-error", has=page.locator("#id_residual_impact"))
    expect(residual_field.locator(".error")).to_contain_text("cannot exceed inherent risk")
    assert Risk.objects.count() == 0

    # Fixing the title alone still leaves the residual above inherent: refused, named by the field.
    page.fill("#id_title", "Loan decisions made without a person")
    page.get_by_role("button", name="Create risk").click()
    expect(page).to_have_url(f"{live_server.url}/risks/new/")
    residual_field = page.locator(".field.has-error", has=page.locator("#id_residual_impact"))
    expect(residual_field.locator(".error")).to_contain_text(
        "Residual risk (16) cannot exceed inherent risk (4)"
    )
    assert Risk.objects.count() == 0


def test_auditor_sees_no_edit_button_and_the_edit_url_says_read_only(page, live_server, make_risk, auditor):
    risk = make_risk()
    sign_in(page, live_server, auditor)
    page.goto(f"{live_server.url}/risks/{risk.reference}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(risk.title)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Archive")).to_have_count(0)

    page.goto(f"{live_server.url}/risks/{risk.reference}/edit/")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.locator("main .msg-error")).to_contain_text("read-only")
    expect(page.locator("#id_title")).to_have_count(0)


def test_board_accepts_a_risk_with_a_rationale(page, live_server, make_risk, board):
    risk = make_risk()
    sign_in(page, live_server, board)
    page.goto(f"{live_server.url}/risks/{risk.reference}/")
    page.get_by_label("Rationale").fill("Low residual level; the monthly fairness check stays in place.")
    page.get_by_role("button", name="Accept risk").click()

    expect(page.get_by_role("status")).to_contain_text(f"{risk.reference} accepted.")
    expect(page.get_by_text("Accepted by Boris")).to_be_visible()
    expect(page.locator("blockquote")).to_have_text(
        "Low residual level; the monthly fairness check stays in place."
    )
    expect(page.locator(".record-header .badge").first).to_have_text("Accepted")


def test_second_editor_is_told_who_changed_the_risk_and_nothing_of_theirs_is_saved(
    page, new_context, live_server, make_risk, owner, manager
):
    risk = make_risk()
    edit_url = f"{live_server.url}/risks/{risk.reference}/edit/"
    sign_in(page, live_server, owner)
    page.goto(edit_url)
    manager_page = new_context().new_page()
    manager_page.set_default_timeout(5_000)
    sign_in(manager_page, live_server, manager)
    manager_page.goto(edit_url)

    page.fill("#id_title", "Thin-file applicants scored low (owner's wording)")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text(f"{risk.reference} saved.")

    manager_page.fill("#id_title", "Thin-file applicants scored low (manager's wording)")
    manager_page.get_by_role("button", name="Save changes").click()
    alert = manager_page.locator(".msg-error")
    expect(alert).to_contain_text("changed since you opened it")
    expect(alert).to_contain_text("by Olivia")
    expect(alert).to_contain_text("Nothing was saved")
    expect(alert.get_by_role("link", name="See their changes")).to_be_visible()

    risk.refresh_from_db()
    assert risk.title == "Thin-file applicants scored low (owner's wording)"
    assert risk.version == 2


def test_heat_map_cell_opens_the_list_filtered_to_that_cell(page, live_server, owner, board, risk_fields):
    def make(title, inherent, residual):
        fields = {**risk_fields, "title": title}
        fields.update(inherent_likelihood=inherent[0], inherent_impact=inherent[1])
        fields.update(residual_likelihood=residual[0], residual_impact=residual[1])
        return risk_create(actor=owner, fields=fields)

    inside = [
        make("Face match fails on dark skin", (4, 4), (3, 4)),
        make("Voice bot misreads accents", (4, 5), (3, 4)),
    ]
    # Same score (12) in the mirror cell, and a low one: neither belongs to cell (3, 4).
    outside = [make("Model drift after re-training", (4, 4), (4, 3)), make("Chatbot tone", (2, 2), (2, 2))]

    sign_in(page, live_server, board)
    cell = page.locator('a.cell[href*="residual_likelihood=3&residual_impact=4"]')
    expect(cell).to_have_attribute("aria-label", re.compile(r"Likelihood 3, impact 4: 2 risks"))
    cell.click()

    expect(page).to_have_url(f"{live_server.url}/risks/?residual_likelihood=3&residual_impact=4")
    expect(page.locator("p.count")).to_have_text("2 risks match the filter.")
    rows = page.locator("table.register tbody tr")
    expect(rows).to_have_count(2)
    for risk in inside:
        expect(rows.filter(has_text=risk.reference)).to_contain_text(risk.title)
    for risk in outside:
        expect(page.get_by_text(risk.title)).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/heat-map-filtered-list.png", full_page=True)
    page.goto(f"{live_server.url}/")
    page.screenshot(path=f"{SHOTS}/dashboard.png", full_page=True)


def test_keyboard_reaches_the_search_box_and_enter_filters_the_list(page, live_server, make_risk, owner):
    wanted = make_risk(title="Chatbot invents loan terms")
    other = make_risk(title="Credit model under-scores thin-file applicants")
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/risks/")
    expect(page.locator("p.count")).to_have_text("2 risks.")

    for _ in range(40):  # every control before the search box, in tab order
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_search":
            break
    expect(page.locator("#id_search")).to_be_focused()
    page.keyboard.type("chatbot")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"[?&]search=chatbot"))
    expect(page.locator("p.count")).to_have_text(re.compile(r"^1 risk match(es)? the filter\.$"))
    rows = page.locator("table.register tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(wanted.reference)
    expect(page.get_by_text(other.title)).to_have_count(0)

"""The pages still work under the Content-Security-Policy (aims/security.py), in a real Chromium that
enforces it: the manager goes through the dashboard and its htmx panels, a filtered list, a record with
its tabs, menus and charts, a form, a refusal and the API docs, and the browser reports no violation."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

# Transactional: the live server's thread must see the rows the test commits (see conftest._reference_data).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEDIUM = "rgb(255, 224, 130)"  # #ffe082, the Medium band's colour in the default criteria

# Runs before any page script, in every page and frame (Playwright injects it outside the page's CSP).
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`);
});
"""


@pytest.fixture
def violations(page):
    """Every CSP violation the browser reports, as an event or on the console."""
    seen = []
    page.expose_function("reportViolation", lambda text: seen.append(text))
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return seen


def visit(page, url):
    response = page.goto(url)
    assert response.ok, url
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
    return response


def test_the_manager_s_pages_work_under_the_policy(
    page, live_server, manager, other_owner, make_risk, violations
):
    risk = make_risk(title="Chatbot invents loan terms", residual_likelihood=2, residual_impact=3)
    make_risk(title="Drift after re-training", inherent_likelihood=5, inherent_impact=5)

    sign_in(page, live_server, manager)
    visit(page, f"{live_server.url}/")
    risk_panel = page.locator("section.panel", has=page.get_by_role("heading", name=re.compile("^AI risks")))
    expect(risk_panel).to_be_visible()  # loaded by htmx after the page
    expect(risk_panel.locator("svg.heatmap").first).to_be_visible()
    medium = risk_panel.locator(".level", has_text="Medium")
    expect(medium).to_have_css("background-color", MEDIUM)  # painted from data-colour by aims.js
    page.locator("header.topbar summary").click()
    expect(page.get_by_role("link", name="API tokens")).to_be_visible()

    visit(page, f"{live_server.url}/risks/")
    page.select_option("#id_level", "medium")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page).to_have_url(re.compile(r"level=medium"))
    expect(page.locator("table.register tbody tr")).to_have_count(1)
    expect(page.locator("table.register .level", has_text="Medium").first).to_have_css(
        "background-color", MEDIUM
    )

    page.get_by_role("link", name=risk.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chatbot invents loan terms")
    expect(page.locator("table.levels .level", has_text="Medium").first).to_have_css(
        "background-color", MEDIUM
    )
    for tab in ("Links", "Evidence", "History"):
        page.locator("nav.tabs").get_by_role("link", name=tab).click()
        expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text(tab)

    visit(page, f"{live_server.url}/risks/heat-map/")
    cell = page.locator("a.cell").first
    cell.focus()
    expect(cell.locator("rect")).to_have_css("stroke-width", "3px")  # the outline from aims.css

    visit(page, f"{live_server.url}/risks/{risk.reference}/edit/")
    page.fill("#id_title", "Chatbot invents loan terms and rates")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_contain_text(f"{risk.reference} saved.")

    visit(page, f"{live_server.url}/competence/gaps/")
    expect(page.get_by_role("heading", name="Competence gaps")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, other_owner)
    visit(page, f"{live_server.url}/risks/")
    refused = page.goto(f"{live_server.url}/risks/{risk.reference}/edit/")
    assert refused.status == 403
    page.get_by_role("link", name="Go back").click()
    expect(page).to_have_url(f"{live_server.url}/risks/")  # history.back() from aims.js, not javascript:

    visit(page, f"{live_server.url}/api/docs/")
    # Swagger UI renders once the whole schema is generated: seconds on a busy CI machine.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("AIMS API", timeout=30_000)
    # Operations are grouped by register, folded: opening the first group draws its operations.
    page.locator(".swagger-ui .opblock-tag").first.click()
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()

    assert violations == []

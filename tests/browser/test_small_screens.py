"""Pages on a phone (390 px wide), for each role: none scrolls sideways, register lists read as cards,
and the menu folds behind "Menu", opens by cycle and by clause, and keeps every item on the screen.

The pages come from the registry (every register's list and the record it samples), so a register added
later is held to the same width. One browser, one context per role."""

import pytest
from playwright.sync_api import expect

from aims.registry import registry
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
REGISTERS = [info.register for info in registry.registers if info.register is not None]
ROLES = ("manager", "board", "owner", "auditor")
# A form each role may open: a new risk, a board decision, and for the auditor (who adds no record
# outside her audits) the password form every person has.
FORMS = {
    "manager": "/risks/new/",
    "owner": "/risks/new/",
    "board": "/decisions/new/",
    "auditor": "/accounts/password/",
}

WIDTHS = "[document.documentElement.scrollWidth, window.innerWidth]"
# Every menu link on the screen, with how far it reaches left and right (hidden ones have no box).
MENU_LINKS = """() => [...document.querySelectorAll("#nav a")].filter((a) => a.offsetParent !== null)
  .map((a) => { const box = a.getBoundingClientRect(); return [a.textContent.trim(), box.left, box.right]; })"""


@pytest.fixture
def people(manager, board, owner, other_owner, auditor, outsider):
    return {
        "manager": manager, "board": board, "owner": owner,
        "other_owner": other_owner, "auditor": auditor, "outsider": outsider,
    }  # fmt: skip


@pytest.fixture
def records(people, make_risk):
    """One record of every register (its own sample), and a risk whose title and systems run long."""
    made = {register.name: register.sample(people, 0) for register in REGISTERS}
    made["risk"] = make_risk(
        title="Chatbot invents loan terms, APRs and eligibility rules for customers who ask about credit",
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=4,
        residual_impact=4,
    )
    return made


def pages(records, role: str) -> list[str]:
    """Dashboard, every register's list, record pages (the risk, the SoA, a readiness assessment), a form,
    the heat map and certification readiness."""
    lists = [f"/{register.url_prefix}/" for register in REGISTERS]
    chosen = ("risk", "statement", "readinessassessment", "aisystem")
    shown = [records[name].get_absolute_url() for name in chosen]
    return ["/", *lists, *shown, FORMS[role], "/risks/heat-map/", "/certification/readiness/"]


def too_wide(page, base, paths) -> list[str]:
    wide = []
    for path in paths:
        response = page.goto(base + path)
        assert response.ok, f"{path}: {response.status}"
        scroll_width, width = page.evaluate(WIDTHS)
        if scroll_width > width:
            wide.append(f"{path} is {scroll_width} px wide")
    return wide


def test_no_page_scrolls_sideways_on_a_phone_for_any_role(browser, live_server, people, records):
    assert len(pages(records, "owner")) > len(REGISTERS) + 5  # the registry was read
    wide = {}
    for role in ROLES:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.set_default_timeout(5_000)
        sign_in(page, live_server, people[role])
        wide[role] = too_wide(page, live_server.url, pages(records, role))
        context.close()
    assert wide == {role: [] for role in ROLES}


def test_a_register_list_reads_as_cards_with_the_level_status_and_owner_on_screen(
    browser, live_server, people, records
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, people["owner"])
    page.goto(f"{live_server.url}/risks/")
    card = page.locator("table.register tbody tr", has_text=records["risk"].reference)
    for label, value in (
        ("Residual", "High · 16"),
        ("Status", records["risk"].get_status_display()),
        ("Owner", str(people["owner"])),
    ):
        cell = card.locator(f'td[data-label="{label}"]')
        expect(cell).to_contain_text(value)
        box = cell.bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"], label
    expect(card.locator('td[data-label="Residual"]')).to_contain_text("Above appetite")
    # The shared list template labels its cells too (any register: context issues here).
    page.goto(f"{live_server.url}/context-issues/")
    cell = page.locator('table.register tbody td[data-label="Owner"]').first
    expect(cell).to_be_visible()
    box = cell.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    context.close()


def test_a_list_s_filters_fold_on_a_phone_and_stay_open_on_a_laptop(browser, live_server, people, records):
    """On a phone the list comes first: its filters are folded behind "Filters" (open once a filter is
    applied); on a laptop they are always there, with no fold to open."""
    for size, folded in ((PHONE, True), ({"width": 1440, "height": 900}, False)):
        context = browser.new_context(viewport=size)
        page = context.new_page()
        sign_in(page, live_server, people["owner"])
        for url in ("/risks/", "/context-issues/"):  # the risk register's own list, and the shared one
            page.goto(f"{live_server.url}{url}")
            search = page.get_by_role("search").get_by_label("Search")
            summary = page.locator(".filter-fold > summary")
            if folded:
                expect(search).to_be_hidden()
                summary.click()
                expect(search).to_be_visible()
                search.fill("Chatbot")
                page.get_by_role("button", name="Filter", exact=True).click()
                expect(summary).to_have_text("Filters (applied)")
                expect(page.get_by_role("search").get_by_label("Search")).to_have_value("Chatbot")
            else:
                expect(search).to_be_visible()
                expect(summary).to_be_hidden()
        context.close()


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_folds_on_a_phone_and_every_item_it_opens_is_on_screen(browser, live_server, people, role):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, people[role])
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#nav").get_by_role("link", name="Glossary")).to_be_hidden()

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#nav").get_by_role("link", name="Glossary")).to_be_visible()
    seen = set()
    for cycle in ("Plan", "Do", "Check", "Act"):
        page.locator("#nav .menu-label", has_text=cycle).click()
        groups = page.locator("#nav .menu.open .menu-group-title")
        assert groups.count() >= 1, cycle
        for index in range(groups.count()):
            groups.nth(index).click()
            expect(groups.nth(index)).to_have_attribute("aria-expanded", "true")
            links = page.evaluate(MENU_LINKS)
            off_screen = [name for name, left, right in links if left < 0 or right > PHONE["width"]]
            assert off_screen == [], f"{cycle}, group {index + 1}: {off_screen}"
            seen.update(name for name, _, _ in links)
            scroll_width, width = page.evaluate(WIDTHS)
            assert scroll_width <= width, f"{cycle}, group {index + 1}: the page is {scroll_width} px wide"
    # Every register was reachable through an open group.
    assert {info.label for info in registry.registers} <= seen
    context.close()


def test_without_javascript_the_phone_menu_opens_stacked(browser, live_server, people):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, people["owner"])
    nav = page.locator("#nav")
    expect(nav).to_be_hidden()
    page.get_by_role("link", name="Menu").click()  # #nav becomes the :target
    expect(nav.get_by_role("link", name="AI risks")).to_be_visible()
    expect(nav.get_by_role("link", name="Feedback")).to_be_visible()
    off_screen = [
        name for name, left, right in page.evaluate(MENU_LINKS) if left < 0 or right > PHONE["width"]
    ]
    assert off_screen == []
    context.close()


def test_the_plan_menu_opens_as_columns_by_clause_within_a_laptop_screen(browser, live_server, people):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    sign_in(page, live_server, people["manager"])
    page.locator("#nav .menu-label", has_text="Plan").click()
    panel = page.locator("#nav .menu.open .mega")
    expect(panel.locator(".menu-group-title")).to_have_text(
        [
            "Readiness and roll-out",
            "4 Context of the organization",
            "5 Leadership",
            "6 Planning",
            "7 Support",
        ]
    )
    box = panel.bounding_box()
    assert box["y"] + box["height"] <= 768 and box["x"] + box["width"] <= 1366, box
    expect(panel.get_by_role("link", name="Documents")).to_be_visible()
    page.mouse.move(1300, 740)  # off the menu: only the click holds it open now
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    context.close()

"""Certification readiness in a real browser: a board member opens the dashboard, sees how ready the AIMS
is, opens the readiness page from the panel and follows the gap "SoA not yet approved" to the Statement
of Applicability, where the approval that closes the gap is waiting for them."""

import pytest
from playwright.sync_api import expect

from aims import publishing
from aims.certification import refresh_snapshot
from lifecycle.standard import soa
from tests.browser.conftest import sign_in
from tests.registers import records_for_readiness as build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_snapshot():
    """The panel's snapshot lives in Redis, which outlives the test database."""
    from django.core.cache import cache

    from aims.certification import SNAPSHOT_KEY

    cache.delete(SNAPSHOT_KEY)
    yield
    cache.delete(SNAPSHOT_KEY)


def test_the_board_sees_readiness_and_follows_a_gap_to_the_page_that_fixes_it(
    page, live_server, owner, board
):
    build.scope_statement(owner, board)
    build.ai_policy(owner, board)
    statement = soa.services.create(actor=owner, fields={"title": "Statement of Applicability 2026"})
    publishing.submit(statement, actor=owner, expected_version=statement.version)

    percent = f"{refresh_snapshot()['percent']}%"  # as Celery beat does every 15 minutes

    sign_in(page, live_server, board)
    panel = page.locator("section", has=page.get_by_role("heading", name="Certification readiness"))
    expect(panel).to_contain_text("Furthest from ready")
    overall = panel.get_by_test_id("readiness-overall")
    expect(overall).to_have_text(percent)

    overall.click()
    expect(page.get_by_role("heading", name="Certification readiness", level=1)).to_be_visible()
    expect(page.get_by_test_id("readiness-percent")).to_have_text(percent)
    row = page.locator("#check-6\\.1\\.3-soa")
    expect(row).to_contain_text("Partly met")
    expect(row).to_contain_text("in review, not yet approved")
    row.get_by_role("link", name=statement.reference).click()

    expect(page).to_have_url(f"{live_server.url}/soa/{statement.reference}/")
    page.get_by_text("Approve…").click()  # the board's decision, with its change summary
    expect(page.get_by_role("button", name="Approve", exact=True)).to_be_visible()

"""Nobody meets a debug page: signed in as each role of the demo organisation (and signed out), a walk
from the dashboard follows every link, every panel htmx loads and every choice of every list's filter
form, and no page answers 500 or above (tests/crawl.py: the walk, and how it keeps to a few pages per
route). The same walk runs on make run's SQLite database in tests/test_crawl_sqlite.py."""

import pytest

from aims.models import User
from tests.conftest import seeded_demo
from tests.crawl import Crawl, client_as, declared_filter_failures

pytestmark = pytest.mark.crawl  # about a minute on two cores, in the suite; `make crawl` runs it alone

# The manager first: the filter choices anyone opened, the others open only a few of (tests/crawl.py).
ROLES = ("manager", "board", "owner", "auditor")  # demo usernames (seed_demo USERS), one per role


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), seeded_demo():
        yield set()  # the filter choices opened so far, shared by the walks of all roles


@pytest.mark.django_db
@pytest.mark.slow
@pytest.mark.parametrize("username", ROLES)
def test_no_page_the_demo_links_to_fails(demo, username):
    crawl = Crawl(client_as(User.objects.get(username=username)), username, demo).run("/")
    assert not crawl.failures, "pages that fail:\n" + crawl.report()
    assert len(crawl.opened) > 100, crawl.opened  # the walk went through the registers


@pytest.mark.django_db
@pytest.mark.slow
def test_no_page_a_signed_out_visitor_reaches_fails(demo):
    crawl = Crawl(client_as(None), "anonymous", demo).run("/", "/risks/", "/api/v1/", "/api/docs/")
    assert not crawl.failures, "pages that fail:\n" + crawl.report()
    assert any(url.startswith("/accounts/login/") for url in crawl.opened), crawl.opened


@pytest.mark.django_db
@pytest.mark.slow
@pytest.mark.parametrize("username", ("manager", "owner"))  # all records; what restrict() leaves an owner
def test_every_filter_a_register_list_declares_takes_each_of_its_choices(demo, username):
    """The filters the list's form leaves out too (owner, clause, sorting), each choice on its own."""
    tried, failures = declared_filter_failures(User.objects.get(username=username))
    assert tried > 500
    assert not failures, "filters that fail:\n" + "\n".join(failures)

"""What is kept of a person's pages (aims.freshness): kept only until anything is written, however it is
written, and only for that person. These tests commit for real (transaction=True): in the suite's usual
rolled-back transaction nothing is kept, because a write there could yet be undone."""

import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction

from aims import freshness, roles
from lifecycle.models import SoAEntry, Statement
from registers.models import Risk, RiskCategory
from registers.services import risk_create
from tests.base import client_for

pytestmark = pytest.mark.django_db(transaction=True)


def page(client, url) -> str:
    """The page with its CSRF tokens blanked: Django masks the token afresh on every answer."""
    html = client.get(url).content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value="|name="csrf-token" content=")[^"]+', r"\1", html)


def moves(action) -> bool:
    before = freshness.version()
    action()
    return freshness.version() > before


def test_every_way_of_writing_moves_the_version_and_viewing_does_not(owner, risk_fields):
    risk = risk_create(actor=owner, fields=risk_fields)
    category = RiskCategory.objects.first()
    assert moves(lambda: risk_create(actor=owner, fields={**risk_fields, "title": "Another"}))
    assert moves(lambda: Risk.objects.filter(pk=risk.pk).update(title="Bulk update"))
    assert moves(lambda: RiskCategory.objects.bulk_create([RiskCategory(name="Bulk", slug="bulk")]))
    assert moves(lambda: risk.systems.clear())
    assert moves(lambda: RiskCategory.objects.filter(slug="bulk").delete())
    with connection.cursor() as cursor:  # raw SQL, as a data migration or a repair script writes
        assert moves(lambda: cursor.execute("UPDATE registers_riskcategory SET position = position"))
    assert moves(lambda: category.save())
    session = SessionStore()
    session["seen"] = 1
    assert not moves(session.save)  # a page view's session write is not a change to the AIMS
    assert not moves(lambda: list(Risk.objects.all()))


def test_a_transaction_moves_it_when_it_writes_and_again_when_it_commits(owner, risk_fields):
    seen = {}

    with transaction.atomic():
        before = freshness.version()
        risk_create(actor=owner, fields=risk_fields)
        seen["during"] = freshness.version()
        calls = []
        # Inside a transaction that has written nothing is kept: it could yet be rolled back.
        assert freshness.kept(("test",), lambda: calls.append(1) or "a") == "a"
        assert freshness.kept(("test",), lambda: calls.append(1) or "b") == "b" and len(calls) == 2
    assert before < seen["during"] < freshness.version()
    assert freshness.kept(("test",), lambda: "c") == "c"
    assert freshness.kept(("test",), lambda: "d") == "c"  # kept, committed and nothing written since


def test_a_change_anyone_makes_is_on_everyones_next_page(owner, manager, risk_fields):
    risk_create(actor=owner, fields={**risk_fields, "title": "First risk on the register"})
    watcher = client_for(manager)
    pages = ["/dashboard/panels/", "/risks/", "/api/v1/risks/", "/", "/systems/"]
    first = {url: page(watcher, url) for url in pages}
    again = {url: page(watcher, url) for url in pages}
    assert first == again  # kept: nothing was written in between
    made = risk_create(actor=owner, fields={**risk_fields, "title": "Second risk, made meanwhile"})
    for url in ("/risks/", "/api/v1/risks/"):
        assert "Second risk, made meanwhile" in watcher.get(url).content.decode(), url
    # The watcher's own change is on their next page too.
    answer = watcher.patch(f"/api/v1/risks/{made.reference}/", {"title": "Retitled by the manager",
                           "version": made.version}, content_type="application/json")  # fmt: skip
    assert answer.status_code == 200, answer.content
    for url in ("/risks/", "/api/v1/risks/"):
        html = watcher.get(url).content.decode()
        assert "Retitled by the manager" in html and "Second risk, made meanwhile" not in html, url


def test_kept_pages_are_the_persons_own(owner, board, manager, risk_fields):
    """The same page at the same moment differs by person (roles, ownership): each gets their own,
    and a role taken away is gone from the next page."""
    risk_create(actor=owner, fields=risk_fields)
    pages = {}
    for person in (owner, board, manager):
        client = client_for(person)
        pages[person] = (client, page(client, "/dashboard/panels/"))
    assert pages[owner][1] != pages[board][1] != pages[manager][1]
    for client, html in pages.values():
        assert page(client, "/dashboard/panels/") == html
    board_client, board_html = pages[board]
    board.groups.remove(Group.objects.get(name=roles.BOARD))
    board.groups.add(Group.objects.get(name=roles.OWNER))
    assert page(board_client, "/dashboard/panels/") != board_html


def test_the_soa_page_follows_a_change_to_an_entry(owner, auditor):
    from lifecycle.standard import soa, soa_entries
    from tests.lifecycle.test_soa import control

    statement = soa.services.create(actor=owner, fields={"title": "SoA 2026", "introduction": "All."})
    entry = soa_entries.services.create(
        actor=owner, fields={"control": control("A.6.2.4"), "justification": "Kept justification"}
    )
    client = client_for(auditor)
    assert "Kept justification" in client.get(f"/soa/{statement.reference}/").content.decode()
    SoAEntry.objects.filter(pk=entry.pk).update(justification="Changed justification")
    html = client.get(f"/soa/{statement.reference}/").content.decode()
    assert "Changed justification" in html and "Kept justification" not in html
    assert Statement.objects.count() == 1


def test_a_list_page_is_kept_whole_and_follows_each_part_of_it(owner, manager, risk_fields):
    """A register's list is kept whole (filters, figures, rows): a repeat view reads none of the register,
    and a change to what its filters offer is on the next view as surely as a change to its rows."""
    from django.test.utils import CaptureQueriesContext

    risk_create(actor=owner, fields=risk_fields)
    client = client_for(manager)
    client.get("/")  # signed in: the CSRF cookie is set (a page holding a form is kept only with it)
    first = page(client, "/risks/")
    with CaptureQueriesContext(connection) as seen:
        assert page(client, "/risks/") == first
    assert not [q["sql"] for q in seen if "registers_" in q["sql"]], "a kept list reads no register table"
    # Chrome included: the bell's count is kept with the page (a notification written moves the version).
    assert not [q["sql"] for q in seen if "aims_notification" in q["sql"]], "kept whole, the bell too"
    RiskCategory.objects.create(name="Model supply chain", slug="model-supply-chain")
    assert 'value="model-supply-chain"' in client.get("/risks/").content.decode()

    # Refused filters are refused with the same status whether the page is drawn or kept.
    too_many = "/risks/?" + "&".join(f"status=s{n}" for n in range(101))
    for _ in range(2):
        answer = client.get(too_many)
        assert answer.status_code == 400 and "it takes at most 100" in answer.content.decode()


def test_pages_are_kept_for_someone_signed_in_through_the_sign_in_page(owner, manager, risk_fields):
    """The sign-in page leaves allauth's record of how the person signed in (password, second factor) in
    the session for the whole sign-in; it is not a message waiting for the next page, which would keep
    every page from being kept (the load test found kept pages costing what drawn ones did)."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import PASSWORD

    risk_create(actor=owner, fields=risk_fields)
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": manager.username, "password": PASSWORD}).status_code
        == 302
    )
    assert "account_authentication_methods" in client.session
    client.get("/")  # the messages of signing in shown once; the CSRF cookie set
    first = page(client, "/risks/")
    with CaptureQueriesContext(connection) as seen:
        assert page(client, "/risks/") == first
    assert not [q["sql"] for q in seen if "registers_" in q["sql"]], "kept: no register table read"


def test_a_record_page_is_kept_after_its_checks_and_shows_a_message_once(owner, manager, risk_fields):
    from django.test.utils import CaptureQueriesContext

    risk = risk_create(actor=owner, fields=risk_fields)
    url = f"/risks/{risk.reference}/"
    client = client_for(manager)
    client.get("/")
    first = page(client, url)
    with CaptureQueriesContext(connection) as seen:
        assert page(client, url) == first
    # Only the check that the person may see the record (it, and the requirements it is fetched with).
    read = [q["sql"] for q in seen if "registers_" in q["sql"]]
    assert len(read) == 2 and all("registers_risk" in sql for sql in read), read
    assert client.get("/risks/RSK-9999/").status_code == 404

    # A message waiting to be shown once: the page is drawn with it, and without it next time.
    client.post(f"{url}reviewed/", {"version": risk.version + 5})  # stale: refused, nothing written
    assert "Nothing was saved" in client.get(url).content.decode()
    assert page(client, url) == first
    Risk.objects.filter(pk=risk.pk).update(title="Retitled meanwhile")
    assert "Retitled meanwhile" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ('INSERT INTO "registers_risk" ("title") VALUES (%s)', True),
        ('\n  update "registers_risk" SET "title" = %s', True),
        ('DELETE FROM "aims_history" WHERE id = %s', True),
        ('UPDATE "django_session" SET "expire_date" = %s', False),  # a page view's own, quiet
        ("  create index risk_title on registers_risk (title)", True),
        ("ALTER TABLE registers_risk ADD COLUMN x int", True),
        ("\tDrop table x", True),
        ("SELECT 1 -- CREATE TABLE x", False),
        ("SELECT " + ", ".join(f"(SELECT {n})" for n in range(20_000)), False),  # read by its first word
        ("CREATED_AT", False),
    ],
)
def test_a_statement_writes_by_its_first_words(sql, writes):
    assert freshness._writes(sql) is writes

"""A plain page of a register's list -- no filter, seen whole -- read with SQL kept once per process
(aims.api.pagination.KeptPaginator): only the SQL is kept, never the rows or the count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from aims import together
from aims.api import counting
from aims.api.pagination import KeptPaginator
from registers.api import RiskViewSet
from registers.models import Risk
from tests.base import client_for

pytestmark = pytest.mark.django_db


def _kept_keys() -> set:
    return {key for key in together._compiled if key[:2] == ("plain page", RiskViewSet)}


@override_settings(AIMS_KEEP_PAGES=False)
def test_the_count_and_the_rows_are_read_afresh_each_time(board, make_risk):
    client = client_for(board)
    first = client.get("/api/v1/risks/?page_size=2").json()
    assert _kept_keys(), "the board sees every risk: its plain page is read with kept SQL"
    make_risk(
        title="Written after the SQL was kept",
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=5,
        residual_impact=5,
    )
    again = client.get("/api/v1/risks/?page_size=2").json()
    assert again["count"] == first["count"] + 1 == Risk.objects.live().count()
    assert again["results"][0]["title"] == "Written after the SQL was kept"


@override_settings(AIMS_KEEP_PAGES=False)
def test_every_page_holds_what_the_register_holds_in_its_order(board, make_risk):
    for n in range(5):
        make_risk(title=f"Risk {n}")
    client = client_for(board)
    expected = list(
        Risk.objects.live().order_by("-residual_score", "reference").values_list("reference", flat=True)
    )
    seen, url = [], "/api/v1/risks/?page_size=2"
    while url:
        page = client.get(url).json()
        assert page["count"] == len(expected)
        seen += [row["reference"] for row in page["results"]]
        url = page["next"]
    assert seen == expected
    assert client.get("/api/v1/risks/?page_size=2&page=99").status_code == 404


@override_settings(AIMS_KEEP_PAGES=False)
def test_a_page_asking_a_filter_is_not_read_with_kept_sql(board, make_risk):
    make_risk(title="Filtered")
    together._compiled.clear()
    client = client_for(board)
    assert client.get("/api/v1/risks/?search=Filtered").json()["count"] == 1
    assert not _kept_keys()


@override_settings(AIMS_KEEP_PAGES=False)
def test_a_plain_page_asks_what_django_would_ask_and_no_more(board, make_risk):
    for n in range(3):
        make_risk(title=f"Risk {n}")
    client = client_for(board)
    client.get("/api/v1/risks/")
    with CaptureQueriesContext(connection) as kept:
        kept_page = client.get("/api/v1/risks/").json()
    with override_settings(AIMS_PREPARED_STATEMENTS=False), CaptureQueriesContext(connection) as plain:
        plain_page = client.get("/api/v1/risks/?archived=no").json()  # the same rows, through the FilterSet
    assert kept_page["results"] == plain_page["results"] and kept_page["count"] == plain_page["count"]
    assert len(kept.captured_queries) <= len(plain.captured_queries)


def test_the_kept_paginator_refuses_sql_that_is_not_the_kept_one(board, make_risk):
    """The check the suite runs on every plain page (AIMS_PREPARED_CHECK): a page whose SQL depends on
    more than its key is caught, not served another request's rows."""
    make_risk(title="One")
    key = ("plain page", "a key two different querysets share")
    KeptPaginator(Risk.objects.live().order_by("pk"), 10, key=key).page(1)
    other = KeptPaginator(Risk.objects.live().filter(title="One").order_by("pk"), 10, key=key)
    with pytest.raises(AssertionError, match="depends on more of the request than its key names"):
        other.page(1)


# -- the count on a connection of its own (aims.api.counting) -------------------------------------------


def _risk_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "registers_risk" in q["sql"]]


@pytest.mark.django_db(transaction=True)
@override_settings(AIMS_KEEP_PAGES=False)
def test_outside_a_transaction_the_count_is_asked_on_another_connection_meanwhile(board, make_risk):
    for n in range(5):
        make_risk(title=f"Risk {n}")
    client = client_for(board)
    with CaptureQueriesContext(connection) as captured:
        answer = client.get("/api/v1/risks/?page_size=2").json()
    assert answer["count"] == 5 == Risk.objects.live().count()
    assert answer["next"].endswith("page=2&page_size=2") and len(answer["results"]) == 2
    # The request's own connection read the page; the count went to a worker's.
    assert not any("COUNT(*)" in sql for sql in _risk_queries(captured))
    assert [len(client.get(f"/api/v1/risks/?page_size=2&page={n}").json()["results"]) for n in (2, 3)] == [
        2,
        1,
    ]
    past = client.get("/api/v1/risks/?page_size=2&page=4")
    assert past.status_code == 404 and "Invalid page" in past.json()["detail"]
    assert client.get("/api/v1/risks/?page_size=2&page=x").status_code == 404
    # The workers let go of their connections when told (the suite does, before dropping its database).
    others = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with connection.cursor() as cursor:
        cursor.execute(others)
        (before,) = cursor.fetchone()
        counting.close()
        cursor.execute(others)
        (after,) = cursor.fetchone()
    assert after < before
    assert client.get("/api/v1/risks/?page_size=2").json()["count"] == 5  # and start again when needed


@override_settings(AIMS_KEEP_PAGES=False)
def test_inside_a_transaction_the_count_is_asked_in_the_request(board, make_risk):
    """A transaction's rows are not seen from another connection until it commits: the count stays here."""
    make_risk(title="Uncommitted until the test ends")
    with CaptureQueriesContext(connection) as captured:
        answer = client_for(board).get("/api/v1/risks/?page_size=2").json()
    assert answer["count"] == Risk.objects.live().count() == 1
    assert any("COUNT(*)" in sql for sql in _risk_queries(captured))


@pytest.mark.django_db(transaction=True)
@override_settings(AIMS_KEEP_PAGES=False, AIMS_PARALLEL_COUNT=False)
def test_the_parallel_count_can_be_turned_off(board, make_risk):
    make_risk(title="One")
    with CaptureQueriesContext(connection) as captured:
        assert client_for(board).get("/api/v1/risks/").json()["count"] == 1
    assert any("COUNT(*)" in sql for sql in _risk_queries(captured))

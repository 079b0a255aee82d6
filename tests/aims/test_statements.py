"""SQL sent again is prepared once per connection (aims.statements): the same answers as sent plainly,
the plan kept by PostgreSQL (read back from pg_prepared_statements), a statement it cannot prepare sent
as before without harming the transaction around it, and a new connection prepared afresh."""

import contextlib
import datetime as dt
import decimal
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aims import statements


def _prepared_here() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def _run(sql, params) -> list[tuple]:
    with connection.cursor() as cursor:
        statements.execute(connection, cursor, sql, params)
        return cursor.fetchall()


def _fresh(sql: str) -> str:
    """The same statement, text no test has sent before (the process remembers what it sent)."""
    return f"{sql} /* {uuid.uuid4()} */"


def test_a_statement_is_prepared_when_sent_again_and_answers_as_it_did(db):
    # The values in the select list keep the types their literals had (an integer, a date, a decimal).
    sql = _fresh("SELECT n, n * %s, 'a%%b', %s AS day, %s AS price FROM generate_series(1, %s) AS n "
                 "WHERE n > %s ORDER BY n")  # fmt: skip
    day, price = dt.date(2026, 12, 7), decimal.Decimal("1.50")
    first = _run(sql, [10, day, price, 4, 2])
    assert statements._seen[sql] is None  # sent once: as it is
    assert (
        _run(sql, [10, day, price, 4, 2]) == first == [(3, 30, "a%b", day, price), (4, 40, "a%b", day, price)]
    )
    assert {n for n in _prepared_here() if n.startswith(statements._seen[sql])}
    assert _run(sql, [2, day, price, 2, 0]) == [(1, 2, "a%b", day, price), (2, 4, "a%b", day, price)]


def test_a_value_of_another_kind_in_the_same_place_is_a_statement_of_its_own(db):
    sql = _fresh("SELECT %s AS value")
    assert [_run(sql, [value]) for value in (7, 7, "seven", "seven", None)] == [
        [(7,)], [(7,)], [("seven",)], [("seven",)], [(None,)]
    ]  # fmt: skip
    # An integer, and text or None (both typed by PostgreSQL from the text): two statements.
    assert len({n for n in _prepared_here() if n.startswith(statements._seen[sql])}) == 2


def test_what_postgresql_cannot_prepare_is_sent_as_before_inside_a_transaction(db):
    sql = _fresh("SELECT %s IS NULL")  # nothing gives the parameter a type: PREPARE is refused
    with transaction.atomic():
        assert _run(sql, ["x"]) == [(False,)]
        assert _run(sql, [None]) == [(True,)]
        assert any(name.startswith(statements._seen[sql]) for name in statements._refused)
        assert _run(sql, ["z"]) == [(False,)]
        with connection.cursor() as cursor:  # the transaction goes on
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    sql = _fresh("SELECT %s::int + 1")
    _run(sql, [1])
    _run(sql, [1])
    assert {n for n in _prepared_here() if n.startswith(statements._seen[sql])}
    connection.close()
    assert _run(sql, [41]) == [(42,)]
    assert {n for n in _prepared_here() if n.startswith(statements._seen[sql])}


def test_turned_off_nothing_is_prepared(db, settings):
    settings.AIMS_PREPARED_STATEMENTS = False
    sql = _fresh("SELECT %s::int * 2")
    for n in range(3):
        assert _run(sql, [n]) == [(n * 2,)]
    assert sql not in statements._seen


def test_a_captured_query_shows_the_statement_it_ran(db):
    sql = _fresh('SELECT COUNT(*) FROM "aims_user" WHERE id > %s')
    _run(sql, [0])
    with CaptureQueriesContext(connection) as seen:
        _run(sql, [0])
        _run(sql, [0])
    sent = [q["sql"] for q in seen.captured_queries]  # one query each: PREPARE goes with the EXECUTE
    assert len(sent) == 2
    assert "PREPARE aims_" in sent[0] and sent[1].startswith("EXECUTE aims_")
    assert all('FROM "aims_user" WHERE id > $1' in sql for sql in sent)


@pytest.mark.parametrize("in_transaction", [False, True], ids=["autocommit", "in a transaction"])
def test_a_connection_full_of_statements_lets_them_go_in_the_same_round_trip(db, in_transaction):
    """Past PREPARED_LIMIT a connection's statements are all let go as the next one is prepared, in the
    same query: a request's number of queries does not depend on how full its connection was."""
    sql = _fresh("SELECT %s + 1")
    _run(sql, [1])  # sent once: as it is
    held = statements._prepared(connection)
    held.update(f"aims_stand_in_{n}" for n in range(statements.PREPARED_LIMIT - len(held)))
    with transaction.atomic() if in_transaction else contextlib.nullcontext():
        with CaptureQueriesContext(connection) as queries:
            assert _run(sql, [41]) == [(42,)]
    assert len(queries.captured_queries) == 1
    assert "DEALLOCATE ALL" in queries.captured_queries[0]["sql"]
    assert len(held) == 1 and held <= _prepared_here()
    assert _run(sql, [1]) == [(2,)]

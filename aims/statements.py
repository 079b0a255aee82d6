"""SQL that a process sends again and again, planned once per database connection.

The reads kept by aims.together, aims.prepared and the list API's pages are built and compiled once per
process, but PostgreSQL still parses and plans each of them on every request. For the widest of them --
one round trip holding a page's thirty reads -- planning costs more than running: the Statement of
Applicability's statement plans in 7 ms and runs in 8. `execute()` sends such a statement as a prepared
statement (PREPARE once per connection, then EXECUTE with the request's values), so PostgreSQL keeps its
plan; it chooses between a plan for the values given and a generic one by its own rule (plan_cache_mode).

Only text already sent once by this process is prepared: SQL that differs per request would otherwise
fill each connection with plans used once. Each parameter is declared the type its value's literal had
(_KINDS), so the answers keep their types; a statement PostgreSQL cannot prepare (a parameter whose type
nothing in the text settles) is remembered and sent as it always was. Connections are
persistent (CONN_MAX_AGE); a new one starts with no statements, and one holding too many is cleared.
AIMS_PREPARED_STATEMENTS=false turns this off, for a connection pooler that hands one client's
transactions to several database connections (PgBouncer in transaction mode), where a prepared statement
is not where the next EXECUTE runs."""

import datetime as dt
import decimal
import hashlib
import re

from django.conf import settings
from django.db import DatabaseError
from django.db.backends.signals import connection_created
from django.dispatch import receiver

SEEN_LIMIT = 1_000  # distinct statements a process remembers having sent
PREPARED_LIMIT = 300  # statements a connection keeps prepared before they are all let go

_seen: dict[str, str | None] = {}  # SQL sent before -> its statements' name (None: sent once so far)
_refused: set[str] = set()  # names PostgreSQL would not prepare
_PLACEHOLDER = re.compile(r"%%|%s")
_SAVEPOINT = "aims_prepare"


def execute(connection, cursor, sql: str, params) -> None:
    """cursor.execute(sql, params), as a prepared statement when `sql` is worth keeping. `sql` is as
    Django writes it: %s for each parameter, %% for a percent sign. One round trip either way: the
    first time on a connection, PREPARE and EXECUTE go together."""
    params = list(params)
    name = _name(connection, sql)
    if name is not None:  # one statement per kind of values: a slot typed by one call is not another's
        kinds = "".join(_kind(value)[0] for value in params)
        name += "_" + hashlib.blake2b(kinds.encode(), digest_size=4).hexdigest()
    if name is None or name in _refused:
        cursor.execute(sql, params)
        return
    run = f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
    if connection.queries_logged:  # a test capturing queries, DEBUG: the log shows what ran, not a name
        shown = _numbered(sql, len(params)).replace("/*", "/ *").replace("*/", "* /")
        run += f" /* {shown.replace('%', '%%')} */"
    prepared = _prepared(connection)
    if name in prepared:
        cursor.execute(run, params)
        return
    let_go = ""
    if len(prepared) >= PREPARED_LIMIT:  # in the same round trip: a request's queries stay as many
        let_go = "DEALLOCATE ALL; "
        prepared.clear()
    types = f"({', '.join(_kind(value)[1] for value in params)})" if params else ""
    prepare = f"PREPARE {name}{types} AS {_numbered(sql, len(params))}".replace("%", "%%")
    if connection.in_atomic_block:  # a refusal would end the transaction: the savepoint keeps it in
        prepare = f"SAVEPOINT {_SAVEPOINT}; {prepare}; RELEASE SAVEPOINT {_SAVEPOINT}"
    try:
        cursor.execute(f"{let_go}{prepare}; {run}", params)
    except DatabaseError:
        if connection.in_atomic_block:
            cursor.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}; RELEASE SAVEPOINT {_SAVEPOINT}")
        cursor.execute(sql, params)  # fails as it always would if the fault is not the PREPARE's
        _refused.add(name)
        return
    prepared.add(name)


def _numbered(sql: str, count: int) -> str:
    """Django's SQL with PostgreSQL's numbered parameters ($1, $2 ...) and its percent signs as such."""
    numbers = iter(range(1, count + 1))
    return _PLACEHOLDER.sub(lambda m: "%" if m.group(0) == "%%" else f"${next(numbers)}", sql)


# Each parameter is declared the type psycopg2's literal for the value has had all along (PostgreSQL's
# type for an untyped parameter is found from the text alone: in a select list it is text, where the
# literal 0 was an integer). Other values -- text, None, lists -- are left for PostgreSQL to infer, as
# their literals were. (code, type); datetime before date: a datetime is a date.
_KINDS = (
    (bool, ("b", "boolean")),
    (int, ("i", "bigint")),
    (float, ("f", "numeric")),  # psycopg2 writes 1.5, which PostgreSQL reads as numeric
    (decimal.Decimal, ("n", "numeric")),
    (dt.datetime, None),
    (dt.date, ("d", "date")),
    (dt.time, ("t", "time")),
    (dt.timedelta, ("v", "interval")),
)
_UNKNOWN = ("u", "unknown")


def _kind(value) -> tuple[str, str]:
    for kind, declared in _KINDS:
        if isinstance(value, kind):
            if declared is None:  # a datetime: with its time zone or without, as written
                return ("z", "timestamptz") if value.tzinfo is not None else ("s", "timestamp")
            return declared
    return _UNKNOWN


def _name(connection, sql: str) -> str | None:
    if connection.vendor != "postgresql" or not settings.AIMS_PREPARED_STATEMENTS:
        return None
    if sql not in _seen:
        if len(_seen) >= SEEN_LIMIT:
            _seen.clear()
        _seen[sql] = None  # the first time: sent as it is
        return None
    name = _seen[sql]
    if name is None:
        name = _seen[sql] = "aims_" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()
    return name


def _prepared(connection) -> set[str]:
    if not hasattr(connection, "aims_prepared"):
        connection.aims_prepared = set()
    return connection.aims_prepared


@receiver(connection_created)
def _new_connection(sender, connection, **kwargs):
    """A new connection holds no prepared statements (a closed one took its own with it)."""
    connection.aims_prepared = set()

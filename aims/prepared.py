"""A query whose shape depends only on the roles of the person who asks, built and compiled once per
process and role set, then run with the person's own values.

Building a queryset through the permission policies and compiling it costs far more than running it
when it is a UNION over every register (the dashboard's "my reviews due": 45 SELECTs, each restricted
for the person, ~90% of its time in Python). The policies decide a person's visibility from their roles
and their id alone (aims.policies), so the SQL for two people of the same roles differs only in the
parameters that hold their id and the day asked about.

`prepared(name, build, user, **values)` builds `build(stand_in, **stand_in_values)` twice, with two
different stand-in people and values, and keeps the SQL only when both compile to the same text with
parameters that differ exactly where the stand-ins were: then each parameter is known to be a constant,
the person's id or one of the values. A build whose two stand-ins differ otherwise fails that proof, and
its queryset is simply built and run every time. On a database other than PostgreSQL it always is (what
`make run` uses needs no speed).

The contract a build keeps: it depends on the person only through their roles (user.has_role,
role_names, is_superuser) and their id, and on each value only as a parameter, never in a branch. The
stand-ins cannot see a branch taken on anything else, so the test suite (AIMS_PREPARED_CHECK) compiles
every person's own build beside the kept SQL and fails if they differ. SQL that depends on nothing of
the person, or only on what its caller names in a key, is kept by aims.together.compiled instead."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection

from aims import statements
from aims.together import Compiled, asked, joined, together

_STAND_INS = (-7_000_000_001, -7_000_000_002)  # person ids no row holds
_KEPT: dict[tuple, tuple | None] = {}
_PERSON = object()  # where the person's id goes


class _Value(str):
    """Where the named value goes."""


def prepared(name: str, build, user, **values) -> list[tuple]:
    """The rows of `build(user, **values)` (a values_list() queryset), as tuples."""
    kept = _kept(("one", name), build, user, values, _compile_one)
    if kept is None:  # not PostgreSQL, or no SQL to keep: built and run as it is
        return list(build(user, **values))
    sql, slots, _ = kept
    params = _params(slots, user, values)
    if settings.AIMS_PREPARED_CHECK:
        _check(_compile_one(build(user, **values)), sql, params)
    with connection.cursor() as cursor:
        statements.execute(connection, cursor, sql, params)
        return cursor.fetchall()


def prepared_together(name: str, build, user, **values) -> list[list] | None:
    """together(*build(user, **values)) (aims.together: one round trip), its SQL kept as prepared() keeps
    one query's. `build` returns the querysets to ask, or None when it has none to ask this way (then so
    does this). Parts that carry more than their columns and related names -- records known to a
    related manager, a Prefetch with a queryset of its own -- are not kept: the stand-in's would be read
    into the person's rows. Asked alone, a part's rows come as the driver gives them (Compiled.run)."""
    kept = _kept(("together", name), build, user, values, _compile_together)
    if kept is None:  # not PostgreSQL, or no SQL to keep: built and asked as it is
        parts = build(user, **values)
        return None if parts is None else together(*parts)
    sql, slots, parts = kept
    params = _params(slots, user, values)
    if settings.AIMS_PREPARED_CHECK:
        _check(_compile_together(build(user, **values)), sql, params)
    if len(parts) == 1:  # one query: its rows as the driver gives them, not through JSON
        return [parts[0].run(params=params)]
    return asked(parts, sql, params)


def _kept(name: tuple, build, user, values: dict, compile_build):
    """The SQL kept for `name` and the person's roles, proved on first use; None when there is none to
    keep (or the database is not PostgreSQL: what `make run` uses needs no speed)."""
    if connection.vendor != "postgresql":
        return None
    key = (*name, user.role_names, user.is_superuser, tuple(sorted(values)))
    if key not in _KEPT:
        _KEPT[key] = _prove(build, user, values, compile_build)
    return _KEPT[key]


def _params(slots, user, values) -> list:
    return [user.pk if slot is _PERSON else values[slot] if type(slot) is _Value else slot for slot in slots]


def _compile_one(queryset):
    """(sql, params, nothing more to keep) of a values_list() queryset; None for rows read already."""
    if not hasattr(queryset, "query"):  # rows already (one query per part): nothing to keep
        return None
    try:
        return (*queryset.query.sql_with_params(), None)
    except EmptyResultSet:  # .none(): nothing to ask, and so nothing to keep
        return None


def _compile_together(querysets):
    """(sql, params, the compiled parts that read its answer) of together(*querysets)."""
    if querysets is None or any(not hasattr(q, "query") or q._known_related_objects for q in querysets):
        return None
    if any(not isinstance(lookup, str) for q in querysets for lookup in q._prefetch_related_lookups):
        return None  # a Prefetch's own queryset may be the person's: only plain related names are kept
    parts = [Compiled(q) for q in querysets]
    if len(parts) == 1:  # asked alone (Compiled.run), as the part's own SQL
        return (parts[0].sql, parts[0].params, parts)
    return (*joined(parts), parts)


def _prove(build, user, values, compile_build):
    compiled = []
    for n, pk in enumerate(_STAND_INS):
        stand_in = user.__class__(
            pk=pk, is_active=True, is_superuser=user.is_superuser
        )  # (a lazy request.user too)
        stand_in.__dict__["role_names"] = user.role_names  # the roles asked with, read without a query
        found = compile_build(build(stand_in, **{k: _stand_in_value(v, n) for k, v in values.items()}))
        if found is None:
            return None
        compiled.append(found)
    (sql_a, params_a, kept), (sql_b, params_b, _) = compiled
    if sql_a != sql_b or len(params_a) != len(params_b):
        return None
    slots = []
    for a, b in zip(params_a, params_b, strict=True):
        if a == b:
            slots.append(a)
        elif (a, b) == _STAND_INS:
            slots.append(_PERSON)
        else:
            named = [k for k, v in values.items() if (a, b) == (_stand_in_value(v, 0), _stand_in_value(v, 1))]
            if len(named) != 1:
                return None
            slots.append(_Value(named[0]))
    return sql_a, slots, kept


def _check(own, sql, params):
    """The contract, checked on every call where AIMS_PREPARED_CHECK is on (the test suite): what the
    person's own build compiles to is what is run for them."""
    if own is None or (own[0], list(own[1])) != (sql, params):
        raise AssertionError(
            "prepared(): the query built for this person differs from the one kept for their roles; its "
            "build reads more of the person than their roles and id, or a value shapes the SQL."
        )


def _stand_in_value(value, n: int):
    """A value no real request asks with, different for each build, of the same type as `value`."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.date(1901 + n, 2, 3)
    if type(value) is int:  # a record's id
        return -8_000_000_001 - n
    if type(value) is str:  # a record's reference
        return f"stand-in reference {n}"
    raise TypeError(f"prepared(): no stand-in for a {type(value).__name__}; add one here.")

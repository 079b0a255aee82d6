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
from django.db import connection

from aims import statements

_STAND_INS = (-7_000_000_001, -7_000_000_002)  # person ids no row holds
_KEPT: dict[tuple, tuple | None] = {}
_PERSON = object()  # where the person's id goes


class _Value(str):
    """Where the named value goes."""


def prepared(name: str, build, user, **values) -> list[tuple]:
    """The rows of `build(user, **values)` (a values_list() queryset), as tuples."""
    if connection.vendor != "postgresql":
        return list(build(user, **values))
    key = (name, user.role_names, user.is_superuser, tuple(sorted(values)))
    if key not in _KEPT:
        _KEPT[key] = _prove(build, user, values)
    compiled = _KEPT[key]
    if compiled is None:
        return list(build(user, **values))
    sql, slots = compiled
    params = [
        user.pk if slot is _PERSON else values[slot] if type(slot) is _Value else slot for slot in slots
    ]
    if settings.AIMS_PREPARED_CHECK:
        _check(build(user, **values), sql, params)
    with connection.cursor() as cursor:
        statements.execute(connection, cursor, sql, params)
        return cursor.fetchall()


def _prove(build, user, values):
    compiled = []
    for n, pk in enumerate(_STAND_INS):
        stand_in = user.__class__(
            pk=pk, is_active=True, is_superuser=user.is_superuser
        )  # (a lazy request.user too)
        stand_in.__dict__["role_names"] = user.role_names  # the roles asked with, read without a query
        queryset = build(stand_in, **{k: _stand_in_value(v, n) for k, v in values.items()})
        if not hasattr(queryset, "query"):  # rows already (one query per part): nothing to keep
            return None
        compiled.append(queryset.query.sql_with_params())
    (sql_a, params_a), (sql_b, params_b) = compiled
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
    return sql_a, slots


def _check(queryset, sql, params):
    """The contract, checked on every call where AIMS_PREPARED_CHECK is on (the test suite): what the
    person's own build compiles to is what is run for them."""
    own_sql, own_params = queryset.query.sql_with_params()
    if (own_sql, list(own_params)) != (sql, params):
        raise AssertionError(
            "prepared(): the query built for this person differs from the one kept for their roles; its "
            "build reads more of the person than their roles and id, or a value shapes the SQL."
        )


def _stand_in_value(value, n: int):
    """A value no real request asks with, different for each build, of the same type as `value`."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.date(1901 + n, 2, 3)
    raise TypeError(f"prepared(): no stand-in for a {type(value).__name__}; add one here.")

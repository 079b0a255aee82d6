"""Queries compiled once per role set (aims.prepared): each person still gets their own rows, and a
build that reads more of the person than their roles and id is never kept."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aims import prepared as module
from aims.prepared import prepared, prepared_together
from aims.together import totals
from lifecycle.models import AISystem
from registers.models import Risk


@pytest.fixture(autouse=True)
def nothing_kept(monkeypatch):
    monkeypatch.setattr(module, "_KEPT", {})


def owned_due(user, soon):
    return (
        Risk.objects.restrict(user, "view")
        .filter(owner=user, next_review_on__lte=soon)
        .order_by("reference")
        .values_list("reference", "next_review_on")
    )


def test_each_person_gets_their_own_rows_from_the_sql_kept_for_their_roles(owner, other_owner, make_risk):
    today = timezone.localdate()
    mine = make_risk(title="Olivia's", next_review_on=today)
    theirs = make_risk(actor=other_owner, title="Oscar's", next_review_on=today - dt.timedelta(days=3))
    make_risk(title="Not yet due", next_review_on=today + dt.timedelta(days=90))
    assert prepared("due", owned_due, owner, soon=today) == [(mine.reference, today)]
    (kept,) = module._KEPT.values()
    assert kept is not None, "the build depends on the person's roles and id alone: kept"
    with CaptureQueriesContext(connection) as seen:
        rows = prepared("due", owned_due, other_owner, soon=today)
    assert rows == [(theirs.reference, today - dt.timedelta(days=3))] == list(owned_due(other_owner, today))
    # One query, and the person's own build compiled beside it (AIMS_PREPARED_CHECK, on in the tests).
    assert len(seen) == 1 and str(other_owner.pk) not in kept[0]


def test_a_build_that_reads_more_of_the_person_is_built_every_time(owner, other_owner, make_risk):
    """Its stand-ins differ beyond their ids (their names): not kept, yet everyone's answer is right."""
    today = timezone.localdate()
    make_risk(title="olivia", next_review_on=today)
    make_risk(actor=other_owner, title="oscar", next_review_on=today)

    def by_name(user, soon):
        return owned_due(user, soon).filter(title=user.username or f"stand-in {user.pk}")

    assert [r[0] for r in prepared("named", by_name, owner, soon=today)] == [
        r[0] for r in by_name(owner, today)
    ]
    assert list(module._KEPT.values()) == [None]
    assert len(prepared("named", by_name, other_owner, soon=today)) == 1


def test_a_branch_the_stand_ins_cannot_see_is_caught_by_the_check(owner, make_risk):
    """A value that shapes the SQL in a branch both stand-ins take alike: the suite's check says so."""
    today = timezone.localdate()

    def branching(user, soon):
        rows = owned_due(user, soon)
        return rows.filter(title="") if soon.year < 1950 else rows

    with pytest.raises(AssertionError, match="differs from the one kept for their roles"):
        prepared("branching", branching, owner, soon=today)


def owned_with_total(user):
    """together()'s parts: the person's first two risks with their owners, and how many they own."""
    mine = (
        Risk.objects.restrict(user, "view").filter(owner=user).select_related("owner").order_by("reference")
    )
    return [mine[:2], totals(mine, total=Count("pk"))]


def test_together_each_person_gets_their_own_records_from_the_kept_sql(owner, other_owner, make_risk):
    made = [make_risk(title=f"Olivia's {n}") for n in range(3)]
    theirs = make_risk(actor=other_owner, title="Oscar's")
    rows, counted = prepared_together("owned", owned_with_total, owner)
    assert [r.reference for r in rows] == [r.reference for r in made[:2]] and counted == [{"total": 3}]
    (kept,) = module._KEPT.values()
    assert kept is not None
    with CaptureQueriesContext(connection) as seen:
        rows, counted = prepared_together("owned", owned_with_total, other_owner)
    assert len(seen) == 1  # one round trip, its SQL not built again (the suite's check compiles beside it)
    assert [(r.reference, r.owner.username) for r in rows] == [(theirs.reference, other_owner.username)]
    assert counted == [{"total": 1}]


def test_together_parts_that_carry_more_than_their_columns_are_not_kept(owner, make_risk):
    """A Prefetch with a queryset of its own (or records known to a related manager) may be the stand-in's:
    built every time. A plain related name is the same for everyone: kept."""
    make_risk(title="Olivia's")

    def prefetching(related):
        def build(user):
            first, total = owned_with_total(user)
            return [first.prefetch_related(related(user)), total]

        return build

    rows, counted = prepared_together("named", prefetching(lambda user: "systems"), owner)
    assert len(rows) == 1 and counted == [{"total": 1}] and list(module._KEPT.values()) != [None]
    module._KEPT.clear()
    own = prefetching(lambda user: Prefetch("systems", queryset=AISystem.objects.filter(owner=user)))
    rows, counted = prepared_together("own queryset", own, owner)
    assert len(rows) == 1 and counted == [{"total": 1}]
    assert list(module._KEPT.values()) == [None]
    assert prepared_together("none", lambda user: None, owner) is None


def test_permission_questions_are_asked_with_sql_kept_per_role_set(owner, other_owner, auditor, make_risk):
    """aims.permissions.allowed: each person and record gets their own answer from the kept SQL, one
    query each, the record's id a parameter like the person's."""
    from aims.permissions import allowed

    mine, theirs = make_risk(title="Olivia's"), make_risk(actor=other_owner, title="Oscar's")
    assert allowed(owner, "change", mine) and not allowed(owner, "change", theirs)
    with CaptureQueriesContext(connection) as seen:
        assert allowed(other_owner, "change", theirs) and not allowed(other_owner, "change", mine)
    assert len(seen) == 2
    kept = [k for k in module._KEPT.values() if k is not None]
    assert kept and all(str(mine.pk) not in sql and str(theirs.pk) not in sql for sql, _, _ in kept)
    assert allowed(auditor, "view", mine) and not allowed(auditor, "change", mine)

"""History nobody can rewrite quietly (issue 15, part 5): every entry sealed with the one before it in its
record's history; `manage.py verify_history` names the first entry edited, inserted or deleted in the
database; the pack's manifest records the root of the chains."""

import importlib
import threading
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings

from aims import history_chain
from aims.models import Change
from aims.records import history
from registers.services import risk_update


def verify() -> str:
    out = StringIO()
    call_command("verify_history", stdout=out)
    return out.getvalue()


def refused() -> str:
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_history", stdout=out)
    return out.getvalue() + str(failed.value)


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def risk(make_risk, owner):
    """A risk at version 3: three entries in its chain."""
    record = make_risk()
    for title in ("Second title", "Third title"):
        record = risk_update(record, actor=owner, fields={"title": title}, expected_version=record.version)
    return record


def entries(record) -> list[Change]:
    return list(history(record).order_by("id"))


def test_each_entry_carries_the_seal_of_the_one_before(risk):
    first, second, third = entries(risk)
    assert (first.previous, second.previous, third.previous) == ("", first.seal, second.seal)
    assert all(len(e.seal) == 64 for e in (first, second, third))
    assert "History intact" in verify()


def test_an_entry_is_never_changed_through_the_app(risk):
    entry = entries(risk)[0]
    entry.note = "rewritten"
    with pytest.raises(ValueError, match="never changed"):
        entry.save()


@pytest.mark.parametrize(
    ("column", "value"),
    [("note", "'quietly reworded'"), ("changes", "'[]'::jsonb"), ("actor_id", "NULL"),
     ("at", "at - interval '1 day'"), ("action", "'approved'"), ("version", "7")],
)  # fmt: skip
def test_an_edited_entry_is_named(risk, column, value):
    second = entries(risk)[1]
    sql(f"UPDATE aims_change SET {column} = {value} WHERE id = %s", second.pk)
    report = refused()
    assert f"History entry #{second.pk} ({risk.reference} version" in report
    assert "does not match its seal: it was changed after it was written" in report
    assert "1 problem found in the history" in report


def test_a_deleted_entry_is_found_at_the_one_after_it(risk):
    first, second, third = entries(risk)
    sql("DELETE FROM aims_change WHERE id = %s", second.pk)
    report = refused()
    assert f"History entry #{third.pk} ({risk.reference} version 3" in report
    assert "an entry before it was deleted, or it was inserted" in report


def test_deleting_the_first_entry_is_found(risk):
    first, second, _ = entries(risk)
    sql("DELETE FROM aims_change WHERE id = %s", first.pk)
    assert f"History entry #{second.pk}" in refused()


def test_an_inserted_entry_is_found_even_with_the_right_previous_seal(risk):
    """Someone without the key copies an entry's link and writes a seal of their own: no match."""
    first, second, third = entries(risk)
    sql(
        "INSERT INTO aims_change (content_type_id, object_id, version, action, actor_id, at, changes, note,"
        " previous, seal) SELECT content_type_id, object_id, 4, 'updated', actor_id, now(), '[]', 'forged',"
        " %s, repeat('0', 64) FROM aims_change WHERE id = %s",
        third.seal, third.pk,
    )  # fmt: skip
    sql("UPDATE registers_risk SET version = 4 WHERE id = %s", risk.pk)
    forged = entries(risk)[-1]
    assert f"History entry #{forged.pk} ({risk.reference} version 4" in refused()


def test_a_seal_made_with_another_key_is_found(risk):
    first = entries(risk)[0]
    with override_settings(HISTORY_KEY="someone-elses-key"):
        forged = history_chain.entry_seal(first, "registers.risk", "")
    sql("UPDATE aims_change SET note = 'x', seal = %s WHERE id = %s", forged, first.pk)
    assert f"History entry #{first.pk}" in refused()


def test_the_newest_entries_deleted_leave_the_record_ahead_of_its_history(risk):
    third = entries(risk)[-1]
    sql("DELETE FROM aims_change WHERE id = %s", third.pk)
    assert f"{risk.reference} is at version 3 but its history ends at version 2" in refused()


def test_a_record_whose_whole_history_was_deleted_is_named(risk):
    sql("DELETE FROM aims_change WHERE content_type_id = %s AND object_id = %s",
        entries(risk)[0].content_type_id, risk.pk)  # fmt: skip
    assert f"{risk.reference} is at version 3 but has no history" in refused()


def test_each_broken_chain_is_named_once_and_the_others_pass(risk, make_risk, owner):
    other = make_risk(title="Another risk")
    sql("UPDATE aims_change SET note = 'a' WHERE id = %s", entries(risk)[0].pk)
    sql("UPDATE aims_change SET note = 'b' WHERE id = %s", entries(other)[0].pk)
    report = refused()
    assert "2 problems found in the history" in report
    assert report.count(risk.reference) == 1 and report.count(other.reference) == 1


def test_entries_written_many_at_once_are_sealed_too(risk, owner):
    content_type_id = entries(risk)[0].content_type_id
    Change.objects.bulk_create(
        [Change(content_type_id=content_type_id, object_id=risk.pk, version=v, action="reviewed", actor=owner)
         for v in (4, 5)]
    )  # fmt: skip
    sql("UPDATE registers_risk SET version = 5 WHERE id = %s", risk.pk)
    *_, third, fourth, fifth = entries(risk)
    assert (fourth.previous, fifth.previous) == (third.seal, fourth.seal)
    assert "History intact" in verify()


def test_history_of_thousands_of_records_written_at_once_holds_a_bounded_number_of_locks(risk, owner):
    """One lock per chain filled PostgreSQL's lock table (some 6,400 entries) in a bulk write of history for
    7,000 records: "out of shared memory". The chains are held through a fixed number of slots instead."""
    content_type_id = entries(risk)[0].content_type_id
    first = 10_000_000
    with transaction.atomic():
        written = Change.objects.bulk_create(
            [Change(content_type_id=content_type_id, object_id=first + n, version=1, action="created",
                    actor=owner) for n in range(7_000)]
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            )
            (held,) = cursor.fetchone()
    assert 0 < held <= history_chain.CHAIN_LOCK_SLOTS
    assert all(entry.previous == history_chain.GENESIS and entry.seal for entry in written)


def test_history_written_before_seals_existed_is_sealed_by_the_migration(risk):
    migration = importlib.import_module("aims.migrations.0014_history_chain")
    sql("UPDATE aims_change SET previous = '', seal = ''")
    assert "does not match its seal" in refused()
    migration.seal_existing(apps, SimpleNamespace(connection=connection))
    assert "History intact" in verify()


def test_the_root_changes_with_any_entry_and_can_be_taken_as_of_an_earlier_entry(risk, owner):
    before = history_chain.root(Change)
    assert before["chains"] >= 1 and before["entries"] >= 3
    risk_update(risk, actor=owner, fields={"title": "Fourth"}, expected_version=risk.version)
    after = history_chain.root(Change)
    assert after["root"] != before["root"] and after["last_entry"] > before["last_entry"]
    assert history_chain.root(Change, up_to=before["last_entry"]) == before


def test_a_rewrite_by_someone_holding_the_key_passes_the_walk_but_not_a_packs_root(risk):
    """With the key, an edited chain can be sealed again from the edit on, and the walk finds nothing;
    the root a pack signed before then no longer matches."""
    exported = history_chain.root(Change)
    sql("UPDATE aims_change SET note = 'rewritten' WHERE id = %s", entries(risk)[0].pk)
    migration = importlib.import_module("aims.migrations.0014_history_chain")
    migration.seal_existing(apps, SimpleNamespace(connection=connection))
    assert "History intact" in verify()
    assert history_chain.root(Change, up_to=exported["last_entry"])["root"] != exported["root"]


@pytest.mark.django_db(transaction=True)
def test_two_writers_on_one_record_at_once_keep_one_chain(risk_fields, owner):
    """The second writer waits for the first's transaction and links to its entry, never to the same
    predecessor (a fork): each writes through its own connection."""
    from registers.services import risk_create

    record = risk_create(actor=owner, fields=risk_fields)
    content_type_id = entries(record)[0].content_type_id
    first_in = threading.Event()
    errors = []

    def write(version, hold):
        try:
            with transaction.atomic():
                Change.objects.create(
                    content_type_id=content_type_id, object_id=record.pk, version=version, action="reviewed",
                    actor=owner,
                )  # fmt: skip
                if hold:
                    first_in.set()
                    threading.Event().wait(0.5)  # the other writer arrives while this one holds the chain
        except Exception as exc:  # noqa: BLE001 -- reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=write, args=(2, True))
    first.start()
    first_in.wait(5)
    second = threading.Thread(target=write, args=(3, False))
    second.start()
    first.join()
    second.join()
    assert not errors
    sql("UPDATE registers_risk SET version = 3 WHERE id = %s", record.pk)
    one, two, three = entries(record)
    assert (two.previous, three.previous) == (one.seal, two.seal)
    assert "History intact" in verify()


def test_a_person_named_in_history_is_deactivated_never_deleted(risk, owner):
    """Who wrote an entry is sealed with it: deleting them would blank it and break the chain."""
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        owner.delete()
    assert "History intact" in verify()

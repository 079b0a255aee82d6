"""Records as they were at a moment, rebuilt from their history (audits.pack.as_of)."""

import datetime as dt

import pytest
from django.utils import timezone

from aims.models import Change
from audits.pack.as_of import files_as_of, records_as_of, roll_back
from registers.models import Risk
from registers.services import risk_archive, risk_restore, risk_update
from tests.audits.pack_helpers import add_file, make_evidence, requirement

pytestmark = pytest.mark.django_db


def as_of(moment, queryset=None):
    return {item.record.reference: item for item in records_as_of(queryset or Risk.objects.all(), moment)}


def test_roll_back_undoes_later_changes_newest_first():
    newer = Change(version=3, action="updated", changes=[{"field": "title", "old": "B", "new": "C"}])
    older = Change(version=2, action="updated", changes=[{"field": "title", "old": "A", "new": "B"},
                                                         {"field": "status", "old": "open", "new": "closed"}])  # fmt: skip
    values, version = roll_back({"title": "C", "status": "closed"}, [newer, older], 3)
    assert values == {"title": "A", "status": "open"}
    assert version == 1


def test_field_values_are_those_before_later_edits(make_risk, owner):
    risk = make_risk(title="Original title", treatment_plan="Plan one")
    before_edit = timezone.now()
    risk_update(
        risk, actor=owner, expected_version=1, fields={"title": "Edited title", "treatment_plan": "Plan two"}
    )

    then = as_of(before_edit)[risk.reference]
    now = as_of(None)[risk.reference]

    assert then.values["title"] == "Original title" and then.values["treatment_plan"] == "Plan one"
    assert then.version == 1
    assert now.values["title"] == "Edited title" and now.version == 2


def test_a_record_created_after_the_moment_is_left_out(make_risk):
    early = make_risk(title="Early")
    moment = timezone.now()
    late = make_risk(title="Late")

    found = as_of(moment)

    assert early.reference in found and late.reference not in found


def test_archived_before_the_moment_is_left_out_and_archived_after_is_kept(make_risk, owner):
    gone = make_risk(title="Archived early")
    kept = make_risk(title="Archived later")
    risk_archive(gone, actor=owner, expected_version=gone.version)
    moment = timezone.now()
    risk_archive(kept, actor=owner, expected_version=kept.version)

    found = as_of(moment)

    assert kept.reference in found, "it was live at the moment"
    assert gone.reference not in found
    assert as_of(None) == {}, "now, both are archived"


def test_restored_after_the_moment_is_still_out(make_risk, owner):
    risk = make_risk()
    risk = risk_archive(risk, actor=owner, expected_version=risk.version)
    moment = timezone.now()
    risk_restore(risk, actor=owner, expected_version=risk.version)

    assert risk.reference not in as_of(moment)
    assert risk.reference in as_of(None)


def test_requirement_links_are_those_of_the_moment(make_risk, owner):
    risk = make_risk()
    risk = risk_update(risk, actor=owner, expected_version=1, fields={}, requirements=[requirement("A.5.2")])
    moment = timezone.now()
    risk_update(
        risk, actor=owner, expected_version=risk.version, fields={}, requirements=[requirement("A.6.2.4")]
    )

    served = ["6.1.2", "6.1.3", "8.2", "8.3"]  # a risk's register serves these by its nature (Risk.serves)
    assert as_of(moment)[risk.reference].requirement_codes == [*served, "A.5.2"]
    assert as_of(None)[risk.reference].requirement_codes == [*served, "A.6.2.4"]


def test_a_moment_before_everything_finds_nothing(make_risk):
    make_risk()
    assert as_of(timezone.now() - dt.timedelta(days=1)) == {}


def test_the_evidence_file_current_at_the_moment_is_chosen(owner):
    evidence = make_evidence(owner, ["7.5.3"], b"version one", "policy.txt")
    moment = timezone.now()
    add_file(evidence, b"version two", "policy.txt", owner)

    assert files_as_of([evidence.pk], moment)[evidence.pk].number == 1
    assert files_as_of([evidence.pk], None)[evidence.pk].number == 2
    assert files_as_of([evidence.pk], moment - dt.timedelta(days=1)) == {}


def test_history_is_read_in_one_query_per_chunk(make_risk, owner, django_assert_max_num_queries):
    for n in range(12):
        risk = make_risk(title=f"Risk {n}")
        risk_update(risk, actor=owner, expected_version=1, fields={"title": f"Risk {n} edited"})
    moment = timezone.now() - dt.timedelta(seconds=0)
    # rows + their requirement links + later changes: per chunk, whatever the chunk holds
    with django_assert_max_num_queries(12):
        found = list(records_as_of(Risk.objects.all(), moment, chunk_size=100))
    assert len(found) == 12


def test_links_read_per_chunk_show_as_the_snapshot_history_keeps(make_risk, owner):
    """Many-to-many fields are read per chunk, not prefetched per record: codes for clauses and controls,
    names for linked records, sorted, exactly as aims.records.snapshot writes them into history."""
    from aims.records import snapshot
    from lifecycle.standard.ai_systems import services as systems

    fields = {"purpose": "Scores.", "kind": "ml", "origin": "in_house", "ai_role": "producer",
              "automation": "in_loop"}  # fmt: skip
    scoring = systems.create(actor=owner, fields={"title": "Scoring", **fields})
    chatbot = systems.create(actor=owner, fields={"title": "Chatbot", **fields})
    linked = make_risk(title="Linked to both")
    risk_update(linked, actor=owner, expected_version=1, fields={}, requirements=[requirement("A.5.2")])
    linked.systems.set([scoring, chatbot])
    bare = make_risk(title="Linked to nothing")
    Risk.requirements.through.objects.filter(risk=bare).delete()

    found = as_of(None)
    for risk in (linked, bare):
        values = dict(found[risk.reference].values)
        values.pop("archived_at")
        assert values == snapshot(Risk.objects.get(pk=risk.pk)), risk.title
    assert found[linked.reference].values["systems"] == f"{scoring}, {chatbot}"  # SYS-0001, SYS-0002
    assert found[linked.reference].values["requirements"] == "6.1.2, 6.1.3, 8.2, 8.3, A.5.2"
    assert found[bare.reference].values["requirements"] == found[bare.reference].values["systems"] == ""


def test_a_build_plans_its_cursors_for_every_row_then_leaves_the_connection_as_it_was(
    make_risk, auditor, tmp_path, monkeypatch
):
    from django.db import connection

    from audits.pack import content
    from tests.audits.pack_helpers import build

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW cursor_tuple_fraction")
            return cursor.fetchone()[0]

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    make_risk()
    before, during = setting(), []
    write_section = content.write_section
    monkeypatch.setattr(
        content, "write_section", lambda ctx, s: (during.append(setting()), write_section(ctx, s))
    )

    build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path)

    assert during == ["1"], "a pack reads every row of its queries: planned for all of them"
    assert setting() == before

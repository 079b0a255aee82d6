"""Loading the demo again changes nothing (the README's promise): whatever people did to the demo's records
since -- renamed, edited, archived, deleted, or added their own -- a second `manage.py seed_demo` neither
fails, nor makes anything twice, nor brings back what was deleted, nor undoes an edit (aims.demo).

The demo is loaded once for the module; each test changes it inside its own transaction, rolled back after."""

import io

import pytest
from django.core.management import call_command

from aims.models import Change, DemoRecord, User
from aims.registry import registry
from audits.models import Audit
from lifecycle.models import KPI, AISystem, Incident, ModelVersion
from registers.demo_names import CREDIT
from registers.models import Risk

pytestmark = pytest.mark.django_db


def seed_again() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    """How many records every register holds, archived ones included, and the people."""
    found = {info.model._meta.label: info.model.objects.count() for info in registry.registers}
    return {**found, "users": User.objects.count()}


def people() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=["manager", "board", "owner", "owner2"])}


def services_for(model):
    return registry.register_for(model).register.services


def rename(record, title, actor):
    return services_for(type(record)).update(
        record, actor=actor, expected_version=record.version, fields={"title": title}
    )


def test_a_second_run_creates_and_changes_nothing(demo):
    before, changes = counts(), Change.objects.count()
    out = seed_again()
    assert counts() == before
    assert Change.objects.count() == changes, "a second run writes no history: it changed nothing"
    assert "0 new users, 0 new risks, 0 new records" in out


def test_renamed_model_versions_are_not_made_again_nor_refused(demo):
    owner = people()["owner"]
    # Only renamed: matched by title, the demo made "Northbank Score 3.1" again and was refused ("SYS-0001
    # already has a model version 3.1"). Renamed and renumbered: it made a second 3.1.
    rename(ModelVersion.objects.get(title="Northbank Score 3.1"), "Score 3.1 (retrained)", owner)
    first = ModelVersion.objects.get(title="Northbank Score 3.0")
    first = services_for(ModelVersion).update(
        first,
        actor=owner,
        expected_version=first.version,
        fields={"title": "Score 3.0 (first v3)", "model_version": "3.0.1"},
    )
    before, changes = counts(), Change.objects.count()

    seed_again()

    assert counts() == before and Change.objects.count() == changes
    versions = ModelVersion.objects.order_by("released_on").values_list("title", "model_version")
    assert list(versions) == [("Score 3.0 (first v3)", "3.0.1"), ("Score 3.1 (retrained)", "3.1")]


def test_renamed_edited_archived_and_deleted_demo_records_stay_as_people_left_them(demo):
    who = people()
    # A risk renamed and rescored, another archived; an AI system renamed; an audit deleted.
    risk = Risk.objects.get(title__startswith="Postcode acts as a proxy")
    risk = services_for(Risk).update(
        risk,
        actor=risk.owner,
        expected_version=risk.version,
        fields={"title": "Postcode proxy for ethnicity", "residual_likelihood": 3},
    )
    archived = Risk.objects.get(title__startswith="GPU cluster failure")
    services_for(Risk).archive(archived, actor=who["manager"], expected_version=archived.version)
    system = rename(AISystem.objects.get(title=CREDIT), "Northbank Score", who["manager"])
    planned = Audit.objects.get(title="Competence, concerns and incident communication")
    planned.delete()
    kpi = KPI.objects.get(title="Fraud model precision")
    kpi.delete()
    incident = Incident.objects.get(title__startswith="Chatbot quoted another customer")
    incident = rename(incident, "Chatbot disclosed a repayment date", incident.owner)
    # The demo user "owner" now signs in under another name; "owner3" left and lost the role.
    User.objects.filter(username="owner").update(username="tom.becker")
    User.objects.get(username="owner3").groups.clear()
    before, changes = counts(), Change.objects.count()

    seed_again()

    assert counts() == before, "nothing made twice, nothing deleted brought back"
    assert Change.objects.count() == changes, "nothing edited back"
    risk.refresh_from_db()
    assert (risk.title, risk.residual_likelihood) == ("Postcode proxy for ethnicity", 3)
    assert not Risk.objects.filter(title__startswith="Postcode acts as a proxy").exists()
    archived.refresh_from_db()
    assert archived.archived_at is not None
    system.refresh_from_db()
    assert system.title == "Northbank Score" and not AISystem.objects.filter(title=CREDIT).exists()
    assert not Audit.objects.filter(title="Competence, concerns and incident communication").exists()
    assert not KPI.objects.filter(title="Fraud model precision").exists()
    assert not Incident.objects.filter(title__startswith="Chatbot quoted another customer").exists()
    assert not User.objects.filter(username="owner").exists()
    assert not User.objects.get(username="owner3").groups.exists()


def test_records_people_added_themselves_are_left_alone(demo, make_risk):
    who = people()
    own = make_risk(actor=who["owner2"], title="Chatbot answers in the wrong language")
    # Named like a demo system in text, as the demo's own risks were before the inventory linked them.
    named = make_risk(actor=who["owner2"], title="Fraud alerts at night", system_note="Fraud detection")
    before = counts()

    seed_again()

    assert counts() == before
    own.refresh_from_db()
    named.refresh_from_db()
    assert own.version == 1 and named.version == 1 and named.system_note == "Fraud detection"


def test_the_ledger_holds_each_demo_record_once_under_a_stable_key(demo):
    keys = list(DemoRecord.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    assert "lifecycle.modelversion:Northbank Score 3.1" in keys
    assert "registers.risk:Postcode acts as a proxy for ethnicity in credit scores" in keys
    version = ModelVersion.objects.get(title="Northbank Score 3.1")
    entry = DemoRecord.objects.get(key="lifecycle.modelversion:Northbank Score 3.1")
    assert (entry.content_type.model_class(), entry.object_id) == (ModelVersion, version.pk)


def test_a_demo_loaded_before_the_ledger_is_recognised_by_its_titles(demo):
    DemoRecord.objects.all().delete()  # as a database seeded by an earlier release holds none
    before = counts()

    seed_again()

    assert counts() == before
    postcode = Risk.objects.get(title__startswith="Postcode acts as a proxy")
    entry = DemoRecord.objects.get(key=f"registers.risk:{postcode.title}")
    assert entry.object_id == postcode.pk, "the demo's record is entered, so a later rename is recognised"

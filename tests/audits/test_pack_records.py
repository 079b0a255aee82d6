"""The pack follows the records: a record is in the folder of every clause it serves (its links and what
its register serves by nature), a whole-AIMS pack holds every register complete as of its date, and a
system's dossier in the pack is as of that date too."""

import csv
import io

import pytest
from django.utils import timezone

from aims.records import update_record
from audits.pack.content import CSV_COLUMNS, registers
from audits.pack.scope import safe_name
from lifecycle.standard.ai_systems import services as systems
from lifecycle.standard.incidents.services import draft_incident
from registers.models import Risk
from registers.standard.concerns import services as concerns
from tests.audits.pack_helpers import build, names, pdf_text, read, requirement

pytestmark = pytest.mark.django_db

SERVED = {
    "6.1.2": "clauses/6.1.2 AI risk assessment",
    "6.1.3": "clauses/6.1.3 AI risk treatment",
    "8.2": "clauses/8.2 AI risk assessment",
    "8.3": "clauses/8.3 AI risk treatment",
}
SYSTEM = {"title": "Credit scoring", "purpose": "Scores loan applications.", "kind": "ml",
          "origin": "in_house", "ai_role": "producer", "automation": "in_loop"}  # fmt: skip


def rows(path, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(read(path, name).decode("utf-8"))))


def test_a_new_risk_is_linked_to_the_clauses_its_register_serves(make_risk, owner):
    risk = make_risk()
    assert set(risk.requirements.values_list("code", flat=True)) == set(SERVED)
    risk = update_record(
        risk, actor=owner, expected_version=risk.version, fields={}, requirements=[requirement("A.5.2")]
    )
    assert set(risk.requirements.values_list("code", flat=True)) == {*SERVED, "A.5.2"}


def test_every_risk_is_in_the_folder_of_every_clause_it_serves(make_risk, auditor, tmp_path):
    risk = make_risk(title="Mapped to nothing by hand")
    older = make_risk(title="Saved before risks declared what they serve")
    Risk.requirements.through.objects.filter(risk=older).delete()  # as a risk saved then would be

    path, pack = build(
        auditor, {"requirements": [f"iso42001:{c}" for c in [*SERVED, "9.1"]]}, tmp_path=tmp_path
    )

    for folder in SERVED.values():
        found = {r["Reference"]: r["Clauses and controls"] for r in rows(path, f"{folder}/records.csv")}
        assert found == {
            risk.reference: "6.1.2, 6.1.3, 8.2, 8.3",
            older.reference: "6.1.2, 6.1.3, 8.2, 8.3",
        }, folder
    assert rows(path, "clauses/9.1 Monitoring, measurement, analysis and evaluation/records.csv") == []
    assert pack.record_count == 2, "a record in four folders is one record of the pack"


def test_a_whole_pack_holds_every_register_complete_as_of_its_date(make_risk, owner, other_owner, tmp_path):
    known = make_risk(title="Known at the date")
    hidden = concerns.create(actor=other_owner, fields={"title": "Chatbot gives loan advice",
                                                         "system_note": "Customer chatbot", "description": "It advised."})  # fmt: skip
    moment = timezone.now()
    later = make_risk(title="Raised after the date")

    path, _ = build(owner, {"whole": True}, as_of=moment, tmp_path=tmp_path)

    listed = set(names(path))
    for info in registers():
        folder = f"registers/{safe_name(info.label)}"
        assert {f"{folder}/records.csv", f"{folder}/records.json"} <= listed, info.label
        assert f"{folder}/records.pdf" not in listed
    table = read(path, "registers/AI risks/records.csv").decode("utf-8")
    assert next(csv.reader(io.StringIO(table))) == CSV_COLUMNS, "the same columns as the clause folders"
    risks = rows(path, "registers/AI risks/records.csv")
    assert [r["Reference"] for r in risks] == [known.reference], f"{later.reference} came after the date"
    # The register's row is the clause folder's row, word for word.
    assert risks == [
        r for r in rows(path, f"{SERVED['6.1.2']}/records.csv") if r["Reference"] == known.reference
    ]
    concern_refs = [r["Reference"] for r in rows(path, "registers/Concerns/records.csv")]
    assert hidden.reference not in concern_refs, "Olivia may not view a concern Oscar raised"


def test_a_system_dossier_in_a_pack_is_as_of_the_pack_date(owner, auditor, tmp_path):
    system = systems.create(actor=owner, fields=SYSTEM)
    early = draft_incident(actor=owner, system=system, title="Wrong score for a thin file",
                           description="A bad score.", severity="medium", drafted_from="test")  # fmt: skip
    moment = timezone.now()
    systems.update(
        system, actor=owner, expected_version=system.version, fields={"purpose": "Scores cards too."}
    )
    update_record(
        early, actor=owner, expected_version=early.version, fields={"title": "Renamed after the date"}
    )
    late = draft_incident(actor=owner, system=system, title="Raised after the date",
                          description="Later.", severity="low", drafted_from="test")  # fmt: skip

    path, _ = build(auditor, {"systems": [system.reference]}, as_of=moment, tmp_path=tmp_path)

    text = pdf_text(read(path, f"systems/{system.reference} Credit scoring/dossier.pdf"))
    assert f"System dossier {system.reference}" in text
    assert f"As of {timezone.localtime(moment):%Y-%m-%d %H:%M}." in text, "it states its date plainly"
    assert "Scores loan applications." in text and "Scores cards too." not in text
    assert f"{early.reference} Wrong score for a thin file" in text and "Renamed after the date" not in text
    assert late.reference not in text and "Raised after the date" not in text
    assert "AI incidents" in text and "1 record." in text

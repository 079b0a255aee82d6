"""What an evidence pack holds: folders per clause and control, records as CSV/JSON/PDF as of the date,
evidence files (directly mapped or through a crosswalk), AI system folders, and index.pdf."""

import csv
import io

import pytest
from django.utils import timezone

from aims.models import Crosswalk, Requirement, Standard
from aims.records import update_record
from audits.models import EvidenceLink
from audits.pack.content import PDF_ROWS
from lifecycle.dossier import KIND as _dossier  # noqa: F401  the dossier job is registered
from lifecycle.standard.ai_systems import services as systems
from lifecycle.standard.incidents.services import draft_incident
from registers.services import risk_update
from tests.audits.pack_helpers import (
    add_file,
    build,
    make_evidence,
    names,
    pdf_text,
    read,
    read_json,
    requirement,
)

pytestmark = pytest.mark.django_db

RISK_DIR = "clauses/6.1.2 AI risk assessment"
SYSTEM = {"title": "Credit scoring", "purpose": "Scores loan applications.", "kind": "ml",
          "origin": "in_house", "ai_role": "producer", "automation": "in_loop"}  # fmt: skip


def mapped_risk(make_risk, owner, code="A.5.2", **fields):
    """A risk mapped to a control; every risk is in 6.1.2, 6.1.3, 8.2 and 8.3 by its nature (Risk.serves)."""
    risk = make_risk(**fields)
    return risk_update(risk, actor=owner, expected_version=1, fields={}, requirements=[requirement(code)])


def csv_rows(path, name):
    return list(csv.DictReader(io.StringIO(read(path, name).decode("utf-8"))))


def test_folders_per_clause_and_control_hold_records_as_csv_json_and_pdf(make_risk, owner, auditor, tmp_path):
    risk = mapped_risk(make_risk, owner, title="Scores drift for thin-file applicants")
    path, pack = build(auditor, {"requirements": ["iso42001:6.1.2", "iso42001:A.6.2.4"]}, tmp_path=tmp_path)
    control = Requirement.objects.get(key="iso42001:A.6.2.4")
    control_dir = f"annex-a/A.6.2.4 {control.title}"

    listed = names(path)
    for name in ("records.csv", "records.json", "records.pdf"):
        assert f"{RISK_DIR}/{name}" in listed
    assert f"{control_dir}/records.csv" in listed and f"{control_dir}/records.json" in listed
    assert f"{control_dir}/records.pdf" not in listed, "an empty folder is a gap in index.pdf, not a PDF"
    assert {"index.pdf", "manifest.json", "manifest.sig"} <= set(listed)

    rows = csv_rows(path, f"{RISK_DIR}/records.csv")
    assert [
        (r["Register"], r["Reference"], r["Title"], r["Owner"], r["Clauses and controls"]) for r in rows
    ] == [
        (
            "AI risks",
            risk.reference,
            "Scores drift for thin-file applicants",
            "Olivia",
            "6.1.2, 6.1.3, 8.2, 8.3, A.5.2",
        )
    ]
    assert "Treatment plan: Reweigh training data" in rows[0]["Details"]
    [entry] = read_json(path, f"{RISK_DIR}/records.json")
    assert entry["model"] == "registers.risk" and entry["reference"] == risk.reference
    assert entry["version"] == 2 and entry["fields"]["Residual likelihood"] == "2"
    assert csv_rows(path, f"{control_dir}/records.csv") == [], "no record is mapped to the control"
    assert read_json(path, f"{control_dir}/records.json") == []
    assert f"{risk.reference} Scores drift for thin-file applicants" in pdf_text(
        read(path, f"{RISK_DIR}/records.pdf")
    )
    assert pack.file_count == len(listed) - 2 and pack.record_count == 1


def test_a_pack_as_of_a_date_shows_records_as_they_were_then(make_risk, owner, auditor, tmp_path):
    risk = mapped_risk(make_risk, owner, title="Old wording")
    moment = timezone.now()
    risk_update(risk, actor=owner, expected_version=risk.version, fields={"title": "New wording"})
    mapped_risk(make_risk, owner, title="Raised after the date")

    path, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, as_of=moment, tmp_path=tmp_path)

    rows = csv_rows(path, f"{RISK_DIR}/records.csv")
    assert [(r["Reference"], r["Title"], r["Version"]) for r in rows] == [
        (risk.reference, "Old wording", "2")
    ]


def test_evidence_files_current_at_the_date_go_under_evidence(owner, auditor, tmp_path):
    evidence = make_evidence(owner, ["6.1.2"], b"workshop minutes v1\n", "minutes.txt")
    moment = timezone.now()
    add_file(evidence, b"workshop minutes v2\n", "minutes.txt", owner)
    expired = make_evidence(
        owner, ["6.1.2"], b"old", "old.txt", valid_until=timezone.localdate().replace(year=2020)
    )

    then, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, as_of=moment, tmp_path=tmp_path / "a")
    now, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path / "b")

    name = f"{RISK_DIR}/evidence/{evidence.reference} minutes.txt"
    assert read(then, name) == b"workshop minutes v1\n"
    assert read(now, name) == b"workshop minutes v2\n"
    assert not any(expired.reference in n for n in names(now)), "expired evidence no longer counts"
    source = next(f for f in read_json(now, "manifest.json")["files"] if f["path"] == name)["source"]
    assert source == {"kind": "evidence", "model": "audits.evidence", "reference": evidence.reference,
                      "file_number": 2, "file_sha256": source["file_sha256"]}  # fmt: skip


@pytest.fixture
def nist(db):
    standard = Standard.objects.create(
        key="nist-ai-rmf", name="NIST AI RMF", title="AI Risk Management Framework"
    )
    return Requirement.objects.create(
        standard=standard, key="nist-ai-rmf:MAP 1.1", code="MAP 1.1", kind="requirement",
        title="Context is established", position=1,
    )  # fmt: skip


def test_another_standard_indexes_the_pack_through_crosswalks(nist, make_risk, owner, auditor, tmp_path):
    Crosswalk.objects.create(source=requirement("6.1.2"), target=nist, strength="related")
    risk = mapped_risk(make_risk, owner)
    evidence = make_evidence(owner, ["6.1.2"], b"minutes", "minutes.txt")

    path, _ = build(
        auditor, {"standard": "nist-ai-rmf", "requirements": ["nist-ai-rmf:MAP 1.1"]}, tmp_path=tmp_path
    )

    folder = "nist-ai-rmf/MAP 1.1 Context is established"
    listed = [r["Reference"] for r in csv_rows(path, f"{folder}/records.csv")]
    assert sorted(listed) == sorted([risk.reference, evidence.reference])  # the evidence's own row too
    assert f"{folder}/evidence/{evidence.reference} minutes.txt" in names(path)


def test_evidence_mapped_to_a_crosswalked_requirement_joins_the_42001_folder(nist, owner, auditor, tmp_path):
    Crosswalk.objects.create(source=requirement("6.1.2"), target=nist, strength="related")
    evidence = make_evidence(owner, [], b"rmf map", "map.txt")
    evidence.requirements.set([nist])  # mapped to NIST only

    path, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path)

    assert read(path, f"{RISK_DIR}/evidence/{evidence.reference} map.txt") == b"rmf map"


def test_each_ai_system_has_a_dossier_folder_with_its_records(make_risk, owner, auditor, tmp_path):
    system = systems.create(actor=owner, fields=SYSTEM)
    risk = make_risk(systems=[system])
    incident = draft_incident(actor=owner, system=system, title="Wrong score", description="A bad score.",
                              severity="medium", drafted_from="test")  # fmt: skip
    make_risk(system_note="Another system")
    attached = make_evidence(owner, [], b"model card\n", "model-card.txt")
    EvidenceLink.objects.create(evidence=attached, record=system, linked_by=owner)

    path, _ = build(auditor, {"systems": [system.reference]}, tmp_path=tmp_path)

    folder = f"systems/{system.reference} Credit scoring"
    refs = {r["Reference"] for r in csv_rows(path, f"{folder}/records.csv")}
    assert refs == {system.reference, risk.reference, incident.reference}
    assert f"System dossier {system.reference}" in pdf_text(read(path, f"{folder}/dossier.pdf"))
    assert read(path, f"{folder}/evidence/{attached.reference} model-card.txt") == b"model card\n"
    assert not any(n.startswith("clauses/") for n in names(path)), "no clause was chosen"


def test_index_pdf_names_scope_date_exporter_soa_counts_and_gaps(make_risk, owner, auditor, tmp_path):
    mapped_risk(make_risk, owner)
    make_evidence(owner, ["6.1.2"])
    path, _ = build(auditor, {"requirements": ["iso42001:6.1.2", "iso42001:A.6.2.4"]}, tmp_path=tmp_path)

    text = pdf_text(read(path, "index.pdf"))
    assert "Evidence pack" in text and "Exported by Audrey" in text
    assert "2 clause(s) and control(s): 6.1.2, A.6.2.4" in text
    assert "Statement of Applicability" in text
    assert "6.1.2 AI risk assessment" in text and "1 empty" in text and "Empty: nothing mapped" in text
    assert read_json(path, "manifest.json")["pack"]["counts"]["folders"]["empty"] == ["A.6.2.4"]
    # Certification readiness per clause, with its gaps: nothing is planned for 9.2.2 in this database.
    assert "Certification readiness" in text and "% ready" in text
    assert "9.2.2 Internal audit programme and audit results" in text
    assert "No internal audit programme has been planned." in text


def test_the_whole_aims_has_a_folder_for_every_clause_and_control(auditor, tmp_path, settings):
    path, _ = build(auditor, {"whole": True}, tmp_path=tmp_path)
    folders = {
        n.rsplit("/", 1)[0]
        for n in names(path)
        if n.endswith("records.csv") and not n.startswith(("systems/", "registers/"))
    }
    mappable = Requirement.objects.filter(standard__key="iso42001", kind__in=Requirement.MAPPABLE).count()
    assert len(folders) == mappable
    assert sum(f.startswith("annex-a/") for f in folders) == 38


def test_the_pdf_shows_the_first_records_and_the_csv_all_of_them(make_risk, owner, auditor, tmp_path):
    from registers.models import Risk

    make_risk()
    template = Risk.objects.get()
    for n in range(PDF_ROWS + 2):  # copies, quicker than the service; links set directly
        template.pk, template.reference = None, f"RSK-9{n:03d}"
        template.save()
        template.requirements.set([requirement("6.1.2")])
    path, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path)

    # The copies, and the first risk: in 6.1.2 by its nature, unmapped as it is.
    assert len(csv_rows(path, f"{RISK_DIR}/records.csv")) == PDF_ROWS + 3
    text = pdf_text(read(path, f"{RISK_DIR}/records.pdf"))
    assert f"the first {PDF_ROWS} shown here; records.csv and records.json hold all {PDF_ROWS + 3}" in text


def test_index_pdf_summarises_the_soa_as_it_stood_then(owner, auditor, tmp_path):
    from lifecycle.models import SoAEntry
    from lifecycle.standard import soa

    statement = soa.services.create(
        actor=owner, fields={"title": "SoA 2026", "introduction": "Retail lending."}
    )
    soa.create_entries(statement, actor=owner, expected_version=statement.version)
    moment = timezone.now()
    entry = SoAEntry.objects.order_by("reference").first()
    update_record(
        entry, actor=owner, expected_version=entry.version, fields={"implementation": "implemented"}
    )

    then, _ = build(auditor, {"requirements": ["iso42001:6.1.3"]}, as_of=moment, tmp_path=tmp_path / "then")
    now, _ = build(auditor, {"requirements": ["iso42001:6.1.3"]}, tmp_path=tmp_path / "now")

    then_text, now_text = pdf_text(read(then, "index.pdf")), pdf_text(read(now, "index.pdf"))
    assert "SoA 2026 Draft" in then_text and "38 SoA entries: 38 applicable" in then_text
    assert "Planned 38" in then_text and "Implemented" not in then_text
    assert "Implemented 1" in now_text and "Planned 37" in now_text
    assert "Indexed by ISO/IEC 42001" in now_text

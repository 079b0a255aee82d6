"""Every count in index.pdf agrees with every other and with the manifest: read back as text with
pdftotext, the cover's contents and readiness, the index's per-folder counts and totals, the system and
register tables and the readiness gaps are checked against each other and against what the pack holds."""

import re
import shutil
import subprocess
from collections import Counter

import pytest

from audits.models import EvidenceLink
from audits.pack import signing
from lifecycle.standard.ai_systems import services as systems
from lifecycle.standard.incidents.services import draft_incident
from registers.services import risk_update
from tests.audits.pack_helpers import build, make_evidence, read, read_json, requirement

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)"),
]

SYSTEM = {"title": "Credit scoring", "purpose": "Scores loan applications.", "kind": "ml",
          "origin": "in_house", "ai_role": "producer", "automation": "in_loop"}  # fmt: skip


def pdftotext(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")


def one(pattern: str, text: str) -> tuple:
    found = re.findall(pattern, text)
    assert len(found) == 1, (pattern, found)
    return found[0]


@pytest.fixture
def pack(owner, auditor, make_risk, tmp_path):
    system = systems.create(actor=owner, fields=SYSTEM)
    risk = make_risk(systems=[system])
    risk_update(
        risk, actor=owner, expected_version=risk.version, fields={}, requirements=[requirement("A.5.2")]
    )
    make_risk(title="Another risk of the system", systems=[system])
    draft_incident(actor=owner, system=system, title="Wrong score", description="A bad score.",
                   severity="medium", drafted_from="test")  # fmt: skip
    make_evidence(owner, ["6.1.2", "A.5.2"], b"risk workshop minutes\n", "minutes.txt")
    card = make_evidence(owner, [], b"model card\n", "model-card.txt")
    EvidenceLink.objects.create(evidence=card, record=system, linked_by=owner)
    path, pack = build(auditor, {"whole": True}, tmp_path=tmp_path)
    return path, pack


def test_every_count_in_index_pdf_agrees_with_the_others_and_the_manifest(pack):
    path, row = pack
    manifest = read_json(path, "manifest.json")
    counts = manifest["pack"]["counts"]
    files = [f["path"] for f in manifest["files"]]
    records = {
        f["path"]: f["source"]["records"] for f in manifest["files"] if f["path"].endswith("records.csv")
    }
    text = pdftotext(read(path, "index.pdf"))
    flat = " ".join(text.split())

    def evidence_in(folder: str) -> int:
        return sum(1 for f in files if f.startswith(f"{folder}/evidence/"))

    # The cover.
    folders, empty, rows_, evidence, system_folders, register_count, register_records, distinct = map(int, one(
        r"(\d+) clause and control folders \((\d+) empty: nothing mapped at that date\), holding (\d+) record "
        r"rows? and (\d+) evidence files?; (\d+) AI system folders?; (\d+) complete registers under registers/ "
        r"\((\d+) records?\)\. (\d+) distinct records? in all", flat))  # fmt: skip
    percent, _day, gaps, missing, partial = one(
        r"(\d+)% ready on (\S+); (\d+) readiness gaps? \((\d+) missing, (\d+) partly met\)", flat
    )
    assert (folders, empty) == (counts["folders"]["count"], len(counts["folders"]["empty"]))
    assert (rows_, evidence) == (counts["folders"]["records"], counts["folders"]["evidence_files"])
    assert (system_folders, register_count) == (counts["systems"]["count"], counts["registers"]["count"])
    assert (
        register_records
        == counts["registers"]["records"]
        == distinct
        == counts["records"]
        == row.record_count
    )
    readiness = counts["readiness"]
    assert (int(percent), int(gaps), int(missing), int(partial)) == (
        readiness["percent"],
        readiness["gaps"],
        readiness["missing"],
        readiness["partial"],
    )
    assert readiness["gaps"] == readiness["missing"] + readiness["partial"] > 0

    # The index: one line per folder, its counts those of the files in the folder.
    assert one(r"(\d+) folders? in scope; (\d+) empty", flat) == (str(folders), str(empty))
    lines = re.findall(r"\s((?:clauses|annex-a)/\S+) .*?\s(\d+)\s+(\d+)\s+(—|Empty:.*?)\s*$", text, re.M)
    assert len(lines) == folders
    by_code = {folder: (int(n), int(e), mark != "—") for folder, n, e, mark in lines}
    for folder, (n, e, is_empty) in by_code.items():
        full = next(p.rsplit("/", 1)[0] for p in records if p.startswith(f"{folder} "))
        assert n == records[f"{full}/records.csv"], full
        assert e == evidence_in(full), full
        assert (
            is_empty
            == (n == 0 and e == 0)
            == (full.split("/", 1)[1].split(" ")[0] in counts["folders"]["empty"])
        )
    assert sum(n for n, _, _ in by_code.values()) == rows_
    assert sum(e for _, e, _ in by_code.values()) == evidence
    assert sum(1 for *_, is_empty in by_code.values() if is_empty) == empty
    assert one(r"Total\s+(\d+) folders?\s+(\d+)\s+(\d+)\s+(\d+) empty", text) == tuple(
        map(str, (folders, rows_, evidence, empty))
    )
    assert 0 < empty < folders and rows_ > 0 and evidence > 0, "the data exercises every kind of count"

    # AI system folders and registers.
    systems_rows = re.findall(r"(SYS-\d+) .*?systems/.*?\s(\d+)\s+(\d+)\s*$", text, re.M)
    assert len(systems_rows) == system_folders == 1
    [(reference, n, e)] = systems_rows
    folder = next(p.rsplit("/", 1)[0] for p in records if p.startswith(f"systems/{reference} "))
    assert (
        (int(n), int(e)) == (records[f"{folder}/records.csv"], evidence_in(folder)) == (4, 1)
    )  # the system, two risks, an incident
    register_rows = re.findall(r"\s(registers/\S.*?)/\s+(\d+)\s*$", text, re.M)
    assert len(register_rows) == register_count
    for folder, n in register_rows:
        assert int(n) == records[f"{folder}/records.csv"], folder
    assert sum(int(n) for _, n in register_rows) == register_records
    assert one(r"Total\s+(\d+) registers?\s+(\d+)", text) == (str(register_count), str(register_records))
    everyone = Counter((e["model"], e["reference"]) for p in records if p.startswith("registers/")
                       for e in read_json(path, p.replace(".csv", ".json")))  # fmt: skip
    assert len(everyone) == distinct and max(everyone.values()) == 1

    # Readiness: the section's figures and its list of gaps.
    met, partly, missing_ = one(r"Overall \d+% ready: (\d+) met, (\d+) partly met, (\d+) missing", flat)
    assert (int(partly), int(missing_)) == (readiness["partial"], readiness["missing"]) and int(
        met
    ) == readiness["met"]
    heading = one(r"Readiness gaps: (\d+) checks? not met \((\d+) missing, (\d+) partly met\)", flat)
    assert heading == (gaps, missing, partial)
    listed = text.split("Readiness gaps:", 1)[1]
    assert len(re.findall(r"\s(?:Missing|Partly)\s{2,}", listed)) == int(gaps)
    assert " 0 gaps" not in flat


def test_index_pdf_prints_the_signing_key_s_fingerprint_and_where_it_is_published(pack):
    path, row = pack
    key = signing.signing_key()
    flat = " ".join(pdftotext(read(path, "index.pdf")).split())
    assert (
        f"Ed25519 signature of manifest.json's exact bytes by the key with SHA-256 fingerprint {key.fingerprint}"
        in flat
    )
    assert "/.well-known/aims-pack-signing-keys" in flat
    assert (
        row.signing_key == key.fingerprint == read_json(path, "manifest.json")["signature"]["key_fingerprint"]
    )


def test_index_pdf_laid_out_in_parts_reads_as_one_document(owner, auditor, make_risk, tmp_path, monkeypatch):
    """With CPUs to spare, each section of index.pdf is laid out at once in a part of its own: the
    pages, their numbers and the outline are those of the index laid out whole."""
    import io

    from pypdf import PdfReader

    from audits.pack import index

    make_risk(title="A risk in the index")
    make_evidence(owner, ["6.1.2"], b"risk workshop minutes\n", "minutes.txt")
    laid_out, handed = {}, []
    in_parts = index.html_parts_to_pdf

    def spy(parts, *args, **kwargs):
        handed.append(len(parts))
        return in_parts(parts, *args, **kwargs)

    monkeypatch.setattr(index, "html_parts_to_pdf", spy)
    for processes in (1, 2):
        monkeypatch.setattr(index, "pdf_processes", lambda processes=processes: processes)
        path, _ = build(auditor, {"whole": True}, tmp_path=tmp_path / str(processes))
        laid_out[processes] = read(path, "index.pdf")
    assert handed == [2]  # whole on one CPU; in two parts on two
    whole, parted = (PdfReader(io.BytesIO(laid_out[n])) for n in (1, 2))

    def outline(reader):
        def walk(items, depth):
            for item in items:
                yield from walk(item, depth + 1) if isinstance(item, list) else [(depth, item.title)]

        return list(walk(reader.outline, 0))

    assert len(parted.pages) == len(whole.pages) >= 3
    assert outline(parted) == outline(whole)
    sections = ["Statement of Applicability", "Index by clause and control", "Certification readiness"]
    assert [title for level, title in outline(parted) if title in sections] == sections
    pages = pdftotext(laid_out[2]).split("\f")[:-1]
    assert "Evidence pack" in pages[0] and sum("Checking the pack" in page for page in pages) == 1
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page


def test_index_sections_go_in_runs_of_about_the_same_length_in_order():
    from audits.pack.index import IndexSection, in_parts

    # As the index is today: a short SoA summary, then two long sections.
    sections = [IndexSection(title, "x" * size) for title, size in (("a", 100), ("b", 16000), ("c", 14000))]
    assert in_parts(sections, 1) == [sections]
    assert in_parts(sections, 2) == [sections[:2], sections[2:]]
    assert in_parts(sections[:1], 4) == [sections[:1]] and in_parts([], 2) == [[]]
    # A run closes once it holds its share; never more runs than parts.
    even = [IndexSection(str(n), "x" * 1000) for n in range(4)]
    assert in_parts(even, 2) == [even[:2], even[2:]]
    assert in_parts(even, 4) == [[section] for section in even]
    assert in_parts(even, 3) == [even[:2], even[2:3], even[3:]]

"""PDFs laid out by worker processes while the pack is written (audits.pack.pipeline): the pack is the
one a build laying them out in turn makes, entry for entry and byte for byte, it verifies with the public
key, and it names every record. The queue keeps pack order whichever PDF is ready first, and a worker
that dies costs nothing but time."""

import json
import os
import zipfile
from concurrent.futures import ProcessPoolExecutor

import pytest
from django.utils import timezone

from aims.pdf import html_to_pdf
from audits.pack import pipeline, signing
from audits.pack.build import build_pack
from audits.pack.verify import verify_pack
from audits.pack.writer import PackWriter
from lifecycle.standard.ai_systems import services as systems
from lifecycle.standard.incidents.services import draft_incident
from registers.models import Risk
from registers.services import risk_update
from tests.audits.pack_helpers import make_evidence, new_pack, pdf_text, requirement

pytestmark = pytest.mark.django_db

SYSTEM = {"title": "Credit scoring", "purpose": "Scores loan applications.", "kind": "ml",
          "origin": "in_house", "ai_role": "producer", "automation": "in_loop"}  # fmt: skip


class CountingPool(ProcessPoolExecutor):
    """The pool the pipeline starts, counting the PDFs handed to it."""

    submitted = 0

    def submit(self, *args, **kwargs):
        CountingPool.submitted += 1
        return super().submit(*args, **kwargs)


def entries(path) -> list[tuple[str, int, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(i.filename, i.compress_type, archive.read(i)) for i in archive.infolist()]


@pytest.fixture
def aims(make_risk, owner):
    """Records in several registers and folders, evidence of both kinds, and a system with a dossier."""
    system = systems.create(actor=owner, fields=SYSTEM)  # in the AIMS scope: a whole pack has its folder
    draft_incident(actor=owner, system=system, title="Wrong score for a thin file", description="A bad score.",
                   severity="medium", drafted_from="test")  # fmt: skip
    for n in range(12):
        risk = make_risk(title=f"Risk number {n}")
        risk_update(risk, actor=owner, expected_version=1, fields={}, requirements=[requirement("A.5.2")])
    make_evidence(owner, ["6.1.2"], b"minutes of the risk workshop\n" * 2_000, "minutes.txt")
    make_evidence(owner, ["A.5.2"], b"%PDF-1.7\n" + os.urandom(200_000), "scan.pdf")
    return system


def test_workers_make_the_pack_a_serial_build_makes(aims, auditor, tmp_path, monkeypatch):
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)  # the footers' "generated", the manifest's date
    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", CountingPool)
    CountingPool.submitted = 0
    monkeypatch.setattr(pipeline, "LOOKAHEAD", 1)  # the build waits on its workers often, not only at the end
    pack = new_pack(auditor, {"whole": True}, as_of=moment)

    serial = build_pack(pack, tmp_path / "serial.zip", workers=0)
    assert CountingPool.submitted == 0
    parallel = build_pack(pack, tmp_path / "parallel.zip", workers=2)

    assert parallel == serial, "the same files, records and manifest hash"
    made, expected = entries(tmp_path / "parallel.zip"), entries(tmp_path / "serial.zip")
    laid_out = [name for name, _, _ in made if name.endswith(("/records.pdf", "/dossier.pdf"))]
    assert CountingPool.submitted == len(laid_out) > 5, "every folder's PDF went to the workers"
    assert [name for name, _, _ in made] == [name for name, _, _ in expected], "in the same order"
    assert made == expected, "byte for byte, each stored or deflated alike"
    assert verify_pack(tmp_path / "parallel.zip", [signing.signing_key().public]).ok

    # It names every record: each in the registers/ folders, and in the folder PDFs that show them.
    files = dict((name, data) for name, _, data in made)
    listed = {
        (entry["model"], entry["reference"])
        for name, data in files.items()
        if name.startswith("registers/") and name.endswith("/records.json")
        for entry in json.loads(data)
    }
    assert {("registers.risk", r) for r in Risk.objects.values_list("reference", flat=True)} <= listed
    assert ("lifecycle.aisystem", aims.reference) in listed
    text = pdf_text(files["clauses/6.1.2 AI risk assessment/records.pdf"])
    assert all(f"{risk.reference} {risk.title}" in text for risk in Risk.objects.all())
    dossier = pdf_text(files[f"systems/{aims.reference} Credit scoring/dossier.pdf"])
    assert "Wrong score for a thin file" in dossier


def test_entries_are_written_in_the_order_queued_whichever_pdf_is_ready_first(tmp_path):
    long = "<h1>Long</h1>" + "<p>A paragraph of a long report, laid out line by line.</p>" * 400
    writer = PackWriter(tmp_path / "pack.zip")
    pipe = pipeline.Pipeline(writer, workers=2, lookahead=2)
    written_before_step = []
    pipe.add_pdf("a/long.pdf", long)  # laid out last of all
    for n in range(4):
        spool = open(tmp_path / f"spool-{n}", "w+b")  # noqa: SIM115  closed by the pipe once written
        spool.write(f"spool {n}\n".encode())
        pipe.add_spool(f"a/{n}.txt", spool)
        pipe.add_pdf(f"a/short-{n}.pdf", f"<p>Short {n}</p>")
    pipe.then(lambda: written_before_step.append(writer.file_count))
    pipe.add_pdf("b/last.pdf", "<p>Last</p>")
    pipe.finish()
    writer.finish({"test": True}, signing.signing_key())

    with zipfile.ZipFile(tmp_path / "pack.zip") as archive:
        order = archive.namelist()
        assert archive.read("a/long.pdf") == html_to_pdf(long)
        assert archive.read("a/2.txt") == b"spool 2\n"
    queued = [name for n in range(4) for name in (f"a/{n}.txt", f"a/short-{n}.pdf")]
    assert order == ["a/long.pdf", *queued, "b/last.pdf", "manifest.json", "manifest.sig"]
    assert written_before_step == [9], "a step runs once every entry queued before it is written"
    assert verify_pack(tmp_path / "pack.zip").ok


def crash_in_a_worker(html: str) -> bytes:
    if os.getpid() != crash_in_a_worker.parent:
        os._exit(1)  # as a worker killed for its memory would
    return html_to_pdf(html)


def test_a_worker_that_dies_costs_time_not_the_pack(aims, auditor, tmp_path, monkeypatch):
    crash_in_a_worker.parent = os.getpid()
    monkeypatch.setattr(pipeline, "html_to_pdf", crash_in_a_worker)
    pack = new_pack(auditor, {"requirements": ["iso42001:6.1.2", "iso42001:A.5.2"]})

    recorded = build_pack(pack, tmp_path / "pack.zip", workers=2)

    path = tmp_path / "pack.zip"
    assert verify_pack(path).ok and recorded["record_count"] == 14  # 12 risks and 2 pieces of evidence
    with zipfile.ZipFile(path) as archive:
        for folder in (
            "clauses/6.1.2 AI risk assessment",
            "annex-a/A.5.2 AI system impact assessment process",
        ):
            assert "Risk number 11" in pdf_text(archive.read(f"{folder}/records.pdf")), folder


def test_a_daemonic_process_hands_its_pdfs_to_billiard_workers(aims, auditor, tmp_path, monkeypatch):
    """A Celery prefork pool's child is daemonic, and Python's multiprocessing lets no daemonic process
    start children; Celery's billiard does. The pack is the one a serial build makes."""
    import multiprocessing

    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    submitted = []
    submit = pipeline.DaemonicPool.submit
    monkeypatch.setattr(
        pipeline.DaemonicPool, "submit", lambda pool, *a: (submitted.append(a), submit(pool, *a))[1]
    )
    pack = new_pack(auditor, {"requirements": ["iso42001:6.1.2", "iso42001:A.5.2"]}, as_of=moment)

    serial = build_pack(pack, tmp_path / "serial.zip", workers=0)
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)
    daemonic = build_pack(pack, tmp_path / "daemonic.zip", workers=2)

    assert len(submitted) == 2, "both folders' records.pdf went to billiard's workers"
    assert daemonic == serial and entries(tmp_path / "daemonic.zip") == entries(tmp_path / "serial.zip")

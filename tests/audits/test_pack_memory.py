"""Memory stays flat whatever the pack holds: the ZIP is written to disk entry by entry, records are read
in chunks and files streamed (tracemalloc peak, 50 records and 5 files against 500 and 50 plus one large
file). The PDF of a folder shows a bounded number of rows by design, and records are held a chunk at a
time, so both are kept small here: each size then spans several chunks, as a real register does."""

import tracemalloc

import pytest

from aims.models import Change
from audits.pack import as_of, content
from registers.models import Risk
from tests.audits.pack_helpers import build, make_evidence, read_json, requirement

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CLAUSES = ["6.1.2", "6.1.3", "8.2", "8.3", "9.1"]


def add_risks(template: Risk, count: int, start: int) -> None:
    """Copies of a risk made through the service, in bulk, each with its creation in history."""
    rows = []
    for n in range(start, start + count):
        copy = Risk.objects.get(pk=template.pk)
        copy.pk, copy.reference, copy.title = None, f"RSK-{n:05d}", f"Bulk risk {n}"
        rows.append(copy)
    made = Risk.objects.bulk_create(rows)
    through = Risk.requirements.through
    links = [requirement(CLAUSES[r.pk % len(CLAUSES)]) for r in made]
    through.objects.bulk_create(
        through(risk_id=r.pk, requirement_id=q.pk) for r, q in zip(made, links, strict=True)
    )
    template_change = Change.objects.filter(object_id=template.pk).first()
    Change.objects.bulk_create(
        Change(content_type_id=template_change.content_type_id, object_id=r.pk, version=1, action="created",
               changes=template_change.changes, actor_id=template.owner_id)
        for r in made
    )  # fmt: skip


def peak_of(user, tmp_path) -> tuple[int, dict]:
    tracemalloc.start()
    try:
        path, pack = build(user, {"requirements": [f"iso42001:{c}" for c in CLAUSES]}, tmp_path=tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, {"records": pack.record_count, "files": len(read_json(path, "manifest.json")["files"])}


def test_peak_memory_does_not_grow_with_records_and_files(make_risk, owner, auditor, tmp_path, monkeypatch):
    monkeypatch.setattr(content, "PDF_ROWS", 5)
    monkeypatch.setattr(as_of, "CHUNK_SIZE", 25)
    from registers.services import risk_update

    template = risk_update(
        make_risk(), actor=owner, expected_version=1, fields={}, requirements=[requirement("6.1.2")]
    )
    build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path / "warm-up")  # caches, fonts

    add_risks(template, 49, 1)
    for n in range(5):
        make_evidence(owner, [CLAUSES[n % 5]], (chr(65 + n % 26) * 100_000).encode(), f"file-{n}.txt")
    small, small_counts = peak_of(auditor, tmp_path / "small")

    add_risks(template, 450, 100)
    for n in range(5, 50):
        make_evidence(owner, [CLAUSES[n % 5]], (chr(65 + n % 26) * 100_000).encode(), f"file-{n}.txt")
    make_evidence(owner, ["6.1.2"], b"large evidence\n" * 600_000, "large.txt")  # 9 MB
    large, large_counts = peak_of(auditor, tmp_path / "large")

    print(f"peak: {small:,} bytes small, {large:,} bytes large")
    # Records are the risks plus each piece of evidence's own row (the evidence library is a register).
    assert small_counts["records"] == 50 + 5 and large_counts["records"] == 500 + 51
    assert large_counts["files"] - small_counts["files"] == 46
    # Holding the large file alone would add 9 MB; holding 450 more records and 45 files several more.
    # The bound leaves room for WeasyPrint's run-to-run spread in drawing index.pdf (about 3 MB either way)
    # and for the index's per-register and per-folder tables, which grow by a row per folder, not per record
    # (growth measured 3.7 MB alone, 6.1 MB on a loaded machine).
    assert large < small + 8_000_000, f"peak grew from {small:,} to {large:,} bytes"

"""The evidence pack measurement of `manage.py bench` (--only pack): a whole-AIMS pack over 10,000
records and 2,000 evidence files of 20-200 KB (half compressible text, half incompressible bytes), timed
against plain `zip -r` on the same files, with the peak memory of the build.

Volume data is made once per database (bulk, tagged "bench-pack") and reused by later runs."""

import os
import random
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from aims.bench import verdict
from aims.models import Change, Job, Requirement

TAG = "bench-pack"
WORDS = (
    "risk model data bias owner review control evidence audit system impact assessment lifecycle "
    "deployment monitoring incident supplier training policy objective measure treatment residual"
).split()


def _text(rng: random.Random, size: int) -> bytes:
    out, total = [], 0
    while total < size:
        line = " ".join(rng.choices(WORDS, k=12)) + "\n"
        out.append(line)
        total += len(line)
    return "".join(out).encode()[:size]


def ensure_data(records: int, files: int, owner, stdout) -> list[Path]:
    """Risks and evidence for the pack, made in bulk the first time; returns the evidence file paths."""
    from audits.models import Evidence, EvidenceFile
    from registers.models import Risk, RiskCategory

    requirements = list(Requirement.objects.filter(standard__key="iso42001", kind__in=Requirement.MAPPABLE))
    have = Risk.objects.filter(title__startswith=TAG).count()
    if have < records:
        stdout.write(f"bench pack: making {records - have:,} risks")
        category = RiskCategory.objects.first()
        made = Risk.objects.bulk_create(
            Risk(reference=f"BPR-{n:06d}", title=f"{TAG} risk {n}", owner=owner, created_by=owner, updated_by=owner,
                 description="Volume risk for the evidence pack benchmark.", system_note=f"System {n % 50}",
                 category=category, inherent_likelihood=3, inherent_impact=3, residual_likelihood=2,
                 residual_impact=2, treatment="mitigate", treatment_plan="Monthly check.")
            for n in range(have, records)
        )  # fmt: skip
        _link_and_log(Risk, made, requirements, owner)
    have = Evidence.objects.filter(title__startswith=TAG).count()
    if have < files:
        stdout.write(f"bench pack: making {files - have:,} evidence files of 20-200 KB")
        rng = random.Random(42 + have)
        made = Evidence.objects.bulk_create(
            Evidence(reference=f"BPE-{n:06d}", title=f"{TAG} evidence {n}", owner=owner, created_by=owner,
                     updated_by=owner)
            for n in range(have, files)
        )  # fmt: skip
        _link_and_log(Evidence, made, requirements, owner)
        folder = Path(settings.PRIVATE_MEDIA_ROOT) / "uploads" / "bench-pack"
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for evidence in made:
            size = rng.randint(20_000, 200_000)
            text = evidence.pk % 2 == 0
            data = _text(rng, size) if text else os.urandom(size)
            name = f"{evidence.reference}.{'txt' if text else 'bin'}"
            (folder / name).write_bytes(data)
            rows.append(EvidenceFile(evidence=evidence, number=1, file=f"uploads/bench-pack/{name}", file_name=name,
                                     sha256="", size=size, uploaded_by=owner))  # fmt: skip
        EvidenceFile.objects.bulk_create(rows)
        for row in rows:
            Evidence.objects.filter(pk=row.evidence_id).update(
                file=row.file, file_name=row.file_name, file_size=row.size
            )
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    paths = []
    rng = random.Random(files)
    for name, size in EvidenceFile.objects.filter(evidence__title__startswith=TAG).values_list(
        "file", "size"
    ):
        path = root / name
        if not path.exists():  # the rows outlived their files (another private folder): write them again
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_text(rng, size) if name.endswith(".txt") else os.urandom(size))
        paths.append(path)
    return paths


def _link_and_log(model, made, requirements, owner) -> None:
    through = model.requirements.through
    column = f"{model._meta.model_name}_id"
    through.objects.bulk_create(
        through(**{column: r.pk, "requirement_id": requirements[r.pk % len(requirements)].pk}) for r in made
    )
    content_type = ContentType.objects.get_for_model(model)
    Change.objects.bulk_create(
        Change(
            content_type=content_type, object_id=r.pk, version=1, action="created", actor=owner, changes=[]
        )
        for r in made
    )


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def measure(user, stdout, records: int = 10_000, files: int = 2_000) -> list[dict]:
    from audits.models import EvidencePack

    from . import signing
    from .build import build_pack
    from .pipeline import pdf_workers
    from .writer import PackWriter

    paths = ensure_data(records, files, user, stdout)
    input_bytes = sum(p.stat().st_size for p in paths)
    work = Path(tempfile.mkdtemp(prefix="bench-pack-"))
    job = Job.objects.create(kind="evidence_pack", title="bench: evidence pack", requested_by=user)
    pack = EvidencePack.objects.create(title="bench: whole AIMS", scope={"whole": True}, as_of=timezone.now(),
                                       requested_by=user, job=job)  # fmt: skip
    try:
        before = _maxrss_bytes()
        started = time.perf_counter()
        recorded = build_pack(pack, work / "pack.zip")
        took = time.perf_counter() - started
        grew = _maxrss_bytes() - before
        worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # the largest PDF worker
        pack_size = (work / "pack.zip").stat().st_size

        zip_tool = shutil.which("zip")
        if zip_tool is None:
            return [
                {
                    "measure": "evidence pack vs zip -r",
                    "rows": records,
                    "note": "not available (no zip: apt-get install zip)",
                }
            ]
        staged = work / "files"
        staged.mkdir()
        for p in paths:  # the same files, hard-linked into one tree as `zip -r` wants them
            os.link(p, staged / p.name)
        started = time.perf_counter()
        subprocess.run([zip_tool, "-r", "-q", str(work / "plain.zip"), "files"], cwd=work, check=True)
        zip_took = time.perf_counter() - started
        # The part of the pack that does zip's job: the same files streamed, hashed and listed in the
        # signed manifest by the pack's own writer, without the records and their PDFs.
        started = time.perf_counter()
        writer = PackWriter(work / "files-only.zip")
        for p in paths:
            with p.open("rb") as stream:
                writer.add_stream(f"files/{p.name}", stream, {"kind": "evidence"}, p.stat().st_size)
        writer.finish({"bench": True}, signing.signing_key())
        writer_took = time.perf_counter() - started
    finally:
        pack.delete()
        job.delete()
        shutil.rmtree(work, ignore_errors=True)
    mb = input_bytes / 1_000_000
    return [
        {
            "measure": "evidence pack, whole AIMS",
            "rows": f"{records:,} records, {len(paths):,} files",
            "median_ms": took * 1000,
            "baseline": "zip -r, same evidence files",
            "baseline_ms": zip_took * 1000,
            "ratio": took / zip_took if zip_took else None,
            "target": verdict({"ratio": took / zip_took if zip_took else None}, within=2),
            "note": (
                f"{mb:,.0f} MB of evidence: pack {mb / took:,.1f} MB/s, zip -r {mb / zip_took:,.1f} MB/s; "
                f"{recorded['file_count']:,} files in the pack, {pack_size / 1_000_000:,.0f} MB ZIP; "
                f"peak memory growth (ru_maxrss) {grew / 1_000_000:,.1f} MB; folders' PDFs laid out by "
                f"{pdf_workers()} worker process(es) (AIMS_PACK_PDF_WORKERS), the largest's RSS "
                f"{worker_peak / 1_000_000:,.0f} MB (mostly pages shared with the build, copy-on-write)"
            ),
        },
        {
            "measure": "evidence files through the pack writer",
            "rows": f"{len(paths):,} files",
            "median_ms": writer_took * 1000,
            "baseline": "zip -r, same evidence files",
            "baseline_ms": zip_took * 1000,
            "ratio": writer_took / zip_took if zip_took else None,
            "note": f"pack writer {mb / writer_took:,.1f} MB/s (SHA-256 and signed manifest included), "
            f"zip -r {mb / zip_took:,.1f} MB/s",
        },
    ]


def run(bench):
    """The pack measure of `manage.py bench --only pack`, on a database of its own."""
    try:
        options = bench.options
        rows = measure(bench.user, bench.stdout, records=options["pack_records"], files=options["pack_files"])
        bench.rows.extend(rows)
    except Exception as exc:  # noqa: BLE001 - report the failure as the result
        bench.add("evidence pack", note=f"failed: {type(exc).__name__}: {exc}")

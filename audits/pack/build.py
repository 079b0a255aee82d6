"""Builds an evidence pack (9.2: the auditor's sample, clause by clause) as a background job.

ZIP layout:
    index.pdf                                  cover, scope, as-of date, exporter, SoA, index and gaps
    clauses/6.1.2 AI risk assessment/          one folder per clause in scope ...
    annex-a/A.6.2.4 <short title>/             ... and per Annex A control (other standards: <key>/)
        records.csv, records.json, records.pdf the records of every register mapped there
        evidence/<EVD-0001 file name>          evidence files current at the as-of moment
    systems/<SYS-0001 title>/                  per AI system: dossier.pdf, its records (CSV, JSON, PDF) and
                                               the evidence attached to it, under evidence/, as of the date
    registers/<register>/                      whole-AIMS packs: every register complete (CSV, JSON)
    manifest.json                              every file: path, size, SHA-256, the record it comes from;
                                               the pack's figures (audits.pack.figures); the root
                                               of the sealed history at export (aims.history_chain)
    manifest.sig                               Ed25519 signature of manifest.json (see signing.py)

The ZIP is written to a file on disk and handed to aims.jobs, which moves it into private storage."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from aims import history_chain, jobs
from aims.jobs import JobError
from aims.models import Change
from aims.registry import registry

from . import content, index, signing
from .as_of import every_row_read, records_as_of
from .figures import figures_of
from .pipeline import Pipeline
from .scope import Scope, sections
from .systems import write_system
from .writer import PackWriter

KIND = "evidence_pack"


def systems_in_scope(scope: Scope, user, moment) -> list:
    try:
        from lifecycle.models import AISystem
    except ImportError:
        return []
    visible = AISystem.objects.restrict(user, "view").select_related("owner", "supplier", "classified_by")
    if scope.whole:
        visible = visible.filter(in_scope=True)
    else:
        visible = visible.filter(reference__in=scope.systems)
    return [item.record for item in records_as_of(visible.order_by("reference"), moment)]


def build_pack(pack, target: Path, progress=lambda percent: None, workers: int | None = None) -> dict:
    """Write `pack` to the ZIP file `target`; returns what the pack row records (counts, manifest hash).
    `workers`: processes laying out the PDFs (audits.pack.pipeline; None: PACK_PDF_WORKERS, 0: none)."""
    with every_row_read():
        return _build(pack, target, progress, workers)


def _build(pack, target: Path, progress, workers: int | None) -> dict:
    user, moment = pack.requested_by, pack.as_of
    scope = Scope.from_params(pack.scope)
    folders = sections(scope)
    systems = systems_in_scope(scope, user, moment)
    missing = sorted(set(scope.systems) - {s.reference for s in systems})
    if missing:
        raise JobError(f"No AI system {', '.join(missing)} that you can see existed at the as-of date.")
    try:  # before any work: a pack that cannot be signed is not built
        key = signing.signing_key()
    except ImproperlyConfigured as exc:
        raise JobError(f"The pack cannot be signed: {exc}") from exc
    writer = PackWriter(target)
    pipe = Pipeline(writer, workers)
    ctx = content.Context(user, moment, writer, pipe)
    try:
        steps = len(folders) + len(systems) + (2 if scope.whole else 1)
        for n, section in enumerate(folders, 1):
            content.write_section(ctx, section)
            progress(2 + 95 * n // steps)
        system_folders = []
        for n, system in enumerate(systems, len(folders) + 1):
            system_folders.append(write_system(ctx, system))
            progress(2 + 95 * n // steps)
        registers = content.write_registers(ctx) if scope.whole else []
        pipe.finish()  # every folder written, its evidence counted
        figures = figures_of(ctx, folders, system_folders, registers, moment)
        index_ctx = index.IndexContext(pack, scope, figures, moment, user, key)
        writer.add_bytes("index.pdf", index.index_pdf(index_ctx), {"kind": "index"})
        metadata = {
            "title": pack.title,
            "scope": scope.as_params(),
            "scope_description": scope.describe(),
            "as_of": moment.isoformat(),
            "exported_by": {"username": user.username, "name": str(user)},
            "created_at": timezone.now().isoformat(),
            "pack_id": pack.pk,
            "counts": figures.as_manifest(),
            # The whole history's seals as of export (aims.history_chain), signed with the rest: a later
            # edit, insertion or deletion of history up to `last_entry` gives another root.
            "history": history_chain.settled_root(Change),
        }
        manifest_sha256 = writer.finish(metadata, key)
    except BaseException:
        pipe.close()
        writer.close()
        target.unlink(missing_ok=True)
        raise
    finally:
        ctx.close()
    return {
        "file_count": writer.file_count,
        "record_count": figures.records,
        "manifest_sha256": manifest_sha256,
        "signing_key": key.fingerprint,
    }


def evidence_pack_job(job, progress) -> tuple[str, Path]:
    """Job runner: the pack row names the job; the ZIP is built beside private storage and moved there."""
    from audits.models import EvidencePack

    pack = EvidencePack.objects.select_related("requested_by").filter(job=job).first()
    if pack is None:
        raise JobError("This job has no evidence pack to build.")
    work = Path(settings.PRIVATE_MEDIA_ROOT) / "jobs" / str(job.pk)
    work.mkdir(parents=True, exist_ok=True)
    target = work / ".pack.zip.part"
    progress(1)
    recorded = build_pack(pack, target, progress)
    EvidencePack.objects.filter(pk=pack.pk).update(**recorded)
    return f"evidence-pack-{pack.pk}-{timezone.localtime(pack.as_of):%Y-%m-%d}.zip", target


def as_of_moment(day: dt.date | None) -> dt.datetime:
    """A chosen day means the end of that day (local time); none, or today, means now."""
    now = timezone.now()
    if day is None or day >= timezone.localdate():
        return now
    end = dt.datetime.combine(day, dt.time.max)
    return timezone.make_aware(end, timezone.get_current_timezone())


def start_pack(*, user, scope: Scope, as_of: dt.date | None, title: str = ""):
    """Record the pack and queue its job (after commit). Permissions: anyone with a role may export, and
    the pack holds only what they may view (aims.permissions.restrict in every query)."""
    from aims.permissions import require_add
    from audits.models import EvidencePack

    require_add(user, EvidencePack)
    moment = as_of_moment(as_of)
    title = (title or f"Evidence pack as of {timezone.localtime(moment):%Y-%m-%d}")[:200]
    with transaction.atomic():  # the job is queued on commit, when the worker can find the pack too
        job = jobs.start_job(kind=KIND, title=title, params={"scope": scope.as_params()}, user=user)
        return EvidencePack.objects.create(
            title=title, scope=scope.as_params(), as_of=moment, requested_by=user, job=job
        )


# A pack names its one job: a new pack is a new export, not a retry of the old job.
registry.add_job_runner(
    KIND,
    evidence_pack_job,
    retry_refusal=lambda job: "Export the evidence pack again from the evidence packs page.",
)

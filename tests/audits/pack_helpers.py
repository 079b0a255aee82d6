"""Shared pieces of the evidence pack tests: evidence with real stored files, and opening a pack."""

import hashlib
import io
import json
import warnings
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.models import Job, Requirement
from audits.evidence_services import services as evidence_services
from audits.models import Evidence, EvidenceFile, EvidencePack
from audits.pack.build import build_pack


def requirement(code: str, standard: str = "iso42001") -> Requirement:
    return Requirement.objects.get(standard__key=standard, code=code)


def add_file(evidence: Evidence, data: bytes, name: str, actor, at=None) -> EvidenceFile:
    number = evidence.files.count() + 1
    stored = EvidenceFile(
        evidence=evidence, number=number, file_name=name, sha256=hashlib.sha256(data).hexdigest(),
        size=len(data), uploaded_by=actor, uploaded_at=at or timezone.now(),
    )  # fmt: skip
    stored.file.save(name, ContentFile(data), save=False)
    stored.save()
    Evidence.objects.filter(pk=evidence.pk).update(
        file=stored.file.name, file_name=name, file_sha256=stored.sha256, file_size=len(data)
    )
    return stored


def make_evidence(
    actor, codes, data: bytes = b"minutes of the risk workshop\n", name="minutes.txt", **fields
):
    """File evidence uploaded through the evidence library's services (file version 1 recorded)."""
    upload = SimpleUploadedFile(name, data, content_type="text/plain")
    return evidence_services.create(
        actor=actor,
        fields={"title": fields.pop("title", f"Evidence {name}"), "kind": "file", "file": upload, "owner": actor,
                **fields},
        requirements=[requirement(c) for c in codes],
    )  # fmt: skip


def new_pack(user, scope: dict, as_of=None, title="Test pack") -> EvidencePack:
    job = Job.objects.create(kind="evidence_pack", title=title, requested_by=user)
    return EvidencePack.objects.create(
        title=title, scope=scope, as_of=as_of or timezone.now(), requested_by=user, job=job
    )


def build(user, scope: dict, as_of=None, tmp_path=None, progress=lambda p: None) -> tuple[Path, EvidencePack]:
    pack = new_pack(user, scope, as_of)
    target = Path(tmp_path or settings.PRIVATE_MEDIA_ROOT) / f"pack-{pack.pk}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    recorded = build_pack(pack, target, progress)
    EvidencePack.objects.filter(pk=pack.pk).update(**recorded)
    pack.refresh_from_db()
    return target, pack


def names(path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def read(path, name) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def read_json(path, name):
    return json.loads(read(path, name))


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def rewrite(path, out, *, change=None, drop=(), add=None) -> Path:
    """A copy of the pack with one entry's bytes changed, entries dropped, or an entry added."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            data = src.read(info.filename)
            if change and info.filename in change:
                data = change[info.filename](data)
            dst.writestr(info.filename, data)
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return Path(out)


def forge(path, out, *, first=(), last=(), drop=(), comment=b"") -> Path:
    """A copy of the pack rewritten by zipfile, as a forger would: (name or ZipInfo, bytes) pairs `first`
    placed before its own entries and `last` after them, `drop` left out, `comment` the ZIP's comment."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": the forgery's point
            for name, data in first:
                dst.writestr(name, data)
            for info in src.infolist():
                if info.filename not in drop:
                    dst.writestr(info.filename, src.read(info.filename))
            for name, data in last:
                dst.writestr(name, data)
        dst.comment = comment
    return Path(out)

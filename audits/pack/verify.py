"""Checks a pack: the manifest's signature, then every file against the manifest (SHA-256 and size),
and no file missing or added. `manage.py verify_pack` and the API endpoint call `verify_pack`."""

import hashlib
import json
import zipfile
from dataclasses import dataclass, field

from .signing import signature_matches
from .writer import CHUNK, MANIFEST, SIGNATURE


@dataclass
class Verification:
    files: int = 0  # files checked against the manifest
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        if self.ok:
            return f"pack verified: {self.files} files"
        return f"pack NOT verified: {len(self.problems)} problem(s)"

    def as_dict(self) -> dict:
        return {"ok": self.ok, "files": self.files, "summary": self.summary, "problems": self.problems}


def _hash(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def verify_pack(source) -> Verification:
    """`source`: a path or a binary file object holding the ZIP. Never raises on a bad pack: every
    problem is a sentence naming the file at fault."""
    result = Verification()
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        result.problems.append(f"not a ZIP file: {exc}")
        return result
    with archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        if MANIFEST not in names:
            result.problems.append(f"missing: {MANIFEST} (no manifest: nothing can be checked)")
            return result
        manifest_bytes = archive.read(MANIFEST)
        if SIGNATURE not in names:
            result.problems.append(f"missing: {SIGNATURE} (the manifest is unsigned)")
        elif not signature_matches(manifest_bytes, archive.read(SIGNATURE).decode("ascii", "replace")):
            result.problems.append(
                f"tampered: {MANIFEST} (its signature does not match: the manifest was edited after export, "
                "or the pack was not made by this AIMS)"
            )
        try:
            entries = json.loads(manifest_bytes)["files"]
        except (ValueError, KeyError, TypeError):
            result.problems.append(f"tampered: {MANIFEST} (not a readable manifest)")
            return result
        listed = set()
        for entry in entries:
            path = entry.get("path", "")
            listed.add(path)
            if path not in names:
                result.problems.append(f"missing: {path}")
                continue
            try:
                sha256, size = _hash(archive, path)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:  # e.g. a CRC mismatch
                result.problems.append(f"tampered: {path} (damaged in the ZIP: {exc})")
                continue
            if sha256 != entry.get("sha256") or size != entry.get("size"):
                result.problems.append(f"tampered: {path} (its SHA-256 differs from the manifest)")
            else:
                result.files += 1
        for name in names:
            if name not in listed and name not in (MANIFEST, SIGNATURE):
                result.problems.append(f"extra: {name} (not in the manifest)")
    return result

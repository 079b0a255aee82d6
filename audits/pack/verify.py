"""Checks a pack: the manifest's signature, then every file against the manifest (SHA-256 and size),
and no file missing or added. `manage.py verify_pack` and the API endpoint call `verify_pack`.

The signature is checked with the public keys given (a PEM file the auditor holds), or else with every key
this AIMS has signed with (the current one and those retired by rotation). A pack of the first format,
signed by HMAC under the server's secret, can be checked by the server only, never by a public key."""

import hashlib
import json
import zipfile
from dataclasses import dataclass, field

from . import signing
from .writer import CHUNK, MANIFEST, SIGNATURE


@dataclass
class Verification:
    files: int = 0  # files checked against the manifest
    problems: list[str] = field(default_factory=list)
    key: str = ""  # fingerprint of the key whose signature matched ("" for the old HMAC scheme)
    scheme: str = ""  # the signature's algorithm, as the manifest names it

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        if not self.ok:
            return f"pack NOT verified: {len(self.problems)} problem(s)"
        if self.key:
            return f"pack verified: {self.files} files; signed by the {self.scheme} key {self.key}"
        return f"pack verified: {self.files} files; signed with the old server-secret scheme ({self.scheme})"

    def as_dict(self) -> dict:
        return {"ok": self.ok, "files": self.files, "summary": self.summary, "problems": self.problems,
                "key_fingerprint": self.key, "algorithm": self.scheme}  # fmt: skip


def _hash(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def check_signature(result: Verification, manifest: dict, data: bytes, signature: bytes, public_keys) -> None:
    """Adds a problem unless `signature` over `data` matches. `public_keys`: the keys to trust (PublicKey
    list), or None for every key this AIMS has signed with."""
    named = manifest.get("signature") if isinstance(manifest.get("signature"), dict) else {}
    result.scheme = str(named.get("algorithm", ""))
    if result.scheme == signing.LEGACY_ALGORITHM:
        if public_keys is not None:
            result.problems.append(
                f"unverifiable: {MANIFEST} (signed with the old server-secret scheme, {signing.LEGACY_ALGORITHM}: "
                "it cannot be checked by a public key; upload it to the AIMS that made it, or export it again)"
            )
        elif not signing.legacy_hmac_matches(data, signature):
            result.problems.append(
                f"tampered: {MANIFEST} (its signature does not match: the manifest was edited after export, "
                "or the pack was not made by this AIMS)"
            )
        return
    if result.scheme != signing.ALGORITHM:
        result.problems.append(f"tampered: {MANIFEST} (it names no signature scheme this AIMS knows)")
        return
    keys = signing.known_keys() if public_keys is None else list(public_keys)
    match = next((key for key in keys if key.verifies(data, signature)), None)
    if match is not None:
        result.key = match.fingerprint
        return
    claimed = named.get("key_fingerprint", "")
    whose = "the public key given" if public_keys is not None else "any key this AIMS has signed with"
    result.problems.append(
        f"tampered: {MANIFEST} (its signature does not match {whose}: the manifest or its signature was "
        f"edited after export, or another key signed it; the manifest names key {claimed or 'none'})"
    )


def verify_pack(source, public_keys=None) -> Verification:
    """`source`: a path or a binary file object holding the ZIP; `public_keys`: PublicKey list to trust,
    or None for this AIMS's own keys. Never raises on a bad pack: every problem is a sentence naming the
    file at fault."""
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
        try:
            manifest = json.loads(manifest_bytes)
            entries = manifest["files"]
            if not isinstance(entries, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            result.problems.append(f"tampered: {MANIFEST} (not a readable manifest)")
            return result
        if SIGNATURE not in names:
            result.problems.append(f"missing: {SIGNATURE} (the manifest is unsigned)")
        else:
            check_signature(result, manifest, manifest_bytes, archive.read(SIGNATURE), public_keys)
        check_files(result, archive, names, entries)
    return result


def check_files(result: Verification, archive: zipfile.ZipFile, names: list[str], entries: list) -> None:
    listed = set()
    for entry in entries:
        path = entry.get("path", "") if isinstance(entry, dict) else ""
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

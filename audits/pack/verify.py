"""Checks a pack: the manifest's signature, then every file against the manifest (SHA-256 and size),
and no file missing or added. `manage.py verify_pack` and the API endpoint call `verify_pack`.

The signature is checked with the public keys given (a PEM file the auditor holds), or else with every key
this AIMS has signed with (the current one and those retired by rotation). A pack of the first format,
signed by HMAC under the server's secret, can be checked by the server only, never by a public key."""

import hashlib
import struct
import zipfile
import zlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from os import PathLike

from . import signing, zipcheck
from .manifest import LIMIT as MANIFEST_LIMIT
from .manifest import BadManifest, parse_manifest
from .writer import CHUNK, MANIFEST, SIGNATURE
from .zipcheck import shown

SIGNATURE_LIMIT = 1024  # Ed25519: 64 bytes; the old HMAC: 64 hex digits and a newline
# What reading a ZIP entry raises when its bytes are damaged (a CRC mismatch, a broken deflate stream).
UNREADABLE = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    ValueError,
    zlib.error,
    NotImplementedError,
    RuntimeError,
)


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
    named = manifest["signature"]  # an object of strings (parse_manifest)
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
    file at fault. A ZIP that two readers could read differently is refused before anything is checked."""
    result = Verification()
    with ExitStack() as stack:
        try:
            stream = stack.enter_context(open(source, "rb")) if isinstance(source, str | PathLike) else source
            entries = {entry.name: entry for entry in zipcheck.read_entries(stream)}
            stream.seek(0)
            archive = stack.enter_context(zipfile.ZipFile(stream))
        except zipcheck.NotAZip as exc:
            result.problems.append(f"not a ZIP file: {exc}")
        except zipcheck.Refused as exc:
            result.problems.extend(exc.problems)
        except (*UNREADABLE, struct.error) as exc:
            result.problems.append(f"not a ZIP file: {exc}")
        else:
            check_contents(result, archive, entries, public_keys)
    return result


def check_contents(result: Verification, archive: zipfile.ZipFile, entries: dict, public_keys) -> None:
    """The manifest, its signature, then every file; `entries`: the ZIP's own, by name, checked unambiguous."""
    if MANIFEST not in entries:
        result.problems.append(f"missing: {MANIFEST} (no manifest: nothing can be checked)")
        return
    if entries[MANIFEST].size > MANIFEST_LIMIT:
        result.problems.append(
            f"tampered: {MANIFEST} (not a readable manifest: {entries[MANIFEST].size} bytes, more than a pack's "
            f"manifest ever holds ({MANIFEST_LIMIT}))"
        )
        return
    try:
        manifest_bytes = archive.read(MANIFEST)
        content = parse_manifest(manifest_bytes)
    except BadManifest as exc:
        result.problems.append(f"tampered: {MANIFEST} (not a readable manifest: {exc})")
        return
    except UNREADABLE as exc:
        result.problems.append(f"tampered: {MANIFEST} (damaged in the ZIP: {exc})")
        return
    if SIGNATURE not in entries:
        result.problems.append(f"missing: {SIGNATURE} (the manifest is unsigned)")
    elif entries[SIGNATURE].size > SIGNATURE_LIMIT:
        result.problems.append(
            f"tampered: {SIGNATURE} ({entries[SIGNATURE].size} bytes: no signature is that long)"
        )
    else:
        try:
            signature = archive.read(SIGNATURE)
        except UNREADABLE as exc:
            result.problems.append(f"tampered: {SIGNATURE} (damaged in the ZIP: {exc})")
        else:
            check_signature(result, content, manifest_bytes, signature, public_keys)
    check_files(result, archive, entries, content["files"])


def check_files(result: Verification, archive: zipfile.ZipFile, entries: dict, files: list[dict]) -> None:
    listed = set()
    for listing in files:
        path = listing["path"]
        listed.add(path)
        if path not in entries:
            result.problems.append(f"missing: {path}")
            continue
        if entries[path].size != listing["size"]:  # found before a byte is inflated: no ZIP bomb gets far
            result.problems.append(f"tampered: {path} (its size differs from the manifest)")
            continue
        try:
            sha256, size = _hash(archive, path)
        except UNREADABLE as exc:  # e.g. a CRC mismatch
            result.problems.append(f"tampered: {path} (damaged in the ZIP: {exc})")
            continue
        if sha256 != listing["sha256"] or size != listing["size"]:
            result.problems.append(f"tampered: {path} (its SHA-256 differs from the manifest)")
        else:
            result.files += 1
    for name in entries:
        if name not in listed and name not in (MANIFEST, SIGNATURE):
            result.problems.append(f"extra: {shown(name)} (not in the manifest)")

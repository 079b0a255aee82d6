"""Reads a pack's manifest.json strictly: the shape the writer makes (writer.PackWriter.finish) and nothing
looser. A manifest of another shape was not made by us, so it is refused with the field at fault named,
before its signature is checked or a file is read; a value of the wrong type never reaches the code that
uses it."""

import json
import re

from .writer import FORMAT, MANIFEST, SIGNATURE
from .zipcheck import name_key, name_problem, shown

FORMATS = ("aims-evidence-pack/1", FORMAT)  # /1: signed by HMAC (signing.legacy_hmac_matches)
LIMIT = 64 * 1024 * 1024  # one line a file: far above the largest pack's, far below a memory problem
SHA256 = re.compile(r"[0-9a-f]{64}")


class BadManifest(ValueError):
    """The manifest is not one the writer makes; the message says which field and why."""


def _no_twins(pairs):
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        twin = next(key for key in keys if keys.count(key) > 1)
        raise BadManifest(f"it names the field {twin!r} twice: readers disagree on its value")
    return dict(pairs)


def _no_constant(name):
    raise BadManifest(f"it holds {name}, which is not JSON")


def parse_manifest(data: bytes) -> dict:
    """The manifest's content, or BadManifest saying what is wrong with it."""
    try:
        manifest = json.loads(data.decode("utf-8"), object_pairs_hook=_no_twins, parse_constant=_no_constant)
    except BadManifest:
        raise
    except UnicodeDecodeError as exc:
        raise BadManifest("it is not UTF-8 text") from exc
    except RecursionError as exc:
        raise BadManifest("it is not JSON (nested too deep to read)") from exc
    except ValueError as exc:  # a syntax error, or a number too long to read
        raise BadManifest(f"it is not JSON: {exc}") from exc
    _check(manifest)
    return manifest


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(manifest) -> None:
    if not isinstance(manifest, dict):
        raise BadManifest(f"it holds a JSON {type(manifest).__name__}, not an object")
    if manifest.get("format") not in FORMATS:
        raise BadManifest(f"its format {manifest.get('format')!r} is none this AIMS reads")
    for name in ("pack", "signature"):
        if not isinstance(manifest.get(name), dict):
            raise BadManifest(f"its {name!r} is not an object")
    if not all(isinstance(v, str) for v in manifest["signature"].values()):
        raise BadManifest("its 'signature' holds a value that is not text")
    files = manifest.get("files")
    if not isinstance(files, list):
        raise BadManifest("its 'files' is not a list")
    seen: set[str] = set()
    for n, entry in enumerate(files, 1):
        _check_file(n, entry, seen)
    count = manifest.get("file_count", len(files))
    if not _int(count) or count != len(files):
        raise BadManifest(f"its 'file_count' is not the number of files it lists ({len(files)})")


def _check_file(n: int, entry, seen: set[str]) -> None:
    if not isinstance(entry, dict):
        raise BadManifest(f"file {n} of 'files' is not an object")
    path = entry.get("path")
    if not isinstance(path, str):
        raise BadManifest(f"file {n}'s 'path' is not text")
    why = name_problem(path) or ("the manifest or its signature" if path in (MANIFEST, SIGNATURE) else None)
    if why:
        raise BadManifest(f"file {n}'s path {shown(path)!r} is not a file a pack holds: {why}")
    if name_key(path) in seen:
        raise BadManifest(f"file {n}'s path {shown(path)!r} is listed twice")
    seen.add(name_key(path))
    if not isinstance(entry.get("sha256"), str) or not SHA256.fullmatch(entry["sha256"]):
        raise BadManifest(f"file {n}'s 'sha256' is not a SHA-256 in hex")
    if not _int(entry.get("size")) or entry["size"] < 0:
        raise BadManifest(f"file {n}'s 'size' is not a number of bytes")
    if "source" in entry and not isinstance(entry["source"], dict):
        raise BadManifest(f"file {n}'s 'source' is not an object")

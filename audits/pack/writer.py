"""Writes a pack's ZIP to disk one entry at a time, hashing each file as it is written, and closes it
with a manifest of every file (path, size, SHA-256, the record it comes from) and its Ed25519 signature.

Memory stays flat whatever the pack holds: entries are streamed into the ZIP in chunks, manifest lines
are spooled to a temporary file, and only the set of names already used is kept (to keep them unique).
The manifest itself is read whole once to be signed (Ed25519 signs a message, not a stream): one line per
file, not per record, so a few megabytes for the largest packs.

What deflate cannot shrink is stored as it is (ZIP_STORED): evidence is often already compressed (PDF,
images, office files, archives) and deflating it again costs most of the time of copying it for a gain of
a few per cent. A few slices of a file's first megabyte decide: the ZIP records each entry's method,
so every reader handles both."""

import hashlib
import io
import json
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from . import signing
from .zipcheck import name_key

CHUNK = 1024 * 1024
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
FORMAT = "aims-evidence-pack/2"  # /1: signed by HMAC under SECRET_KEY (signing.legacy_hmac_matches)
ZIP64_FROM = 1 << 31  # entries this large need ZIP64 headers written up front
# Deflate level 5, not zlib's default 6: 1.5 to 3 times as fast on text (Python source, CSV, JSON, the
# bench's evidence), for about 2% more bytes on real text.
LEVEL = 5
SAMPLE, SLICES = 4096, 4  # slices of a file's first chunk tried with fast deflate, to decide on the rest
WORTH_DEFLATING = 0.9  # deflated only if the slices shrink below this share of their size


def worth_deflating(head: bytes) -> bool:
    """Whether deflate shrinks data that starts with `head` enough to be worth its time: text, CSV, JSON
    and uncompressed formats do; PDF, images, office files, archives and random bytes do not.

    Judged on a few slices spread over `head`, none at its very start, where a format's text header would
    speak for a compressed body. Deflate is as slow on incompressible bytes at its fastest level as at its
    default one, so trying the whole of `head` would cost what it is meant to save."""
    if len(head) < SAMPLE * SLICES:  # too little to judge, and cheap either way
        return True
    step = len(head) // SLICES
    starts = (n * step + step // 2 for n in range(SLICES))
    sample = b"".join(head[start : start + SAMPLE] for start in starts)
    return len(zlib.compress(sample, 1)) < len(sample) * WORTH_DEFLATING


class HashingWriter(io.RawIOBase):
    """A writable stream into one ZIP entry that counts and hashes what passes through."""

    def __init__(self, target):
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)


class PackWriter:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.zip = zipfile.ZipFile(self.path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=LEVEL)
        self.spool = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.names: set[str] = set()  # name_key of each: names one file system would merge count as one
        self.file_count = 0
        self.bytes_written = 0

    def unique(self, name: str) -> str:
        """`name`, or `name (2)` and so on if it would be the same file as one already written on a
        case-insensitive file system: verify_pack refuses such twins as ambiguous."""
        path = PurePosixPath(name)
        candidate, n = name, 1
        while name_key(candidate) in self.names or name_key(candidate) in (MANIFEST, SIGNATURE):
            n += 1
            candidate = str(path.with_name(f"{path.stem} ({n}){path.suffix}"))
        self.names.add(name_key(candidate))
        return candidate

    @contextmanager
    def open(self, name: str, source: dict | None = None, size: int = 0, deflate: bool = True):
        """A binary stream for entry `name`, deflated unless `deflate` is false; on leaving, the file enters
        the manifest."""
        name = self.unique(name)
        self.zip.compression = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
        try:  # a name alone: zipfile dates the entry 1980-01-01 and gives it the method and level above
            entry_file = self.zip.open(name, "w", force_zip64=size >= ZIP64_FROM)
        finally:
            self.zip.compression = zipfile.ZIP_DEFLATED
        with entry_file as entry:
            writer = HashingWriter(entry)
            yield writer
        self._record(name, writer, source)

    @contextmanager
    def open_text(self, name: str, source: dict | None = None):
        with self.open(name, source) as raw:
            text = io.TextIOWrapper(io.BufferedWriter(raw, CHUNK), encoding="utf-8", newline="")
            try:
                yield text
            finally:
                text.flush()
                text.detach().flush()

    def add_bytes(self, name: str, data: bytes, source: dict | None = None) -> None:
        with self.open(name, source, len(data), deflate=worth_deflating(data)) as out:
            out.write(data)

    def add_stream(self, name: str, stream, source: dict | None = None, size: int = 0) -> None:
        chunk = stream.read(CHUNK)
        with self.open(name, source, size, deflate=worth_deflating(chunk)) as out:
            while chunk:
                out.write(chunk)
                chunk = stream.read(CHUNK)

    def _record(self, name: str, writer: HashingWriter, source: dict | None) -> None:
        entry = {"path": name, "size": writer.size, "sha256": writer.digest.hexdigest()}
        if source:
            entry["source"] = source
        self.spool.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        self.file_count += 1
        self.bytes_written += writer.size

    def finish(self, metadata: dict, key: signing.SigningKey) -> str:
        """Write manifest.json and manifest.sig (its Ed25519 signature by `key`); close the ZIP. Returns
        the manifest's SHA-256."""
        head = {
            "format": FORMAT,
            "pack": metadata,
            "signature": {
                "file": SIGNATURE,
                "algorithm": signing.ALGORITHM,
                "encoding": "raw: the 64 bytes of the signature",
                "covers": "the exact bytes of manifest.json",
                "key_fingerprint": key.fingerprint,
                "fingerprint": "SHA-256 of the raw 32-byte public key, hex",
                "public_keys": key.url,
            },
            "file_count": self.file_count,
        }
        manifest = io.BytesIO()
        opening = json.dumps(head, ensure_ascii=False, sort_keys=True, indent=1)
        manifest.write((opening[:-2] + ',\n "files": [\n').encode())  # the head without its closing brace
        self.spool.seek(0)
        for n, line in enumerate(self.spool):  # one file per line: greppable, and diffs read well
            manifest.write((("  " if n == 0 else ",\n  ") + line.rstrip("\n")).encode())
        manifest.write(b"\n ]\n}\n")
        data = manifest.getvalue()
        self.zip.writestr(MANIFEST, data)
        self.zip.writestr(SIGNATURE, key.sign(data))
        self.close()
        return hashlib.sha256(data).hexdigest()

    def close(self) -> None:
        self.spool.close()
        self.zip.close()

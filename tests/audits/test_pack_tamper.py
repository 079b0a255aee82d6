"""A pack forged at the level of the ZIP itself, where readers disagree (Python's zipfile reads the last of
two entries with one name, unzip the first; zipfile forgives prepended bytes and cuts names at NUL), or
with a manifest of the wrong shape, is refused with a named reason by verify_pack, `manage.py verify_pack`
and the API alike: never "pack verified", never a crash or a 500."""

import io
import json
import struct
import zipfile
import zlib

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from aims import roles
from audits.pack.verify import verify_pack
from audits.pack.writer import PackWriter
from registers.models import RiskCriteria
from tests.audits.pack_helpers import build, forge, make_evidence, read, rewrite
from tests.base import client_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

FOLDER = "clauses/6.1.2 AI risk assessment"
EVIDENCE = f"{FOLDER}/evidence/EVD-0001 minutes.txt"
UMLAUT = f"{FOLDER}/evidence/EVD-0002 Prüfbericht.txt"  # a genuine non-ASCII name: UTF-8 in the ZIP
GENUINE = b"minutes of the risk workshop\n"


class _RollBack(Exception):
    pass


@pytest.fixture(scope="module")
def genuine(django_db_setup, django_db_blocker, tmp_path_factory) -> bytes:
    """One real pack, built once for the module in a transaction that is then rolled back (no row and no
    stored file outlives it); every test forges a copy of its bytes."""
    folder = tmp_path_factory.mktemp("genuine")
    with django_db_blocker.unblock(), override_settings(PRIVATE_MEDIA_ROOT=folder / "private"):
        try:
            with transaction.atomic():
                owner, auditor = make_user("olivia", roles.OWNER), make_user("audrey", roles.AUDITOR)
                make_evidence(owner, ["6.1.2"], GENUINE, "minutes.txt")
                make_evidence(owner, ["6.1.2"], "Prüfbericht Q3\n".encode(), "Prüfbericht.txt")
                path, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=folder)
                raise _RollBack
        except _RollBack:
            pass
        cache.delete(
            RiskCriteria.CACHE_KEY
        )  # as tests/conftest.py's _fresh_shared_cache does around each test
    return path.read_bytes()


@pytest.fixture
def pack(genuine, tmp_path):
    path = tmp_path / "pack.zip"
    path.write_bytes(genuine)
    return path


# -- forging by hand: the bytes of the ZIP ----------------------------------------------------------------
def offsets(data: bytes, name: str) -> tuple[int, int]:
    """Where `name`'s local header and its central directory header start."""
    end = data.rindex(b"PK\x05\x06")
    count, _, start = struct.unpack_from("<HII", data, end + 10)
    at = start
    for _ in range(count):
        name_length, extra, comment = struct.unpack_from("<HHH", data, at + 28)
        local = struct.unpack_from("<I", data, at + 42)[0]
        if data[at + 46 : at + 46 + name_length] == name.encode():
            return local, at
        at += 46 + name_length + extra + comment
    raise LookupError(name)


def patched(path, name: str, *, local: dict | None = None, central: dict | None = None) -> bytes:
    """The pack's bytes with fields of `name`'s headers changed: {offset in the header: (format, value)}."""
    data = bytearray(path.read_bytes())
    local_at, central_at = offsets(bytes(data), name)
    for base, fields in ((local_at, local or {}), (central_at, central or {})):
        for at, (layout, value) in fields.items():
            struct.pack_into(layout, data, base + at, value)
    return bytes(data)


def lone_entry(name: str, data: bytes) -> bytes:
    """A forged file as a bare local header and its data, as it sits inside a ZIP."""
    with zipfile.ZipFile(stream := io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as one:
        one.writestr(name, data)
    raw = stream.getvalue()
    return raw[: raw.index(b"PK\x01\x02")]


def hidden_before_directory(path) -> bytes:
    """A forged entry slipped between the last file and the central directory, which is moved up to make
    room: zipfile never looks there; a reader walking the local headers finds it."""
    data = path.read_bytes()
    end = data.rindex(b"PK\x05\x06")
    start = struct.unpack_from("<I", data, end + 16)[0]
    forged = lone_entry("clauses/forged.txt", b"forged")
    data = data[:start] + forged + data[start:]
    return (
        data[: end + len(forged) + 16]
        + struct.pack("<I", start + len(forged))
        + data[end + len(forged) + 20 :]
    )


def nul_name(path) -> bytes:
    """An entry named "manifest.json<NUL>x" placed first: zipfile cuts the name at the NUL and sees a
    second manifest, of which it reads the last (the genuine one); other tools see another file."""
    data = forge(
        path, path.with_name("nul.zip"), first=[("manifest.json_x", b'{"forged": true}')]
    ).read_bytes()
    return data.replace(b"manifest.json_x", b"manifest.json\x00x")


def symlink(path):
    """The evidence file stored as a symbolic link whose target text is the file's content: the same
    bytes to zipfile, a link to nowhere (or anywhere) for unzip."""
    info = zipfile.ZipInfo(EVIDENCE)
    info.create_system, info.external_attr = 3, (0o120777 << 16)
    return forge(path, path.with_name("link.zip"), drop={EVIDENCE}, last=[(info, GENUINE)])


def second_name(path):
    """The evidence file carrying an Info-ZIP Unicode path field: unzip extracts it under that name."""
    other = b"clauses/forged.txt"
    info = zipfile.ZipInfo(EVIDENCE)
    info.extra = struct.pack("<HHBI", 0x7075, 5 + len(other), 1, zlib.crc32(EVIDENCE.encode())) + other
    return forge(path, path.with_name("unicode.zip"), drop={EVIDENCE}, last=[(info, GENUINE)])


def written(path, data: bytes):
    out = path.with_name("forged.zip")
    out.write_bytes(data)
    return out


# Each forgery, and the problem it must be refused with (the text before its explanation).
FORGERIES = {
    "a forged file placed before the signed one": (
        lambda p: forge(p, p.with_name("f.zip"), first=[(EVIDENCE, b"forged minutes\n")]),
        f"tampered: {EVIDENCE}",
    ),
    "a forged manifest placed first": (
        lambda p: forge(p, p.with_name("f.zip"), first=[("manifest.json", b'{"files": []}')]),
        "tampered: manifest.json",
    ),
    "a second signature placed first": (
        lambda p: forge(p, p.with_name("f.zip"), first=[("manifest.sig", b"\0" * 64)]),
        "tampered: manifest.sig",
    ),
    "a directory entry": (
        lambda p: forge(p, p.with_name("f.zip"), last=[(f"{FOLDER}/more/", b"")]),
        f"extra: {FOLDER}/more/",
    ),
    "a name differing by case": (
        lambda p: forge(p, p.with_name("f.zip"), last=[(EVIDENCE.upper(), b"forged")]),
        f"tampered: {EVIDENCE.upper()}",
    ),
    "a name differing by Unicode form": (
        lambda p: forge(p, p.with_name("f.zip"), first=[(UMLAUT.replace("ü", "u\u0308"), b"forged")]),
        f"tampered: {UMLAUT}",
    ),
    "a name starting ./": (
        lambda p: forge(p, p.with_name("f.zip"), first=[("./manifest.json", b"{}")]),
        "tampered: ./manifest.json",
    ),
    "a name with ..": (
        lambda p: forge(p, p.with_name("f.zip"), last=[("clauses/../../evil.txt", b"x")]),
        "tampered: clauses/../../evil.txt",
    ),
    "an absolute path": (
        lambda p: forge(p, p.with_name("f.zip"), last=[("/etc/evil.txt", b"x")]),
        "tampered: /etc/evil.txt",
    ),
    "a backslash": (
        lambda p: forge(p, p.with_name("f.zip"), last=[("clauses\\evil.txt", b"x")]),
        "tampered: clauses\\evil.txt",
    ),
    "a NUL in a name": (lambda p: written(p, nul_name(p)), "tampered: manifest.json\\x00x"),
    "a local header that disagrees with the central directory": (
        lambda p: written(p, patched(p, EVIDENCE, local={14: ("<I", 0)})),
        f"tampered: {EVIDENCE}",
    ),
    "a central directory that points past a hidden entry": (
        lambda p: written(p, hidden_before_directory(p)),
        "tampered: the ZIP",
    ),
    "data prepended": (
        lambda p: written(p, lone_entry("forged.txt", b"forged") + p.read_bytes()),
        "tampered: the ZIP",
    ),
    "data appended": (lambda p: written(p, p.read_bytes() + b"forged tail"), "tampered: the ZIP"),
    "a ZIP comment": (
        lambda p: forge(p, p.with_name("f.zip"), comment=b"verified by AIMS"),
        "tampered: the ZIP",
    ),
    "an encrypted entry": (
        lambda p: written(p, patched(p, EVIDENCE, local={6: ("<H", 1)}, central={8: ("<H", 1)})),
        f"tampered: {EVIDENCE}",
    ),
    "a symbolic link": (symlink, f"tampered: {EVIDENCE}"),
    "a second name in an extra field": (second_name, f"tampered: {EVIDENCE}"),
    "a manifest claiming 4 GB": (
        lambda p: written(
            p, patched(p, "manifest.json", local={22: ("<I", 0xFFFFFFF0)}, central={24: ("<I", 0xFFFFFFF0)})
        ),
        "tampered: manifest.json",
    ),
    "an extra signature file": (
        lambda p: forge(p, p.with_name("f.zip"), last=[("manifest.json.sig", b"\0" * 64)]),
        "extra: manifest.json.sig",
    ),
    "a signature file too long to be one": (
        lambda p: rewrite(p, p.with_name("f.zip"), change={"manifest.sig": lambda s: s * 100}),
        "tampered: manifest.sig",
    ),
}


@pytest.mark.parametrize("what", FORGERIES)
def test_each_forgery_is_refused_by_verify_pack_with_its_reason(pack, what):
    forgery, problem = FORGERIES[what]
    result = verify_pack(forgery(pack))
    assert not result.ok and result.summary.startswith("pack NOT verified")
    assert problem in [p.split(" (")[0] for p in result.problems], result.problems
    assert all(" (" in p for p in result.problems), "each problem says why"


@pytest.mark.parametrize("what", FORGERIES)
def test_each_forgery_fails_the_command(pack, capsys, what):
    forgery, problem = FORGERIES[what]
    with pytest.raises(CommandError, match="pack NOT verified"):
        call_command("verify_pack", str(forgery(pack)))
    assert problem in capsys.readouterr().err


@pytest.mark.parametrize("what", FORGERIES)
def test_each_forgery_fails_the_api_check(pack, auditor, what):
    forgery, problem = FORGERIES[what]
    with forgery(pack).open("rb") as stream:
        answer = client_for(auditor).post("/api/v1/evidence-packs/verify/", {"file": stream})
    assert answer.status_code == 200
    body = answer.json()
    assert body["ok"] is False and problem in [p.split(" (")[0] for p in body["problems"]]


def test_the_genuine_pack_verifies_with_its_non_ascii_name(pack):
    result = verify_pack(pack)
    assert result.ok, result.problems
    assert read(pack, UMLAUT) == "Prüfbericht Q3\n".encode()


def test_a_forged_first_entry_is_named_as_a_twin(pack):
    forged = FORGERIES["a forged file placed before the signed one"][0](pack)
    [problem] = verify_pack(forged).problems
    assert problem == (
        f"tampered: {EVIDENCE} (the ZIP holds two entries of that name: readers disagree on which one is the file)"
    )


# -- the manifest: any other shape than the writer's is named, field by field -----------------------------
def files_edit(change):
    def edit(data: bytes) -> bytes:
        manifest = json.loads(data)
        change(manifest)
        return json.dumps(manifest).encode()

    return edit


def first_file(**values):
    return files_edit(lambda m: m["files"][0].update(values))


MANIFESTS = {
    "files holding a list as a path": (first_file(path=["a", "b"]), "file 1's 'path' is not text"),
    "files holding an object as a path": (first_file(path={}), "file 1's 'path' is not text"),
    "files holding numbers": (
        files_edit(lambda m: m.update(files=[1, 2])),
        "file 1 of 'files' is not an object",
    ),
    "files not a list": (files_edit(lambda m: m.update(files={"a": 1})), "its 'files' is not a list"),
    "a list, not an object": (lambda d: b"[1, 2]", "it holds a JSON list, not an object"),
    "nested too deep": (lambda d: b"[" * 100_000, "nested too deep"),
    "not JSON": (lambda d: b"manifest: yes", "it is not JSON"),
    "not UTF-8": (lambda d: d.decode().encode("utf-16"), "it is not UTF-8 text"),
    "a size as text": (first_file(size="29"), "file 1's 'size' is not a number of bytes"),
    "a size as true": (first_file(size=True), "file 1's 'size' is not a number of bytes"),
    "a size of NaN": (lambda d: d.replace(b'"size": ', b'"size": NaN, "x": ', 1), "it holds NaN"),
    "a sha256 not hex": (first_file(sha256="z" * 64), "file 1's 'sha256' is not a SHA-256 in hex"),
    "a source not an object": (first_file(source="EVD-0001"), "file 1's 'source' is not an object"),
    "a path with ..": (first_file(path="../evil.txt"), "its path has a '..' part"),
    "a path listed twice": (files_edit(lambda m: m["files"].append(dict(m["files"][0]))), "is listed twice"),
    "the manifest listing itself": (first_file(path="manifest.json"), "the manifest or its signature"),
    "a field named twice": (
        lambda d: d.replace(b'"files": [', b'"files": [], "files": [', 1),
        "names the field 'files' twice",
    ),
    "an unknown format": (
        files_edit(lambda m: m.update(format="aims-evidence-pack/9")),
        "is none this AIMS reads",
    ),
    "a signature not an object": (
        files_edit(lambda m: m.update(signature="Ed25519")),
        "its 'signature' is not an object",
    ),
    "a fingerprint not text": (
        files_edit(lambda m: m["signature"].update(key_fingerprint=7)),
        "its 'signature' holds a value that is not text",
    ),
    "a file count that is wrong": (
        files_edit(lambda m: m.update(file_count="many")),
        "its 'file_count' is not the number",
    ),
}


@pytest.mark.parametrize("what", MANIFESTS)
def test_a_manifest_of_another_shape_is_tampered_with_the_field_named(pack, auditor, capsys, what):
    edit, reason = MANIFESTS[what]
    forged = rewrite(pack, pack.with_name("bad.zip"), change={"manifest.json": edit})
    [problem] = verify_pack(forged).problems
    assert problem.startswith("tampered: manifest.json (not a readable manifest: ") and reason in problem

    with pytest.raises(CommandError, match="NOT verified: 1 problem"):
        call_command("verify_pack", str(forged))
    assert capsys.readouterr().err.startswith("tampered: manifest.json (not a readable manifest: ")
    with forged.open("rb") as stream:
        answer = client_for(auditor).post("/api/v1/evidence-packs/verify/", {"file": stream})
    assert answer.status_code == 200 and answer.json()["problems"] == [problem]


def test_a_broken_deflate_stream_is_named_not_a_crash(pack):
    """Bytes inside the evidence's compressed data replaced: zlib itself fails, before any CRC check."""
    local, _ = offsets(pack.read_bytes(), EVIDENCE)
    data = bytearray(pack.read_bytes())
    start = local + 30 + len(EVIDENCE.encode())
    data[start : start + 4] = b"\xff\xff\xff\xff"
    [problem] = verify_pack(written(pack, bytes(data))).problems
    assert problem.startswith(f"tampered: {EVIDENCE} (damaged in the ZIP")


def test_the_writer_never_makes_two_names_one_file_system_would_merge(tmp_path):
    writer = PackWriter(tmp_path / "names.zip")
    try:
        names = [
            writer.unique(n) for n in ("a/Minutes.txt", "a/minutes.TXT", "a/café.txt", "a/cafe\u0301.txt")
        ]
    finally:
        writer.close()
    assert names == ["a/Minutes.txt", "a/minutes (2).TXT", "a/café.txt", "a/cafe\u0301 (2).txt"]
    assert writer.unique("Manifest.JSON") == "Manifest (2).JSON", "nor one the manifest's"

"""The check docs/evidence-packs.md gives to anyone handed a pack, run exactly as written there with
openssl, sha256sum, unzip and Python's standard library only: neither our code nor our server. It passes
on a real pack and fails on a flipped byte, an added file, a removed file and an edited manifest."""

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.audits.pack_helpers import build, forge, make_evidence, read_json, rewrite

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not shutil.which("openssl") or not shutil.which("unzip"), reason="needs openssl, unzip"
    ),
]

DOC = Path(settings.BASE_DIR) / "docs" / "evidence-packs.md"
MARK = "<!-- the check below is run as it is by tests/audits/test_pack_openssl.py -->"
EVIDENCE = "clauses/6.1.2 AI risk assessment/evidence/EVD-0001 minutes.txt"


def documented_check() -> str:
    text = DOC.read_text()
    found = re.search(re.escape(MARK) + r"\n```sh\n(.*?)\n```", text, re.S)
    assert found, "docs/evidence-packs.md lost its documented check"
    return found.group(1)


def run_check(pack: Path, key: Path, workdir: Path) -> subprocess.CompletedProcess:
    workdir.mkdir()
    return subprocess.run(
        ["bash", "-c", documented_check()], cwd=workdir, env={"PATH": "/usr/bin:/bin", "PACK": str(pack),
        "KEY": str(key)}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.fixture
def pack(owner, auditor, make_risk, tmp_path):
    make_risk()
    make_evidence(owner, ["6.1.2"], b"minutes of the risk workshop\n", "minutes.txt")
    path, _ = build(auditor, {"requirements": ["iso42001:6.1.2", "iso42001:8.2"]}, tmp_path=tmp_path)
    return path


@pytest.fixture
def key(pack, tmp_path):
    """The public key as a certification body gets it: from the app's public URL, without signing in."""
    fingerprint = read_json(pack, "manifest.json")["signature"]["key_fingerprint"]
    path = tmp_path / "aims-pack-key.pem"
    path.write_bytes(Client().get(f"/.well-known/aims-pack-signing-keys/{fingerprint}.pem").content)
    return path


def test_the_documented_check_passes_on_a_real_pack(pack, key, tmp_path):
    result = run_check(pack, key, tmp_path / "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Signature Verified Successfully" in result.stdout
    assert result.stdout.strip().endswith("pack verified")


def test_the_documented_fingerprint_check_gives_the_key_s_fingerprint(pack, key):
    line = next(line for line in DOC.read_text().splitlines() if line.startswith("openssl pkey -pubin"))
    command = line.split("#")[0].replace("aims-pack-key.pem", str(key))
    out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == read_json(pack, "manifest.json")["signature"]["key_fingerprint"]


def flip(data: bytes) -> bytes:
    return bytes([data[0] ^ 1]) + data[1:]


def edit_manifest(data: bytes) -> bytes:
    return data.replace(b'"username": "audrey"', b'"username": "mallory"')


def forge_manifest(data: bytes) -> bytes:
    """The manifest edited to list the changed file's new hash: the signature no longer matches."""
    manifest = json.loads(data)
    for entry in manifest["files"]:
        if entry["path"] == EVIDENCE:
            entry["sha256"] = hashlib.sha256(flip(b"minutes of the risk workshop\n")).hexdigest()
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    "change, says",
    [
        ({"change": {EVIDENCE: flip}}, "FAILED"),
        ({"add": {"clauses/extra.txt": b"slipped in"}}, "> clauses/extra.txt"),
        ({"drop": {EVIDENCE}}, "FAILED open or read"),
        ({"change": {"manifest.json": edit_manifest}}, "Signature Verification Failure"),
        ({"change": {EVIDENCE: flip, "manifest.json": forge_manifest}}, "Signature Verification Failure"),
    ],
    ids=["flipped byte", "added file", "removed file", "edited manifest", "manifest edited to match"],
)
def test_the_documented_check_fails_on_each_change(pack, key, tmp_path, change, says):
    bad = rewrite(pack, tmp_path / "bad.zip", **change)
    check_fails(bad, key, tmp_path, says)


@pytest.mark.parametrize(
    "forgery, says",
    [
        ({"first": [(EVIDENCE, b"forged minutes\n")]}, "FAILED"),
        ({"last": [(EVIDENCE, b"forged minutes\n")]}, f"> {EVIDENCE}"),
        ({"first": [("manifest.sig", b"\0" * 64)]}, "Signature Verification Failure"),
        ({"last": [("clauses/more/", b"")]}, "> clauses/more/"),
    ],
    ids=["a forged file placed first", "a second file of one name", "a second signature", "a folder entry"],
)
def test_the_documented_check_fails_on_a_forged_zip(pack, key, tmp_path, forgery, says):
    """Entries unzip reads otherwise than Python's zipfile: the check sees the ZIP's own list of entries."""
    check_fails(forge(pack, tmp_path / "forged.zip", **forgery), key, tmp_path, says)


def check_fails(bad, key, tmp_path, says):
    result = run_check(bad, key, tmp_path / "check")
    assert result.returncode != 0
    assert "pack verified" not in result.stdout
    assert says in result.stdout + result.stderr

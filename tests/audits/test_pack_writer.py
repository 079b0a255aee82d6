"""How the pack writer stores its entries: what deflate cannot shrink is stored as it is, and a pack that
mixes both methods reads back byte for byte and verifies, with our code and with the documented check."""

import os
import shutil
import zipfile

import pytest

from audits.pack import signing
from audits.pack.verify import verify_pack
from audits.pack.writer import PackWriter, worth_deflating
from tests.audits.pack_helpers import build, make_evidence, read
from tests.audits.test_pack_openssl import run_check

pytestmark = pytest.mark.django_db

FOLDER = "clauses/6.1.2 AI risk assessment"


def test_only_what_deflate_shrinks_is_deflated():
    text = b"minutes of the risk workshop: owner, treatment, residual risk\n" * 2_000
    assert worth_deflating(text)
    assert not worth_deflating(os.urandom(300_000)), "random bytes: a scan, a photo, an archive"
    assert worth_deflating(b"tiny"), "too little to judge: deflated, as before"
    # Judged on slices spread over the head, not its first bytes alone: a compressed body behind a
    # text header (a PDF's first objects, a JPEG's metadata) is stored.
    assert not worth_deflating(text[:8_000] + os.urandom(300_000))


def test_stored_and_deflated_entries_read_back_and_verify(owner, auditor, tmp_path):
    scan = b"\x89PNG\r\n\x1a\n" + os.urandom(300_000)  # as a photo or a scan: compressed already
    minutes = b"minutes of the risk workshop\n" * 5_000
    make_evidence(owner, ["6.1.2"], scan, "scan.png")
    make_evidence(owner, ["6.1.2"], minutes, "minutes.txt")
    path, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path)

    with zipfile.ZipFile(path) as archive:
        method = {info.filename: info.compress_type for info in archive.infolist()}
    assert method[f"{FOLDER}/evidence/EVD-0001 scan.png"] == zipfile.ZIP_STORED
    assert method[f"{FOLDER}/evidence/EVD-0002 minutes.txt"] == zipfile.ZIP_DEFLATED
    assert method[f"{FOLDER}/records.csv"] == method[f"{FOLDER}/records.json"] == zipfile.ZIP_DEFLATED
    assert read(path, f"{FOLDER}/evidence/EVD-0001 scan.png") == scan
    assert read(path, f"{FOLDER}/evidence/EVD-0002 minutes.txt") == minutes

    key = signing.signing_key()
    assert verify_pack(path, [key.public]).ok
    if shutil.which("openssl") and shutil.which("unzip"):
        pem = tmp_path / "aims-pack-key.pem"
        pem.write_text(key.public.pem)
        done = run_check(path, pem, tmp_path / "check")
        assert done.returncode == 0 and done.stdout.strip().endswith("pack verified"), done.stderr


def test_a_streamed_entry_is_hashed_as_written(tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)  # several chunks, the last a short one
    source = tmp_path / "large.bin"
    source.write_bytes(data)
    writer = PackWriter(tmp_path / "pack.zip")
    with source.open("rb") as stream:
        writer.add_stream("files/large.bin", stream, {"kind": "evidence"}, len(data))
    writer.finish({"test": True}, signing.signing_key())
    with zipfile.ZipFile(tmp_path / "pack.zip") as archive:
        assert archive.getinfo("files/large.bin").compress_type == zipfile.ZIP_STORED
        assert archive.read("files/large.bin") == data
    assert verify_pack(tmp_path / "pack.zip").ok

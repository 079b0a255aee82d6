"""A pack's manifest is signed and lists every file's SHA-256: verify_pack, `manage.py verify_pack` and
the API endpoint find any change made after export, and name the file."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils.crypto import salted_hmac

from audits.pack import signing
from audits.pack.verify import verify_pack
from tests.audits.pack_helpers import build, make_evidence, names, read, read_json, requirement, rewrite
from tests.base import client_for

pytestmark = pytest.mark.django_db

EVIDENCE = "clauses/6.1.2 AI risk assessment/evidence/EVD-0001 minutes.txt"


@pytest.fixture
def pack(owner, auditor, make_risk, tmp_path):
    from registers.services import risk_update

    risk = make_risk()
    risk_update(risk, actor=owner, expected_version=1, fields={}, requirements=[requirement("6.1.2")])
    make_evidence(owner, ["6.1.2"], b"minutes of the risk workshop\n", "minutes.txt")
    path, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path)
    return path


def test_a_good_pack_verifies(pack):
    result = verify_pack(pack)
    assert result.ok, result.problems
    assert result.files == len(names(pack)) - 2
    assert result.summary == f"pack verified: {result.files} files"


def test_the_manifest_lists_every_file_with_its_hash_size_and_source(pack):
    manifest = read_json(pack, "manifest.json")
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(names(pack)) - {"manifest.json", "manifest.sig"}
    data = read(pack, EVIDENCE)
    assert listed[EVIDENCE]["sha256"] == hashlib.sha256(data).hexdigest()
    assert listed[EVIDENCE]["size"] == len(data)
    assert listed[EVIDENCE]["source"]["reference"] == "EVD-0001"
    csv_source = listed["clauses/6.1.2 AI risk assessment/records.csv"]["source"]
    # The evidence library is a register too: its row (type, owner, validity) sits beside the risk's.
    assert csv_source == {"kind": "records", "folder": "clauses/6.1.2 AI risk assessment", "records": 2,
                          "models": ["audits.evidence", "registers.risk"]}  # fmt: skip
    assert manifest["pack"]["exported_by"]["username"] == "audrey"
    assert {"scope", "as_of", "created_at"} <= set(manifest["pack"])


def test_the_signature_is_djangos_salted_hmac_over_the_manifest_bytes(pack):
    expected = salted_hmac(signing.KEY_SALT, read(pack, "manifest.json"), algorithm="sha256").hexdigest()
    assert read(pack, "manifest.sig").decode().strip() == expected


def test_a_changed_byte_in_one_file_is_named(pack, tmp_path):
    def flip(data: bytes) -> bytes:
        return bytes([data[0] ^ 1]) + data[1:]

    result = verify_pack(rewrite(pack, tmp_path / "bad.zip", change={EVIDENCE: flip}))
    assert not result.ok
    assert result.problems == [f"tampered: {EVIDENCE} (its SHA-256 differs from the manifest)"]


def test_an_edited_manifest_breaks_the_signature(pack, tmp_path):
    def edit(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["pack"]["exported_by"]["name"] = "Someone else"
        return json.dumps(manifest).encode()

    result = verify_pack(rewrite(pack, tmp_path / "bad.zip", change={"manifest.json": edit}))
    assert [p.split(" (")[0] for p in result.problems] == ["tampered: manifest.json"]
    assert "signature does not match" in result.problems[0]


def test_a_manifest_edited_to_match_a_changed_file_still_fails(pack, tmp_path):
    new = b"forged minutes\n"

    def forge(data: bytes) -> bytes:
        manifest = json.loads(data)
        for entry in manifest["files"]:
            if entry["path"] == EVIDENCE:
                entry.update(sha256=hashlib.sha256(new).hexdigest(), size=len(new))
        return json.dumps(manifest).encode()

    changed = rewrite(pack, tmp_path / "bad.zip", change={EVIDENCE: lambda _: new, "manifest.json": forge})
    assert [p.split(" (")[0] for p in verify_pack(changed).problems] == ["tampered: manifest.json"]


def test_an_added_file_is_named(pack, tmp_path):
    result = verify_pack(rewrite(pack, tmp_path / "bad.zip", add={"clauses/extra.txt": b"slipped in"}))
    assert result.problems == ["extra: clauses/extra.txt (not in the manifest)"]


def test_a_removed_file_is_named(pack, tmp_path):
    result = verify_pack(rewrite(pack, tmp_path / "bad.zip", drop={EVIDENCE}))
    assert result.problems == [f"missing: {EVIDENCE}"]


def test_a_damaged_zip_entry_is_named(pack, tmp_path):
    """A byte flipped in the ZIP itself (not through zipfile): the entry's CRC check fails."""
    data = bytearray(pack.read_bytes())
    name = b"EVD-0001 minutes.txt"
    at = data.find(name) + len(name) + 3  # inside that entry's compressed bytes, after its local header
    data[at] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    result = verify_pack(damaged)
    assert not result.ok and any(EVIDENCE in p for p in result.problems)


def test_not_a_zip_is_refused_with_a_message(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    assert verify_pack(junk).problems[0].startswith("not a ZIP file")


def test_the_command_says_verified_or_names_each_problem(pack, tmp_path, capsys):
    call_command("verify_pack", str(pack))
    assert capsys.readouterr().out.strip().startswith("pack verified: ")

    bad = rewrite(pack, tmp_path / "bad.zip", drop={EVIDENCE}, add={"x.txt": b"x"})
    with pytest.raises(CommandError, match="NOT verified: 2 problem"):
        call_command("verify_pack", str(bad))
    err = capsys.readouterr().err
    assert f"missing: {EVIDENCE}" in err and "extra: x.txt" in err

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_pack", str(tmp_path / "absent.zip"))


def test_the_api_verifies_an_uploaded_pack(pack, auditor, tmp_path):
    client = client_for(auditor)
    with pack.open("rb") as stream:
        good = client.post("/api/v1/evidence-packs/verify/", {"file": stream})
    assert good.status_code == 200 and good.json()["ok"] is True
    assert good.json()["summary"].startswith("pack verified")

    bad = rewrite(pack, tmp_path / "bad.zip", drop={EVIDENCE})
    with bad.open("rb") as stream:
        answer = client.post("/api/v1/evidence-packs/verify/", {"file": stream}).json()
    assert answer["ok"] is False and answer["problems"] == [f"missing: {EVIDENCE}"]

    missing = client.post("/api/v1/evidence-packs/verify/", {})
    assert missing.status_code == 400 and "file" in missing.json()

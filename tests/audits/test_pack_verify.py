"""A pack's manifest is signed with Ed25519 and lists every file's SHA-256: verify_pack, `manage.py
verify_pack --public-key` and the API endpoint find any change made after export, and name the file.
Checked with the real key, as published at the app's public URL."""

import hashlib
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils.crypto import salted_hmac

from audits.pack import signing
from audits.pack.signing import PublicKey
from audits.pack.verify import verify_pack
from tests.audits.pack_helpers import build, make_evidence, names, read, read_json, rewrite
from tests.base import client_for

pytestmark = pytest.mark.django_db

EVIDENCE = "clauses/6.1.2 AI risk assessment/evidence/EVD-0001 minutes.txt"
KEYS_URL = "/.well-known/aims-pack-signing-keys"


@pytest.fixture
def pack(owner, auditor, make_risk, tmp_path):
    make_risk()  # in 6.1.2 by its nature
    make_evidence(owner, ["6.1.2"], b"minutes of the risk workshop\n", "minutes.txt")
    path, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path)
    return path


def published_pem(fingerprint: str) -> bytes:
    """The public key as anyone gets it: from the app's public URL, without signing in."""
    response = Client().get(f"{KEYS_URL}/{fingerprint}.pem")
    assert response.status_code == 200
    return response.content


@pytest.fixture
def key_file(pack, tmp_path):
    fingerprint = read_json(pack, "manifest.json")["signature"]["key_fingerprint"]
    path = tmp_path / "aims-pack-key.pem"
    path.write_bytes(published_pem(fingerprint))
    return path


def flip(data: bytes) -> bytes:
    return bytes([data[0] ^ 1]) + data[1:]


def edit_manifest(data: bytes) -> bytes:
    manifest = json.loads(data)
    manifest["pack"]["exported_by"]["name"] = "Someone else"
    return json.dumps(manifest).encode()


# The four changes an auditor must be able to detect, each with the problem named.
TAMPERING = {
    "a flipped byte": ({"change": {EVIDENCE: flip}}, f"tampered: {EVIDENCE}"),
    "an added file": ({"add": {"clauses/extra.txt": b"slipped in"}}, "extra: clauses/extra.txt"),
    "a removed file": ({"drop": {EVIDENCE}}, f"missing: {EVIDENCE}"),
    "an edited manifest": ({"change": {"manifest.json": edit_manifest}}, "tampered: manifest.json"),
}


def test_a_good_pack_verifies_with_the_published_key(pack, key_file):
    result = verify_pack(pack, [PublicKey.from_pem(key_file.read_bytes())])
    assert result.ok, result.problems
    assert result.files == len(names(pack)) - 2
    fingerprint = signing.signing_key().fingerprint
    assert result.key == fingerprint
    assert result.summary == f"pack verified: {result.files} files; signed by the Ed25519 key {fingerprint}"
    assert verify_pack(pack).ok, "and with the AIMS's own keys"


def test_the_signature_is_ed25519_over_the_manifest_bytes_by_the_named_key(pack):
    manifest = read_json(pack, "manifest.json")
    key = signing.signing_key()
    assert manifest["format"] == "aims-evidence-pack/2"
    assert manifest["signature"]["algorithm"] == "Ed25519"
    assert manifest["signature"]["key_fingerprint"] == key.fingerprint
    raw = key.public.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert key.fingerprint == hashlib.sha256(raw).hexdigest(), "SHA-256 of the raw public key"
    signature = read(pack, "manifest.sig")
    assert len(signature) == 64
    key.public.key.verify(signature, read(pack, "manifest.json"))  # raises if it does not match


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
    assert {"scope", "as_of", "created_at", "counts"} <= set(manifest["pack"])


@pytest.mark.parametrize("what", TAMPERING)
def test_each_change_is_named_by_verify_pack_with_the_public_key(pack, key_file, tmp_path, what):
    change, problem = TAMPERING[what]
    result = verify_pack(
        rewrite(pack, tmp_path / "bad.zip", **change), [PublicKey.from_pem(key_file.read_bytes())]
    )
    assert [p.split(" (")[0] for p in result.problems] == [problem]


@pytest.mark.parametrize("what", TAMPERING)
def test_each_change_fails_the_command_with_the_public_key(pack, key_file, tmp_path, capsys, what):
    change, problem = TAMPERING[what]
    bad = rewrite(pack, tmp_path / "bad.zip", **change)
    with pytest.raises(CommandError, match="NOT verified: 1 problem"):
        call_command("verify_pack", str(bad), "--public-key", str(key_file))
    assert capsys.readouterr().err.startswith(problem)


@pytest.mark.parametrize("what", TAMPERING)
def test_each_change_fails_the_api_check(pack, key_file, auditor, tmp_path, what):
    change, problem = TAMPERING[what]
    bad = rewrite(pack, tmp_path / "bad.zip", **change)
    client = client_for(auditor)
    with bad.open("rb") as stream, key_file.open("rb") as key:
        with_key = client.post("/api/v1/evidence-packs/verify/", {"file": stream, "public_key": key}).json()
    with bad.open("rb") as stream:
        own_keys = client.post("/api/v1/evidence-packs/verify/", {"file": stream}).json()
    for answer in (with_key, own_keys):
        assert answer["ok"] is False and [p.split(" (")[0] for p in answer["problems"]] == [problem]


def test_the_edited_manifest_names_the_signature(pack, key_file, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", change={"manifest.json": edit_manifest})
    [problem] = verify_pack(bad, [PublicKey.from_pem(key_file.read_bytes())]).problems
    assert "its signature does not match the public key given" in problem


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


def test_another_key_does_not_verify_the_pack(pack, tmp_path):
    stranger = PublicKey.of(Ed25519PrivateKey.generate().public_key())
    [problem] = verify_pack(pack, [stranger]).problems
    assert problem.startswith("tampered: manifest.json (its signature does not match the public key given")
    assert signing.signing_key().fingerprint in problem, "it says which key the manifest names"


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


def test_the_command_says_verified_or_names_each_problem(pack, key_file, tmp_path, capsys):
    call_command("verify_pack", str(pack), "--public-key", str(key_file))
    assert capsys.readouterr().out.strip().startswith("pack verified: ")
    call_command("verify_pack", str(pack))  # without a key: the AIMS's own
    assert capsys.readouterr().out.strip().startswith("pack verified: ")

    bad = rewrite(pack, tmp_path / "bad.zip", drop={EVIDENCE}, add={"x.txt": b"x"})
    with pytest.raises(CommandError, match="NOT verified: 2 problem"):
        call_command("verify_pack", str(bad), "--public-key", str(key_file))
    err = capsys.readouterr().err
    assert f"missing: {EVIDENCE}" in err and "extra: x.txt" in err

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("verify_pack", str(tmp_path / "absent.zip"))
    not_a_key = tmp_path / "junk.pem"
    not_a_key.write_text("hello")
    with pytest.raises(CommandError, match="junk.pem is not a PEM public key"):
        call_command("verify_pack", str(pack), "--public-key", str(not_a_key))


def test_the_api_verifies_an_uploaded_pack(pack, auditor, tmp_path):
    client = client_for(auditor)
    with pack.open("rb") as stream:
        good = client.post("/api/v1/evidence-packs/verify/", {"file": stream}).json()
    assert good["ok"] is True and good["summary"].startswith("pack verified")
    assert good["key_fingerprint"] == signing.signing_key().fingerprint and good["algorithm"] == "Ed25519"

    missing = client.post("/api/v1/evidence-packs/verify/", {})
    assert missing.status_code == 400 and "file" in missing.json()
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    with pack.open("rb") as stream, junk.open("rb") as key:
        refused = client.post("/api/v1/evidence-packs/verify/", {"file": stream, "public_key": key})
    assert refused.status_code == 400 and refused.json()["public_key"] == [
        "The public key is not a PEM public key."
    ]


def test_the_public_keys_are_published_without_sign_in(pack):
    key = signing.signing_key()
    answer = Client().get(KEYS_URL)
    assert answer.status_code == 200
    body = answer.json()
    assert body["current"] == key.fingerprint
    [listed] = body["keys"]
    assert listed["status"] == "current" and listed["public_key_pem"] == key.public.pem
    assert listed["pem_url"].endswith(f"{KEYS_URL}/{key.fingerprint}.pem")
    assert PublicKey.from_pem(published_pem(key.fingerprint)).fingerprint == key.fingerprint
    assert Client().get(f"{KEYS_URL}/{'0' * 64}.pem").status_code == 404


def new_private_pem() -> str:
    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )


def test_a_rotated_key_still_verifies_the_packs_it_signed(pack, auditor, settings, tmp_path):
    old = signing.signing_key()
    settings.PACK_SIGNING_KEY = new_private_pem()  # the rotation: a new key in the environment
    newer, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path / "after")
    new = signing.signing_key()
    assert new.fingerprint != old.fingerprint
    assert read_json(newer, "manifest.json")["signature"]["key_fingerprint"] == new.fingerprint

    assert verify_pack(pack).key == old.fingerprint, "the old pack, by the retired key"
    assert verify_pack(newer).key == new.fingerprint
    keys = {k["fingerprint"]: k["status"] for k in Client().get(KEYS_URL).json()["keys"]}
    assert keys == {new.fingerprint: "current", old.fingerprint: "retired"}
    old_pem = PublicKey.from_pem(published_pem(old.fingerprint))
    assert verify_pack(pack, [old_pem]).ok and not verify_pack(newer, [old_pem]).ok


def legacy(pack, tmp_path):
    """The pack as the first format signed it: HMAC-SHA256 under SECRET_KEY, as hex text."""
    manifest = read_json(pack, "manifest.json")
    manifest["format"] = "aims-evidence-pack/1"
    manifest["signature"] = {"file": "manifest.sig", "algorithm": "HMAC-SHA256",
                             "covers": "the exact bytes of manifest.json"}  # fmt: skip
    data = json.dumps(manifest).encode()
    mac = salted_hmac(signing.LEGACY_KEY_SALT, data, algorithm="sha256").hexdigest()
    return rewrite(pack, tmp_path / "old.zip", change={"manifest.json": lambda _: data,
                                                       "manifest.sig": lambda _: (mac + "\n").encode()})  # fmt: skip


def test_an_old_hmac_pack_is_checked_by_the_server_but_not_by_a_public_key(pack, key_file, tmp_path, capsys):
    old = legacy(pack, tmp_path)
    result = verify_pack(old)
    assert result.ok and result.summary.endswith("signed with the old server-secret scheme (HMAC-SHA256)")

    with pytest.raises(CommandError, match="NOT verified: 1 problem"):
        call_command("verify_pack", str(old), "--public-key", str(key_file))
    err = capsys.readouterr().err
    assert err.startswith("unverifiable: manifest.json (signed with the old server-secret scheme")
    assert "cannot be checked by a public key" in err

    edited = rewrite(old, tmp_path / "old-edited.zip", change={"manifest.json": edit_manifest})
    assert [p.split(" (")[0] for p in verify_pack(edited).problems] == ["tampered: manifest.json"]


def test_the_stakeholder_report_shows_the_signing_key_s_fingerprint(owner):
    key = signing.signing_key()
    page = client_for(owner).get("/stakeholder-report/").content.decode()
    assert "Checking the evidence we hand out" in page
    assert key.fingerprint in page and "/.well-known/aims-pack-signing-keys" in page


def test_a_key_is_made_on_first_use_readable_by_its_owner_only(settings, tmp_path):
    settings.PACK_SIGNING_KEY, settings.PACK_SIGNING_KEY_FILE = "", tmp_path / "keys" / "pack.pem"
    key = signing.signing_key()
    assert (settings.PACK_SIGNING_KEY_FILE.stat().st_mode & 0o777) == 0o600
    assert signing.signing_key().fingerprint == key.fingerprint, "made once, then read"


def test_without_a_key_a_pack_fails_with_a_clear_error_and_the_keys_page_still_answers(
    settings, auditor, tmp_path, owner
):
    from aims.jobs import JobError

    settings.PACK_SIGNING_KEY, settings.PACK_SIGNING_KEY_FILE = "", tmp_path / "absent.pem"
    settings.PACK_SIGNING_KEY_GENERATE = False
    with pytest.raises(
        JobError, match="cannot be signed: No evidence-pack signing key: set AIMS_PACK_SIGNING_KEY"
    ):
        build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path)
    assert Client().get(KEYS_URL).json()["current"] is None
    page = client_for(owner).get("/stakeholder-report/")
    assert page.status_code == 200 and "Checking the evidence we hand out" not in page.content.decode()

"""Every file AIMS hands out (job results, evidence packs, list exports, evidence files) goes through
aims.downloads.download: saved, never rendered, under a safe name, and kept by no shared cache."""

import pytest

from aims.downloads import download, safe_download_name
from aims.models import ApiToken, Job
from tests.audits.pack_helpers import make_evidence, new_pack
from tests.base import client_for, finish_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def assert_private_attachment(response, name=None):
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; filename")
    if name:
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'


@pytest.mark.parametrize(
    "given, saved",
    [
        ("risk register.csv", "risk register.csv"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ('report "final"\r\nSet-Cookie: a=1.pdf', "report 'final' Set-Cookie- a=1.pdf"),
        ("\u202egpj.exe", "gpj.exe"),  # a right-to-left override would disguise the extension
        ("...", "download.bin"),
        ("", "download.bin"),
        ("x" * 300 + ".zip", "x" * 146 + ".zip"),
    ],
)
def test_a_file_name_is_saved_without_folders_or_header_breaks(given, saved):
    assert safe_download_name(given) == saved


def test_a_name_beyond_ascii_is_kept_for_the_browser():
    response = download(b"x", "Bewertung für Ärzte.csv")
    assert (
        response["Content-Disposition"]
        == "attachment; filename*=utf-8''Bewertung%20f%C3%BCr%20%C3%84rzte.csv"
    )
    assert response["Content-Type"] == "text/csv"


def finished_job(owner, name="risk-register.pdf"):
    job = Job.objects.create(kind="report", title="Risk register", requested_by=owner)
    finish_job(job, "risk-register.pdf", b"%PDF-1.7 pretend\n")
    Job.objects.filter(pk=job.pk).update(result_name=name)  # as an older row may hold it
    return job


def test_a_job_result_is_a_private_attachment_on_the_page_and_the_api(owner):
    job = finished_job(owner, name='Q1 "board"\npack.pdf')
    page = client_for(owner).get(f"/jobs/{job.pk}/download/")
    assert_private_attachment(page, "Q1 'board' pack.pdf")
    assert b"".join(page.streaming_content) == b"%PDF-1.7 pretend\n"
    token = ApiToken.issue(user=owner, name="downloads")[1]
    api = client_for(owner).get(f"/api/v1/jobs/{job.pk}/download/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_private_attachment(api, "Q1 'board' pack.pdf")


def test_an_evidence_pack_is_a_private_attachment_on_the_page_and_the_api(auditor):
    pack = new_pack(auditor, {"whole": True})
    finish_job(pack.job, "evidence-pack.zip", b"PK\x05\x06" + b"\0" * 18)
    client = client_for(auditor)
    assert_private_attachment(client.get(f"/evidence-packs/{pack.pk}/download/"), "evidence-pack.zip")
    assert_private_attachment(client.get(f"/api/v1/evidence-packs/{pack.pk}/download/"), "evidence-pack.zip")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_list_exports_are_private_attachments(manager, make_risk, fmt):
    make_risk()
    client = client_for(manager)
    assert_private_attachment(client.get(f"/risks/?export={fmt}"))  # the risk register's own layout
    assert_private_attachment(client.get(f"/management-reviews/?export={fmt}"))  # any other register


def test_an_evidence_file_and_its_earlier_version_are_private_attachments(owner, auditor):
    evidence = make_evidence(owner, ["6.1.2"], data=b"minutes\n", name="minutes.txt")
    client = client_for(auditor)
    current = client.get(f"/evidence/{evidence.reference}/file/")
    assert_private_attachment(current, "minutes.txt")
    assert current["Content-Type"] == "text/plain"
    assert_private_attachment(client.get(f"/evidence/{evidence.reference}/files/1/"), "minutes.txt")


def test_the_public_signing_key_may_be_shown_and_cached(client):
    keys = client.get("/.well-known/aims-pack-signing-keys").json()
    fingerprint = keys["keys"][0]["fingerprint"]
    pem = client.get(f"/.well-known/aims-pack-signing-keys/{fingerprint}.pem")
    assert pem.status_code == 200 and pem.content.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert pem["Content-Disposition"] == f'inline; filename="aims-pack-key-{fingerprint[:16]}.pem"'
    assert pem["Cache-Control"] == "public, max-age=86400" and pem["X-Content-Type-Options"] == "nosniff"

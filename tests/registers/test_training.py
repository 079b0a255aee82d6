import datetime as dt
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.models import Notification
from aims.records import create_record, history
from aims.reminders import sweep
from registers.models import AimsRole, TrainingRecord
from registers.standard.competence import services as competence_services
from registers.standard.courses import services as course_services
from registers.standard.training import add_months, services
from tests.base import client_for, form_data_for
from tests.conftest import make_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def today():
    """Asked per test, not once at import: a run that crosses midnight still compares like with like."""
    return timezone.localdate()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def course(owner):
    return course_services.create(
        actor=owner, fields={"title": "Responsible AI foundations", "valid_months": 12}
    )


@pytest.fixture
def trainee(db):
    return make_user("tina")


@pytest.fixture
def make_training(owner, course, trainee):
    def make(actor=None, **overrides):
        fields = {"person": trainee, "course": course, "completed_on": dt.date(2025, 1, 31), **overrides}
        return services.create(actor=actor or owner, fields=fields)

    return make


def without_file(record):
    return {k: v for k, v in form_data_for(record).items() if k != "evidence"}


# -- expiry, title and review date ------------------------------------------------------------------


def test_expiry_comes_from_the_course_and_is_the_next_review(make_training, course, trainee):
    record = make_training()
    assert record.expires_on == dt.date(2026, 1, 31) == record.next_review_on
    assert record.title == "Responsible AI foundations: Tina"
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)


def test_a_new_completion_date_moves_a_derived_expiry_but_not_a_given_one(make_training, owner):
    derived = make_training()
    derived = services.update(
        derived, actor=owner, expected_version=1, fields={"completed_on": dt.date(2025, 6, 1)}
    )
    assert derived.expires_on == dt.date(2026, 6, 1) == derived.next_review_on
    given = make_training(expires_on=dt.date(2025, 9, 30))
    given = services.update(
        given, actor=owner, expected_version=1, fields={"completed_on": dt.date(2025, 2, 1)}
    )
    assert given.expires_on == dt.date(2025, 9, 30) == given.next_review_on


def test_a_course_that_does_not_expire_leaves_expiry_empty(make_training, owner, today):
    lasting = course_services.create(actor=owner, fields={"title": "AI policy induction"})
    record = make_training(course=lasting)
    assert record.expires_on is None
    assert record.next_review_on == today + dt.timedelta(days=365)  # reviewed yearly instead


def test_expiry_must_follow_completion(make_training):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        make_training(expires_on=dt.date(2024, 1, 1))
    assert "expires_on" in exc.value.message_dict


def test_a_record_names_the_course_or_the_competence_it_evidences_7_2(owner, trainee):
    """7.2 b and d: competence from education or experience is evidence too, but a record must say of what."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.create(actor=owner, fields={"person": trainee, "completed_on": dt.date(2025, 1, 31)})
    assert exc.value.message_dict["course"] == [
        "Name the course completed, or the competence the evidence shows."
    ]
    page = client_for(owner).post(
        "/training/new/", {"title": "", "person": trainee.pk, "completed_on": "2025-01-31", "owner": owner.pk}
    )
    assert page.status_code == 400 and "Name the course completed" in page.content.decode()
    assert not TrainingRecord.objects.exists()


def test_api_records_evidence_of_a_competence_without_a_course(owner, trainee):
    role = create_record(
        AimsRole, actor=owner, fields={"title": "AI risk owner", "responsibilities": "RACI.", "owner": owner}
    )
    competence = competence_services.create(
        actor=owner, fields={"title": "Knows credit models", "role": role}
    )
    response = client_for(owner).post(
        "/api/v1/training/",
        {"person": trainee.username, "competence": competence.reference, "completed_on": "2025-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Knows credit models: Tina" and body["course"] is None
    assert body["competence"] == competence.reference and body["expires_on"] is None


# -- uploads ----------------------------------------------------------------------------------------


def new_form(course, trainee, owner, **extra):
    return {"title": "", "person": trainee.pk, "course": course.pk, "completed_on": "2025-01-31",
            "expires_on": "", "notes": "", "owner": owner.pk, **extra}  # fmt: skip


def test_upload_is_stored_privately_under_a_random_name(course, trainee, owner, private_media, settings):
    upload = SimpleUploadedFile("Tina certificate.pdf", PDF, content_type="application/pdf")
    response = client_for(owner).post("/training/new/", new_form(course, trainee, owner, evidence=upload))
    assert response.status_code == 302, response.content.decode()[:3000]
    record = TrainingRecord.objects.get()
    assert record.evidence_name == "Tina certificate.pdf"
    assert record.evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    assert re.fullmatch(r"uploads/trainingrecord/[0-9a-f]{32}\.pdf", record.evidence.name)
    stored = (private_media / record.evidence.name).resolve()
    assert stored.read_bytes() == PDF
    assert not stored.is_relative_to(settings.STATIC_ROOT.resolve())
    created = history(record).get()
    assert {
        "field": "evidence",
        "label": "Evidence",
        "old": "",
        "new": "Tina certificate.pdf",
    } in created.changes
    page = client_for(owner).get(record.get_absolute_url()).content.decode()
    assert f"/training/{record.reference}/evidence/" in page and "Download Tina certificate.pdf" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "Files of type &#x27;.exe&#x27; are not accepted"),
        ("certificate.pdf", b"<html><script>alert(1)</script></html>", "not a .pdf file"),
        ("certificate.pdf", PDF + b"x" * 200, "the limit"),
    ],
    ids=["wrong-type", "fake-content", "too-big"],
)
def test_bad_uploads_are_refused_on_the_field(
    name, content, message, course, trainee, owner, private_media, settings
):
    settings.MAX_UPLOAD_BYTES = 200
    upload = SimpleUploadedFile(name, content)
    response = client_for(owner).post("/training/new/", new_form(course, trainee, owner, evidence=upload))
    assert response.status_code == 400
    assert response.context["form"].errors["evidence"]
    field = response.content.decode().split('for="id_evidence"')[1]
    assert message in field.split("</div>")[0]
    assert not TrainingRecord.objects.exists()
    assert not private_media.exists() or not any(private_media.rglob("*.*"))


def test_the_service_refuses_bad_uploads_too(course, trainee, owner, today):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.create(
            actor=owner,
            fields={"person": trainee, "course": course, "completed_on": today,
                    "evidence": SimpleUploadedFile("x.pdf", b"not a pdf")},
        )  # fmt: skip
    assert "evidence" in exc.value.message_dict and not TrainingRecord.objects.exists()


def test_editing_without_a_new_file_keeps_it_and_clearing_removes_it(make_training, owner):
    record = make_training(evidence=SimpleUploadedFile("cert.pdf", PDF))
    client = client_for(owner)
    form = client.get(f"/training/{record.reference}/edit/").content.decode()
    assert (
        f'href="/training/{record.reference}/evidence/">cert.pdf</a>' in form and 'enctype="multipart' in form
    )
    response = client.post(
        f"/training/{record.reference}/edit/", {**without_file(record), "notes": "Passed."}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.notes == "Passed." and record.evidence_name == "cert.pdf" and record.evidence
    response = client.post(
        f"/training/{record.reference}/edit/", {**without_file(record), "evidence-clear": "on"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert not record.evidence and record.evidence_name == "" and record.evidence_sha256 == ""
    assert history(record).first().changes[0]["old"] == "cert.pdf"


# -- downloads --------------------------------------------------------------------------------------


def test_download_is_an_attachment_for_those_who_may_see_the_record(make_training, auditor, outsider):
    record = make_training(evidence=SimpleUploadedFile("Tina's cert.pdf", PDF))
    response = client_for(auditor).get(f"/training/{record.reference}/evidence/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "cert.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert client_for(outsider).get(f"/training/{record.reference}/evidence/").status_code == 404


def test_download_without_a_file_is_404(make_training, auditor):
    record = make_training()
    assert client_for(auditor).get(f"/training/{record.reference}/evidence/").status_code == 404


def test_the_file_has_no_public_url(make_training):
    record = make_training(evidence=SimpleUploadedFile("cert.pdf", PDF))
    with pytest.raises(ValueError):
        record.evidence.url  # noqa: B018


# -- reminders and API ------------------------------------------------------------------------------


def test_expiry_reminds_the_person_and_the_owner_once(make_training, owner, trainee, today):
    record = make_training(
        completed_on=today - dt.timedelta(days=300), expires_on=today + dt.timedelta(days=5)
    )
    assert sweep()["notifications"] == 2
    for person in (owner, trainee):
        note = Notification.objects.get(user=person)
        assert record.reference in note.message and note.url == record.get_absolute_url()
    assert sweep() == {"notifications": 0, "emails": 0}
    assert Notification.objects.count() == 2


def test_the_owner_trained_themselves_is_reminded_once(make_training, owner, today):
    make_training(person=owner, completed_on=today - dt.timedelta(days=300), expires_on=today)
    assert sweep()["notifications"] == 1


def test_api_shows_evidence_name_and_hash_read_only(make_training, owner):
    record = make_training(evidence=SimpleUploadedFile("cert.pdf", PDF))
    client = client_for(owner)
    data = client.get(f"/api/v1/training/{record.reference}/").json()
    assert data["evidence_name"] == "cert.pdf" and data["evidence_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert "evidence" not in data and data["expires_on"] == "2026-01-31"
    response = client.patch(
        f"/api/v1/training/{record.reference}/",
        {"evidence_name": "forged.pdf", "notes": "Checked", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["evidence_name"] == "cert.pdf"


def test_api_create_derives_title_and_expiry(course, trainee, owner):
    response = client_for(owner).post(
        "/api/v1/training/",
        {"person": trainee.username, "course": course.reference, "completed_on": "2025-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Responsible AI foundations: Tina"
    assert response.json()["expires_on"] == "2026-03-01" == response.json()["next_review_on"]


def test_list_flags_expired_and_expiring(make_training, auditor, today):
    make_training(completed_on=today - dt.timedelta(days=400), expires_on=today - dt.timedelta(days=1))
    make_training(completed_on=today - dt.timedelta(days=300), expires_on=today + dt.timedelta(days=20))
    client = client_for(auditor)
    page = client.get("/training/").content.decode()
    assert "Expired</span>" in page and "Expiring</span>" in page
    assert client.get("/training/?expiry=expired").context["paginator"].count == 1


def test_empty_register_says_what_to_do(owner):
    assert "No training records yet" in client_for(owner).get("/training/").content.decode()

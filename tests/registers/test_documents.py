import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.records import history
from registers.models import Document
from registers.standard.documents import SOP_TEMPLATES, services
from tests.base import client_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def make_document(owner):
    def make(actor=None, **overrides):
        fields = {"title": "AI policy", "kind": "policy", "classification": "internal", **overrides}
        return services.create(actor=actor or owner, fields=fields)

    return make


@pytest.mark.parametrize("slug", list(SOP_TEMPLATES))
def test_new_from_template_prefills_title_kind_and_content(slug, owner):
    response = client_for(owner).get(f"/documents/new/?template={slug}")
    form = response.context["form"]
    template = SOP_TEMPLATES[slug]
    assert form["title"].value() == template["title"] and form["kind"].value() == "sop"
    assert form["content"].value() == template["content"]
    for section in ("Purpose", "Scope", "Roles and responsibilities", "Inputs", "Steps", "Outputs and records",
                    "Controls referenced", "Review"):  # fmt: skip
        assert section in template["content"]
    assert re.search(r"A\.6\.2\.\d", template["content"])


def test_an_unknown_template_gives_an_empty_form(owner):
    form = client_for(owner).get("/documents/new/?template=nope").context["form"]
    assert not form["title"].value() and not form["content"].value()


def test_the_list_and_new_form_offer_the_templates(owner):
    client = client_for(owner)
    assert "/documents/new/?template=sop-deployment" in client.get("/documents/").content.decode()
    assert "?template=sop-decommissioning" in client.get("/documents/new/").content.decode()


def test_a_template_draft_saves(owner):
    client = client_for(owner)
    form = client.get("/documents/new/?template=sop-model-validation").context["form"]
    data = {
        name: form[name].value() or ""
        for name in form.fields
        if name not in ("file", "requirements", "version")
    }
    data["external_origin"] = ""
    response = client.post("/documents/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get()
    assert document.kind == "sop" and document.status == "draft" and "A.6.2.4" in document.content


def test_filters(make_document, auditor):
    make_document(title="Deployment SOP", kind="sop", classification="restricted")
    make_document(title="EU AI Act text", kind="external")
    client = client_for(auditor)
    page = client.get("/documents/?classification=restricted").content.decode()
    assert "Deployment SOP" in page and "EU AI Act text" not in page
    page = client.get("/documents/?external_origin=true").content.decode()
    assert "EU AI Act text" in page and "Deployment SOP" not in page and "AI policy" not in page
    page = client.get("/documents/?kind=sop&status=draft").content.decode()
    assert "Deployment SOP" in page and "EU AI Act text" not in page


def test_approval_names_an_approver_other_than_the_owner_and_dates_itself(make_document, owner, manager):
    from django.core.exceptions import ValidationError

    document = make_document()
    with pytest.raises(ValidationError) as exc:
        services.update(document, actor=owner, expected_version=1, fields={"status": "approved"})
    assert "approver" in exc.value.message_dict
    document = services.update(
        document, actor=owner, expected_version=1, fields={"status": "approved", "approver": manager}
    )
    assert document.approved_on == timezone.localdate()


def test_file_upload_download_and_refusals(owner, auditor, outsider, private_media, settings):
    client = client_for(owner)
    base = {"title": "Model card template", "kind": "template", "document_version": "1.0", "status": "draft",
            "classification": "internal", "owner": owner.pk, "review_cadence": 365}  # fmt: skip
    settings.MAX_UPLOAD_BYTES = 64
    for upload, message in (
        (SimpleUploadedFile("card.html", b"<html></html>"), "are not accepted"),
        (SimpleUploadedFile("card.png", b"GIF89a" + b"\x00" * 10), "not a .png file"),
        (SimpleUploadedFile("card.png", PNG * 3), "the limit"),
    ):
        response = client.post("/documents/new/", {**base, "file": upload})
        assert response.status_code == 400 and message in " ".join(response.context["form"].errors["file"])
    assert not Document.objects.exists()
    response = client.post("/documents/new/", {**base, "file": SimpleUploadedFile("card.png", PNG)})
    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get()
    assert document.file_name == "card.png" and re.fullmatch(
        r"uploads/document/[0-9a-f]{32}\.png", document.file.name
    )
    assert (private_media / document.file.name).read_bytes() == PNG
    assert any(c["field"] == "file" and c["new"] == "card.png" for c in history(document).get().changes)
    download = client_for(auditor).get(f"/documents/{document.reference}/file/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert (
        download["Content-Disposition"].startswith("attachment;")
        and b"".join(download.streaming_content) == PNG
    )
    assert client_for(outsider).get(f"/documents/{document.reference}/file/").status_code == 404


def test_empty_register_says_what_to_do(owner):
    assert "No documents yet" in client_for(owner).get("/documents/").content.decode()

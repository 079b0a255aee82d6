"""Who may export, see and download evidence packs, and what a pack holds for each person: only what
they may view (aims.permissions.restrict), per role. Pages and API, with errors that name the field."""

import pytest
from django.utils import timezone

from aims.models import Job
from aims.records import update_record
from audits.models import EvidencePack
from registers.standard.concerns import services as concerns
from tests.audits.pack_helpers import build, names, new_pack, read_json, requirement
from tests.base import client_for, finish_job

pytestmark = pytest.mark.django_db

CLAUSE = "iso42001:A.3.3"
CONCERN = {
    "title": "Chatbot gives loan advice",
    "system_note": "Customer chatbot",
    "description": "It advised.",
}


def mapped_concern(raiser, manager):
    concern = concerns.create(actor=raiser, fields=CONCERN)
    return update_record(concern, actor=manager, expected_version=concern.version, fields={},
                         requirements=[requirement("A.3.3")])  # fmt: skip


def folder_refs(path) -> set[str]:
    return {
        entry["reference"]
        for name in names(path)
        if name.endswith("records.json")
        for entry in read_json(path, name)
    }


def test_each_person_s_pack_holds_only_what_they_may_view(manager, owner, other_owner, auditor, tmp_path):
    concern = mapped_concern(other_owner, manager)  # Oscar raised it: Olivia may not see it

    for user, sees in ((manager, True), (auditor, True), (other_owner, True), (owner, False)):
        path, _ = build(user, {"requirements": [CLAUSE]}, tmp_path=tmp_path / user.username)
        assert (concern.reference in folder_refs(path)) is sees, user.username


def test_evidence_the_exporter_may_not_view_stays_out(monkeypatch, owner, auditor, tmp_path):
    from audits.policies import EvidencePolicy
    from tests.audits.pack_helpers import make_evidence

    hidden = make_evidence(owner, ["6.1.2"], b"secret", "secret.txt", title="Board minutes")
    # Confidential evidence is narrowed by the evidence register's policy; stand one in here.
    monkeypatch.setattr(EvidencePolicy, "view", lambda self, qs, user: qs.exclude(pk=hidden.pk))
    path, _ = build(auditor, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path)
    assert not any("secret" in n for n in names(path))


@pytest.fixture
def finished_pack(owner, tmp_path):
    """A pack Olivia (an owner) exported, finished and stored like the job stores it."""
    path, pack = build(owner, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path)
    finish_job(pack.job, "evidence-pack.zip", path)
    pack.job.refresh_from_db()
    return pack


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 200),
        ("manager", 200),
        ("auditor", 200),
        ("board", 404),
        ("other_owner", 404),
        ("outsider", 404),
    ],
)
def test_download_is_for_the_exporter_the_manager_and_auditors(finished_pack, request, who, status):
    user = request.getfixturevalue(who)
    response = client_for(user).get(f"/evidence-packs/{finished_pack.pk}/download/")
    assert response.status_code == status
    api = client_for(user).get(f"/api/v1/evidence-packs/{finished_pack.pk}/download/")
    assert api.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content)[:2] == b"PK"
        assert response["Content-Disposition"].startswith('attachment; filename="evidence-pack.zip"')


def test_the_list_shows_who_exported_what_and_when(finished_pack, owner, other_owner, auditor):
    own = new_pack(other_owner, {"whole": True}, title="Pack by Oscar")
    page = client_for(auditor).get("/evidence-packs/").content.decode()
    assert finished_pack.title in page and "Pack by Oscar" in page and "Olivia" in page
    assert finished_pack.sha256[:10] in page and "Done" in page
    owners_page = client_for(owner).get("/evidence-packs/").content.decode()
    assert finished_pack.title in owners_page and "Pack by Oscar" not in owners_page
    assert client_for(owner).get(f"/evidence-packs/{own.pk}/").status_code == 404


def test_the_list_is_a_constant_number_of_queries(auditor, owner, django_assert_num_queries):
    new_pack(owner, {"whole": True})
    client = client_for(auditor)
    client.get("/evidence-packs/")
    with django_assert_num_queries(4) as first:
        client.get("/evidence-packs/")
    for _ in range(5):
        new_pack(owner, {"whole": True})
    with django_assert_num_queries(len(first.captured_queries)):
        client.get("/evidence-packs/")


def test_an_empty_list_says_what_to_do_first(auditor):
    assert "Export the first one" in client_for(auditor).get("/evidence-packs/").content.decode()


def test_the_form_starts_a_pack_and_shows_its_progress(auditor):
    client = client_for(auditor)
    assert client.get("/evidence-packs/new/").status_code == 200
    response = client.post("/evidence-packs/new/", {"standard": "iso42001", "requirements": [CLAUSE],
                                                     "as_of": "2026-01-31", "title": "Stage 2 audit"})  # fmt: skip
    pack = EvidencePack.objects.get()
    assert response.status_code == 302 and response.url == f"/evidence-packs/{pack.pk}/"
    assert pack.title == "Stage 2 audit" and pack.requested_by == auditor
    assert pack.scope["requirements"] == [CLAUSE] and pack.job.kind == "evidence_pack"
    assert timezone.localtime(pack.as_of).strftime("%Y-%m-%d %H:%M") == "2026-01-31 23:59"
    page = client.get(response.url).content.decode()
    assert "Queued" in page and "<progress" in page and 'http-equiv="refresh"' in page


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"standard": "iso42001"}, None, "Choose the whole AIMS, or at least one"),
        ({"standard": "iso42001", "whole": "on", "as_of": "2999-01-01"}, "as_of", "cannot be in the future"),
        (
            {"standard": "iso42001", "requirements": ["iso42001:nope"]},
            "requirements",
            "Select a valid choice",
        ),
        ({"standard": "nope", "whole": "on"}, "standard", "Select a valid choice"),
        ({"standard": "iso42001", "systems": ["SYS-9999"]}, "systems", "Select a valid choice"),
    ],
)
def test_bad_input_starts_nothing_and_names_the_field(auditor, data, field, message):
    response = client_for(auditor).post("/evidence-packs/new/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field or "__all__", [])), errors
    assert not EvidencePack.objects.exists() and not Job.objects.exists()


def test_someone_without_a_role_may_not_export(outsider):
    assert client_for(outsider).get("/evidence-packs/new/").status_code == 403
    assert (
        client_for(outsider).post("/api/v1/evidence-packs/", {"whole": True}, "application/json").status_code
        == 403
    )


def test_the_api_lists_and_starts_packs(owner, other_owner, auditor):
    new_pack(other_owner, {"whole": True}, title="Pack by Oscar")
    client = client_for(owner)
    response = client.post("/api/v1/evidence-packs/", {"requirements": [CLAUSE], "as_of": "2026-01-31"},
                           "application/json")  # fmt: skip
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "queued" and body["scope"]["requirements"] == [CLAUSE]
    assert body["requested_by"] == "olivia" and body["download"] is None  # people by username
    assert [p["title"] for p in client.get("/api/v1/evidence-packs/").json()["results"]] == [body["title"]]
    assert len(client_for(auditor).get("/api/v1/evidence-packs/").json()["results"]) == 2


def test_the_api_refuses_a_bad_scope_naming_the_field(owner):
    client = client_for(owner)
    bad = client.post("/api/v1/evidence-packs/", {"requirements": ["iso42001:nope"]}, "application/json")
    assert bad.status_code == 400 and "requirements" in bad.json()
    empty = client.post("/api/v1/evidence-packs/", {}, "application/json")
    assert empty.status_code == 400 and "scope" in empty.json()
    future = client.post(
        "/api/v1/evidence-packs/", {"whole": True, "as_of": "2999-01-01"}, "application/json"
    )
    assert future.status_code == 400 and "as_of" in future.json()
    assert not EvidencePack.objects.exists()


def test_the_check_menu_links_to_evidence_packs(auditor):
    page = client_for(auditor).get("/evidence-packs/").content.decode()
    assert 'href="/evidence-packs/">Evidence packs</a>' in page

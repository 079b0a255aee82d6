import pytest
from django.core.exceptions import PermissionDenied

from aims.records import history
from registers.models import AimsRole, RaciAssignment
from registers.models.choices import AimsProcess
from registers.standard.aims_roles import raci_set, services
from tests.base import RegisterRoleMatrix, client_for, form_data_for


@pytest.fixture
def make_role(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Internal auditor",
            "responsibilities": "Plans and runs internal audits of the AIMS.",
            "authorities": "May request any AIMS record.",
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


class TestAimsRoleRoles(RegisterRoleMatrix):
    model = AimsRole
    url_prefix = "roles"
    api_prefix = "/api/v1/roles/"

    @pytest.fixture
    def record(self, make_role):
        return make_role()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {"title": "Data steward", "responsibilities": "Keeps training data documented."}


def matrix_post(*cells, versions):
    """The matrix form as posted: cells are (role, process, letter); versions {role: version}."""
    data = {f"version-{role.pk}": version for role, version in versions.items()}
    for role in versions:
        for process in AimsProcess.values:
            data[f"cell-{role.pk}-{process}"] = ""
    for role, process, letter in cells:
        data[f"cell-{role.pk}-{process}"] = letter
    return data


# -- The people and the role -------------------------------------------------------------------------


def test_people_in_a_role_are_history_and_shown(make_role, owner, auditor, other_owner):
    role = make_role()
    services.update(role, actor=owner, expected_version=1, fields={"people": [other_owner]})
    change = history(role).first()
    assert change.changes == [
        {"field": "people", "label": "People in this role", "old": "", "new": str(other_owner)}
    ]
    assert str(other_owner) in client_for(auditor).get(role.get_absolute_url()).content.decode()
    api = client_for(auditor).get(f"/api/v1/roles/{role.reference}/").json()
    assert api["people"] == [other_owner.username]


def test_responsibilities_are_required_on_the_page_and_in_the_api(owner):
    page = client_for(owner).post(
        "/roles/new/", {"title": "Vague role", "owner": owner.pk, "review_cadence": 91}
    )
    assert page.status_code == 400 and "responsibilities" in page.context["form"].errors
    api = client_for(owner).post("/api/v1/roles/", {"title": "Vague role"}, content_type="application/json")
    assert api.status_code == 400 and "responsibilities" in api.json()


def test_empty_register_says_what_to_do(owner):
    assert "No AIMS roles yet" in client_for(owner).get("/roles/").content.decode()
    assert (
        "No AIMS roles yet, so there is no matrix" in client_for(owner).get("/roles/raci/").content.decode()
    )


# -- The RACI matrix page -----------------------------------------------------------------------------


def test_the_manager_edits_the_matrix_and_each_change_is_history_of_its_role(make_role, manager):
    auditor_role = make_role()
    raci_set(auditor_role, actor=manager, expected_version=1, letters={"audit": "R"})
    board_role = make_role(title="Governance board")
    data = matrix_post(
        (auditor_role, "audit", "A"), (board_role, "review", "A"), versions={auditor_role: 2, board_role: 1}
    )
    response = client_for(manager).post("/roles/raci/", data)
    assert response.status_code == 302
    auditor_role.refresh_from_db()
    assert auditor_role.version == 3
    change = history(auditor_role).first()
    assert change.actor == manager and change.version == 3
    assert change.changes == [
        {"field": "raci", "label": "RACI", "old": "Internal audit: R", "new": "Internal audit: A"}
    ]
    assert history(board_role).first().changes[0]["new"] == "Management review: A"
    page = client_for(manager).get(f"{auditor_role.get_absolute_url()}?tab=history").content.decode()
    assert "Internal audit: R" in page and "Internal audit: A" in page


def test_clearing_a_letter_is_history_too(make_role, owner):
    role = make_role()
    role = raci_set(role, actor=owner, expected_version=1, letters={"audit": "R"})
    role = raci_set(role, actor=owner, expected_version=2, letters={"audit": ""})
    assert not role.raci.exists()
    assert history(role).first().changes == [
        {"field": "raci", "label": "RACI", "old": "Internal audit: R", "new": ""}
    ]


def test_saving_an_unchanged_matrix_changes_no_version(make_role, manager):
    role = make_role()
    response = client_for(manager).post("/roles/raci/", matrix_post(versions={role: 1}), follow=True)
    assert "Nothing changed" in response.content.decode()
    role.refresh_from_db()
    assert role.version == 1 and history(role).count() == 1


def test_a_stale_role_refuses_the_whole_matrix_and_says_who_changed_it(make_role, manager, owner):
    first, second = make_role(), make_role(title="Data steward")
    services.update(second, actor=owner, expected_version=1, fields={"authorities": "Signs off datasets."})
    data = matrix_post((first, "audit", "A"), (second, "data", "A"), versions={first: 1, second: 1})
    response = client_for(manager).post("/roles/raci/", data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Nothing was saved" in body and "changed since you opened it" in body and str(owner) in body
    assert not RaciAssignment.objects.exists()
    first.refresh_from_db()
    assert first.version == 1


def test_an_owner_edits_only_the_roles_they_own(make_role, owner, other_owner, manager):
    mine = make_role()
    theirs = make_role(actor=other_owner, title="Model risk lead")
    page = client_for(owner).get("/roles/raci/").content.decode()
    assert f'name="version-{mine.pk}"' in page and f'name="version-{theirs.pk}"' not in page
    data = matrix_post((mine, "audit", "R"), (theirs, "audit", "A"), versions={mine: 1, theirs: 1})
    response = client_for(owner).post("/roles/raci/", data)
    assert response.status_code == 403 and "Only the owner of" in response.content.decode()
    assert not RaciAssignment.objects.exists()  # not even the owner's own column


def test_an_auditor_reads_the_matrix_but_cannot_change_it(make_role, owner, auditor):
    role = raci_set(make_role(), actor=owner, expected_version=1, letters={"audit": "A"})
    client = client_for(auditor)
    page = client.get("/roles/raci/").content.decode()
    assert "<select" not in page and "Save the matrix" not in page and ">A<" in page
    response = client.post("/roles/raci/", matrix_post(versions={role: 2}))
    assert response.status_code == 403 and "read-only" in response.content.decode()
    assert role.raci.get().letter == "A"


def test_a_wrong_letter_is_refused_and_nothing_saved(make_role, manager):
    role = make_role()
    data = matrix_post((role, "audit", "A"), (role, "risk", "X"), versions={role: 1})
    response = client_for(manager).post("/roles/raci/", data)
    assert response.status_code == 400 and "Letters are R, A, C, I" in response.content.decode()
    assert not RaciAssignment.objects.exists()


def test_rows_without_one_accountable_role_are_flagged(make_role, manager, auditor):
    first, second = make_role(), make_role(title="Head of data")
    raci_set(first, actor=manager, expected_version=1, letters={"audit": "A", "data": "A"})
    raci_set(second, actor=manager, expected_version=1, letters={"data": "A", "risk": "R"})
    page = client_for(auditor).get("/roles/raci/")
    rows = {row["process"]: row["warning"] for row in page.context["rows"]}
    assert rows["audit"] == ""
    assert rows["data"] == "2 roles are accountable; there should be one."
    assert rows["risk"] == "No one is accountable."
    assert "No one is accountable." in page.content.decode()


def test_archived_roles_leave_the_matrix(make_role, manager, auditor):
    role = make_role()
    services.archive(role, actor=manager, expected_version=1)
    page = client_for(auditor).get("/roles/raci/").content.decode()
    assert role.title not in page


def test_an_archived_roles_letters_are_not_changed_until_it_is_restored(make_role, owner, manager):
    role = services.archive(make_role(), actor=manager, expected_version=1)
    reason = f"{role.reference} is archived; restore it before changing its RACI."
    with pytest.raises(PermissionDenied, match=reason):
        raci_set(role, actor=owner, expected_version=2, letters={"audit": "A"})
    assert not RaciAssignment.objects.filter(role=role).exists()


def test_the_role_page_shows_its_letters(make_role, owner, auditor):
    role = make_role()
    page = client_for(auditor).get(role.get_absolute_url()).content.decode()
    assert "no part in any AIMS process yet" in page
    raci_set(role, actor=owner, expected_version=1, letters={"audit": "A", "improvement": "C"})
    page = client_for(auditor).get(role.get_absolute_url()).content.decode()
    assert "Internal audit (9.2)" in page and "Accountable" in page and "Consulted" in page


# -- The API -----------------------------------------------------------------------------------------


def test_the_api_shows_raci_read_only_on_the_role(make_role, owner, auditor):
    role = raci_set(make_role(), actor=owner, expected_version=1, letters={"review": "I", "audit": "A"})
    url = f"/api/v1/roles/{role.reference}/"
    data = client_for(auditor).get(url).json()
    assert data["raci"] == [{"process": "audit", "letter": "A"}, {"process": "review", "letter": "I"}]
    response = client_for(owner).patch(
        url, {"raci": [], "title": "Internal audit lead", "version": 2}, content_type="application/json"
    )
    assert response.status_code == 200 and len(response.json()["raci"]) == 2


def test_the_api_sets_letters_with_the_version(make_role, owner):
    role = make_role()
    client = client_for(owner)
    url = f"/api/v1/roles/{role.reference}/raci/"
    response = client.post(
        url, {"version": 1, "raci": [{"process": "audit", "letter": "R"}]}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["raci"] == [{"process": "audit", "letter": "R"}]
    assert response.json()["version"] == 2
    stale = client.post(
        url, {"version": 1, "raci": [{"process": "audit", "letter": "A"}]}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["changes_since"][0]["changes"][0]["field"] == "raci"


def test_the_api_names_a_wrong_process(make_role, owner):
    role = make_role()
    response = client_for(owner).post(
        f"/api/v1/roles/{role.reference}/raci/",
        {"version": 1, "raci": [{"process": "coffee", "letter": "R"}]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "raci" in response.json()


@pytest.mark.parametrize(
    ("role", "status"), [("other_owner", 403), ("auditor", 403), ("board", 403), ("manager", 200)]
)
def test_the_api_raci_write_by_role(role, status, request, make_role):
    record = make_role()
    response = client_for(request.getfixturevalue(role)).post(
        f"/api/v1/roles/{record.reference}/raci/",
        {"version": 1, "raci": [{"process": "audit", "letter": "A"}]},
        content_type="application/json",
    )
    assert response.status_code == status
    assert RaciAssignment.objects.filter(role=record).exists() == (status == 200)

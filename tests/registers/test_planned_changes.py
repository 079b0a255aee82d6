import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from aims import roles
from aims.records import history
from registers.models import PlannedChange
from registers.standard.planned_changes import approve, reject, services
from tests.base import RegisterRoleMatrix, client_for, form_data_for


@pytest.fixture
def make_change(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Bring the chatbot into AIMS scope",
            "purpose": "The customer chatbot now answers credit questions.",
            "consequences": "New risks and impact assessment needed.",
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


class TestPlannedChangeRoles(RegisterRoleMatrix):
    model = PlannedChange
    url_prefix = "changes"
    api_prefix = "/api/v1/changes/"

    @pytest.fixture
    def record(self, make_change):
        return make_change()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {"title": "Retire the legacy scoring model", "purpose": "Replaced by v3."}


# -- Approve and reject: the board's, never the owner's -----------------------------------------------


@pytest.mark.parametrize("role", ["manager", "owner", "other_owner", "auditor"])
def test_only_the_board_approves_and_the_refusal_says_why(role, request, make_change):
    change = make_change()
    response = client_for(request.getfixturevalue(role)).post(
        f"/changes/{change.reference}/approve/", {"version": 1}
    )
    assert response.status_code == 403
    expected = "Four eyes" if role == "owner" else "Only the governance board may approve"
    assert expected in response.content.decode()
    change.refresh_from_db()
    assert change.status == PlannedChange.Status.PROPOSED and change.version == 1


def test_the_board_approves_and_history_says_who_and_when(make_change, board):
    change = make_change()
    response = client_for(board).post(f"/changes/{change.reference}/approve/", {"version": 1, "note": "Go"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == "approved" and change.approved_by == board and change.approved_on
    last = history(change).first()
    assert last.action == "approved" and last.actor == board and last.note == "Go"
    assert {c["field"] for c in last.changes} >= {"status", "approved_by", "approved_on"}


def test_the_approve_button_shows_only_to_the_board(make_change, board, owner):
    change = make_change()
    assert (
        f"/changes/{change.reference}/approve/"
        in client_for(board).get(change.get_absolute_url()).content.decode()
    )
    assert (
        f"/changes/{change.reference}/approve/"
        not in client_for(owner).get(change.get_absolute_url()).content.decode()
    )


def test_a_board_member_who_owns_the_change_may_not_approve_it(make_change, manager, board):
    change = make_change(actor=manager)  # owned by the manager, who also sits on the board
    manager.groups.add(Group.objects.get(name=roles.BOARD))
    with pytest.raises(PermissionDenied, match="Four eyes"):
        approve(change, actor=manager, expected_version=1)


def test_reject_needs_a_reason_and_records_it(make_change, board):
    change = make_change()
    client = client_for(board)
    client.post(f"/changes/{change.reference}/reject/", {"version": 1, "reason": ""})
    change.refresh_from_db()
    assert change.status == "proposed"
    response = client.post(f"/changes/{change.reference}/reject/", {"version": 1, "reason": "No budget"})
    assert response.status_code == 302
    change.refresh_from_db()
    last = history(change).first()
    assert change.status == "rejected" and last.action == "rejected" and last.note == "No budget"


def test_reject_without_a_reason_names_the_field_in_the_api(make_change, board):
    change = make_change()
    response = client_for(board).post(
        f"/api/v1/changes/{change.reference}/reject/", {"version": 1}, content_type="application/json"
    )
    assert response.status_code == 400 and "reason" in response.json()


def test_api_approve_by_the_board_and_refusal_for_an_owner(make_change, board, other_owner):
    change = make_change()
    refused = client_for(other_owner).post(
        f"/api/v1/changes/{change.reference}/approve/", {"version": 1}, content_type="application/json"
    )
    assert refused.status_code == 403 and "governance board" in refused.json()["detail"]
    done = client_for(board).post(
        f"/api/v1/changes/{change.reference}/approve/", {"version": 1}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["status"] == "approved" and done.json()["version"] == 2


def test_a_stale_approval_is_refused(make_change, board, owner):
    change = make_change()
    services.update(change, actor=owner, expected_version=1, fields={"purpose": "Changed meanwhile"})
    response = client_for(board).post(
        f"/api/v1/changes/{change.reference}/approve/", {"version": 1}, content_type="application/json"
    )
    assert response.status_code == 409
    change.refresh_from_db()
    assert change.status == "proposed"


def test_a_decided_change_cannot_be_decided_again(make_change, board):
    change = approve(make_change(), actor=board, expected_version=1)
    with pytest.raises(ValidationError, match="approved, so it cannot be rejected"):
        reject(change, actor=board, expected_version=change.version, reason="Changed our mind")


# -- Status through the form: never approved or implemented without the board -------------------------


@pytest.mark.parametrize("status", ["approved", "implemented"])
def test_the_form_refuses_a_status_only_the_board_gives(status, make_change, owner):
    change = make_change()
    response = client_for(owner).post(
        f"/changes/{change.reference}/edit/", {**form_data_for(change), "status": status}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "status" in form.errors
    change.refresh_from_db()
    assert change.status == "proposed" and change.version == 1


def test_the_api_refuses_approved_at_creation_naming_the_field(owner):
    response = client_for(owner).post(
        "/api/v1/changes/",
        {"title": "Self-approved", "purpose": "x", "status": "approved"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "status" in response.json()


def test_an_approved_change_is_marked_implemented_by_its_owner(make_change, board, owner):
    change = approve(make_change(), actor=board, expected_version=1)
    response = client_for(owner).post(
        f"/changes/{change.reference}/edit/", {**form_data_for(change), "status": "implemented"}
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == "implemented"


def test_a_rejected_change_cannot_be_reopened_by_editing(make_change, board, owner):
    change = reject(make_change(), actor=board, expected_version=1, reason="Too early")
    with pytest.raises(ValidationError) as err:
        services.update(change, actor=owner, expected_version=change.version, fields={"status": "proposed"})
    assert "status" in err.value.message_dict


def test_a_missing_purpose_is_named_on_the_page(owner):
    response = client_for(owner).post("/changes/new/", {"title": "No purpose", "status": "proposed"})
    assert response.status_code == 400 and "purpose" in response.context["form"].errors


def test_empty_register_says_what_to_do(owner):
    assert "No planned changes yet" in client_for(owner).get("/changes/").content.decode()


def test_changing_what_was_approved_sends_it_back_to_the_board(make_change, owner, board):

    change = make_change()
    change = approve(change, actor=board, expected_version=change.version)
    change = services.update(
        change,
        actor=owner,
        expected_version=change.version,
        fields={"purpose": "A different change altogether."},
    )
    assert change.status == "proposed" and change.approved_by is None and change.approved_on is None
    labels = {c["label"] for c in history(change).first().changes}
    assert {"Purpose", "Status", "Approved by"} <= labels


def test_marking_an_approved_change_implemented_keeps_the_approval(make_change, owner, board):

    change = approve(make_change(), actor=board, expected_version=1)
    change = services.update(
        change, actor=owner, expected_version=change.version, fields={"status": "implemented"}
    )
    assert change.status == "implemented" and change.approved_by == board

"""The scope statement (4.3): the approval lifecycle, frozen versions, comparison, and roles."""

import pytest

from aims import publishing
from aims.models import Lifecycle
from aims.records import history
from registers.models import ScopeStatement
from registers.standard.scope import services
from tests.base import client_for

SCOPE = {
    "title": "AIMS scope: retail lending",
    "boundaries": "The retail lending division in Lisbon and its data platform.",
    "systems_in_scope": "Credit scoring model; fraud detection",
    "ai_roles": ["producer", "customer"],
    "exclusions": "A.10.4 customer relationships: we have no AI customers.",
}


@pytest.fixture
def make_scope(owner):
    def make(actor=None, **overrides):
        return services.create(actor=actor or owner, fields={**SCOPE, **overrides})

    return make


def approved(scope, owner, board, summary="First approval"):
    scope = publishing.submit(scope, actor=owner, expected_version=scope.version)
    return publishing.approve(scope, actor=board, expected_version=scope.version, change_summary=summary)


def test_the_board_approves_and_the_content_is_frozen_as_v1(make_scope, owner, board):
    scope = approved(make_scope(), owner, board)
    assert (scope.status, scope.version_number) == (Lifecycle.APPROVED, 1)
    [v1] = publishing.versions(scope)
    assert v1.approved_by == board and v1.change_summary == "First approval"
    content = {item["field"]: item for item in v1.content}
    assert content["boundaries"]["value"] == SCOPE["boundaries"]
    assert content["ai_roles"] == {
        "field": "ai_roles",
        "label": "The organisation's AI roles",
        "value": "AI producer, AI customer (incl. user)",
    }
    assert [item["field"] for item in v1.content][:3] == ["title", "boundaries", "systems_in_scope"]
    assert [c.action for c in history(scope)[:2]] == ["approved", "submitted"]


def test_nobody_approves_their_own_scope_and_only_the_board_approves(make_scope, owner, board, manager):
    from django.core.exceptions import PermissionDenied

    from aims import roles
    from tests.conftest import make_user

    board_and_owner = make_user("bella", roles.BOARD, roles.OWNER)
    scope = publishing.submit(make_scope(actor=board_and_owner), actor=board_and_owner, expected_version=1)
    with pytest.raises(PermissionDenied, match="Four eyes"):
        publishing.approve(scope, actor=board_and_owner, expected_version=scope.version)
    other = publishing.submit(make_scope(), actor=owner, expected_version=1)
    with pytest.raises(PermissionDenied, match="Only the governance board"):
        publishing.approve(other, actor=manager, expected_version=other.version)


def test_a_draft_cannot_be_approved_before_it_is_submitted(make_scope, board):
    from django.core.exceptions import PermissionDenied

    scope = make_scope()
    with pytest.raises(PermissionDenied, match="only a version in review is approved"):
        publishing.approve(scope, actor=board, expected_version=1)


def test_publishing_supersedes_the_earlier_version_and_a_revision_keeps_it_in_force(make_scope, owner, board):
    scope = approved(make_scope(), owner, board)
    scope = publishing.publish(scope, actor=owner, expected_version=scope.version)
    scope = publishing.revise(scope, actor=owner, expected_version=scope.version)
    assert scope.status == Lifecycle.DRAFT and publishing.published_version(scope).number == 1
    scope = services.update(
        scope, actor=owner, expected_version=scope.version, fields={"boundaries": "Retail and SME lending."}
    )
    scope = approved(scope, owner, board, summary="SME lending added")
    scope = publishing.publish(scope, actor=owner, expected_version=scope.version)
    v2, v1 = publishing.versions(scope)
    assert v1.retired_at is not None and v2.retired_at is None and v2.published_at is not None
    assert publishing.published_version(scope).number == 2


def test_published_content_is_not_edited_in_place(make_scope, owner, board):
    from django.core.exceptions import ValidationError

    scope = publishing.publish(
        *(lambda s: (s,))(approved(make_scope(), owner, board)), actor=owner, expected_version=3
    )
    with pytest.raises(ValidationError, match="start a revision"):
        services.update(
            scope, actor=owner, expected_version=scope.version, fields={"boundaries": "Everything."}
        )
    page = client_for(owner).get(f"/scope/{scope.reference}/").content.decode()
    assert ">Edit<" not in page and "Start a revision" in page


def test_compare_page_marks_the_changed_words(make_scope, owner, board, auditor):
    scope = approved(make_scope(), owner, board)
    scope = publishing.revise(scope, actor=owner, expected_version=scope.version)
    scope = services.update(
        scope,
        actor=owner,
        expected_version=scope.version,
        fields={"boundaries": SCOPE["boundaries"].replace("Lisbon", "Porto")},
    )
    scope = approved(scope, owner, board, summary="Moved to Porto")
    page = client_for(auditor).get(f"/scope/{scope.reference}/compare/?a=1&b=2").content.decode()
    assert "<del>Lisbon</del>" in page and "<ins>Porto</ins>" in page
    assert page.count('class="badge badge-warn">changed') == 1
    versions_tab = client_for(auditor).get(f"/scope/{scope.reference}/?tab=versions").content.decode()
    assert "Moved to Porto" in versions_tab and "v2" in versions_tab


def test_compare_escapes_what_people_typed(make_scope, owner, board, auditor):
    scope = approved(make_scope(), owner, board)
    scope = publishing.revise(scope, actor=owner, expected_version=scope.version)
    services.update(
        scope, actor=owner, expected_version=scope.version, fields={"boundaries": "<script>x</script>"}
    )
    page = client_for(auditor).get(f"/scope/{scope.reference}/compare/?a=1&b=current").content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page


def test_buttons_follow_the_lifecycle_and_the_role(make_scope, owner, board, auditor):
    scope = make_scope()
    assert "Submit for approval" in client_for(owner).get(f"/scope/{scope.reference}/").content.decode()
    assert "Submit for approval" not in client_for(auditor).get(f"/scope/{scope.reference}/").content.decode()
    response = client_for(owner).post(f"/scope/{scope.reference}/submit/", {"version": scope.version})
    assert response.status_code == 302
    page = client_for(board).get(f"/scope/{scope.reference}/").content.decode()
    assert "Approve" in page and "Send back" in page


def test_send_back_needs_a_reason_and_says_so(make_scope, owner, board):
    scope = publishing.submit(make_scope(), actor=owner, expected_version=1)
    response = client_for(board).post(
        f"/scope/{scope.reference}/send-back/", {"version": scope.version}, follow=True
    )
    assert "What must change before approval is required." in response.content.decode()
    scope.refresh_from_db()
    assert scope.status == Lifecycle.IN_REVIEW


def test_api_runs_the_lifecycle_and_lists_versions(make_scope, owner, board):
    scope = make_scope()
    api = client_for(owner)
    response = api.post(
        f"/api/v1/scope/{scope.reference}/submit/", {"version": 1}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = client_for(board).post(
        f"/api/v1/scope/{scope.reference}/approve/", {"version": 1}, content_type="application/json"
    )
    assert stale.status_code == 409
    response = client_for(board).post(
        f"/api/v1/scope/{scope.reference}/approve/",
        {"version": 2, "change_summary": "Initial"},
        content_type="application/json",
    )
    assert response.status_code == 200
    versions = api.get(f"/api/v1/scope/{scope.reference}/versions/").json()
    assert versions["results"][0]["number"] == 1 and versions["results"][0]["change_summary"] == "Initial"
    refused = api.post(
        f"/api/v1/scope/{scope.reference}/approve/", {"version": 3}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_unknown_ai_roles_are_refused_by_name(owner):
    response = client_for(owner).post(
        "/api/v1/scope/",
        {"title": "X", "boundaries": "Y", "ai_roles": ["overlord"]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "Unknown AI role: overlord" in str(response.json())
    response = client_for(owner).post(
        "/api/v1/scope/",
        {"title": "X", "boundaries": "Y", "ai_roles": "provider"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "ai_roles" in response.json()
    assert not ScopeStatement.objects.exists()

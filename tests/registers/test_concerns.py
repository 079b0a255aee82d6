import pytest

from aims import roles
from aims.models import Notification
from aims.records import history
from registers.models import Concern, Risk
from registers.standard.concerns import ANONYMOUS_NOTE, services, triage
from tests import base
from tests.base import RegisterRoleMatrix, client_for, form_data_for
from tests.conftest import make_user

# Anyone with a role may raise a concern; the rest of the matrix is the default one.
CONCERN_EXPECT = {
    **base.EXPECT,
    "create": {
        "manager": 201,
        "board": 201,
        "owner": 201,
        "other_owner": 201,
        "auditor": 201,
        "outsider": 403,
    },
}


@pytest.fixture
def raise_concern(other_owner, manager):
    """A concern raised by `other_owner` (Oscar); `manager` (Maria) exists to receive it."""

    def make(actor=None, **overrides):
        fields = {
            "title": "Chatbot gives loan advice",
            "system_note": "Customer chatbot",
            "description": "It told a customer which loan to take.",
            **overrides,
        }
        return services.create(actor=actor or other_owner, fields=fields)

    return make


class TestConcernRoles(RegisterRoleMatrix):
    model = Concern
    url_prefix = "concerns"
    api_prefix = "/api/v1/concerns/"

    expect = CONCERN_EXPECT

    @pytest.fixture
    def record(self, raise_concern, owner):
        concern = raise_concern()
        # Handed to `owner` to handle, as the matrix expects; kept at version 1 for its stale checks.
        Concern.objects.filter(pk=concern.pk).update(owner=owner)
        concern.refresh_from_db()
        return concern

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {
            "title": "Odd scores",
            "system_note": "Credit scoring",
            "description": "Scores jumped on Monday.",
        }


# -- Raising -----------------------------------------------------------------------------------------


def test_a_concern_goes_to_the_first_active_aims_manager(raise_concern, manager, other_owner):
    make_user("aaron", roles.MANAGER, is_active=False)
    make_user("bea", roles.MANAGER)
    concern = raise_concern()
    assert concern.owner.username == "bea" and concern.raised_by == other_owner
    assert concern.created_by == other_owner and history(concern).first().actor == other_owner


def test_without_a_manager_the_raiser_owns_it(other_owner):
    concern = services.create(
        actor=other_owner, fields={"title": "t", "system_note": "s", "description": "d"}
    )
    assert concern.owner == other_owner


def test_the_manager_may_name_the_handler_of_a_concern_they_record(manager, owner, other_owner):
    fields = {"title": "t", "system_note": "s", "description": "d", "owner": other_owner}
    assert services.create(actor=manager, fields=fields).owner == other_owner
    # Anyone else's concern goes to the manager, whoever they name.
    concern = services.create(actor=owner, fields=fields)
    assert concern.owner == manager and concern.raised_by == owner


def test_without_a_manager_an_anonymous_concern_is_refused_on_its_field(other_owner):
    response = client_for(other_owner).post(
        "/concerns/new/", {"title": "t", "system_note": "s", "description": "d", "anonymous": "on"}
    )
    assert response.status_code == 400 and "anonymous" in response.context["form"].errors
    assert not Concern.objects.exists()


@pytest.mark.parametrize("role", ["board", "auditor", "owner"])
def test_every_role_raises_a_concern_from_the_page(role, request, manager):
    user = request.getfixturevalue(role)
    response = client_for(user).post(
        "/concerns/new/", {"title": "Bias?", "system_note": "Credit scoring", "description": "Looks off."}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    concern = Concern.objects.get()
    assert concern.raised_by == user and concern.owner == manager


def test_someone_without_a_role_cannot_raise_one(outsider):
    response = client_for(outsider).get("/concerns/new/")
    assert response.status_code == 403 and "no AIMS role" in response.content.decode()


def test_a_missing_description_is_named_on_the_page_and_in_the_api(owner, manager):
    page = client_for(owner).post("/concerns/new/", {"title": "t", "system_note": "s"})
    assert page.status_code == 400 and "description" in page.context["form"].errors
    api = client_for(owner).post("/api/v1/concerns/", {"title": "t"}, content_type="application/json")
    assert api.status_code == 400 and "description" in api.json()


def test_others_who_neither_raised_nor_handle_it_do_not_see_it(raise_concern, owner):
    concern = raise_concern()
    assert client_for(owner).get(concern.get_absolute_url()).status_code == 404
    assert client_for(owner).get(f"/api/v1/concerns/{concern.reference}/").status_code == 404


def test_a_named_raiser_is_shown_to_those_who_see_the_concern(raise_concern, board, other_owner):
    concern = raise_concern()
    page = client_for(board).get(concern.get_absolute_url()).content.decode()
    assert "Raised by" in page and str(other_owner) in page
    api = client_for(board).get(f"/api/v1/concerns/{concern.reference}/").json()
    assert api["raised_by"] == other_owner.username  # the API names people by username


# -- Anonymity: nobody but the raiser learns who raised it --------------------------------------------


@pytest.fixture
def anonymous(raise_concern):
    return raise_concern(anonymous=True)


@pytest.mark.parametrize("viewer", ["manager", "board", "auditor"])
def test_an_anonymous_raiser_is_not_named_on_any_page(viewer, request, anonymous, other_owner):
    client = client_for(request.getfixturevalue(viewer))
    name, username = str(other_owner), other_owner.username
    for url in (
        anonymous.get_absolute_url(),
        f"{anonymous.get_absolute_url()}?tab=history",
        "/concerns/",
        "/concerns/?export=csv",
    ):
        body = client.get(url).content.decode("utf-8-sig")
        assert name not in body and username not in body, url
    assert "withheld at their request" in client.get(anonymous.get_absolute_url()).content.decode()


@pytest.mark.parametrize("viewer", ["manager", "board", "auditor"])
def test_an_anonymous_raiser_is_not_named_in_the_api(viewer, request, anonymous, other_owner):
    client = client_for(request.getfixturevalue(viewer))
    name, username = str(other_owner), other_owner.username
    for url in (
        f"/api/v1/concerns/{anonymous.reference}/",
        f"/api/v1/concerns/{anonymous.reference}/history/",
        "/api/v1/concerns/",
    ):
        body = client.get(url).content.decode()
        assert name not in body and username not in body, url
    data = client.get(f"/api/v1/concerns/{anonymous.reference}/").json()
    assert data["raised_by"] is None and data["created_by"] == "maria"  # people by username


def test_an_anonymous_concern_is_created_in_the_managers_name_with_a_note(anonymous, manager, other_owner):
    created = history(anonymous).get()
    assert anonymous.created_by == manager and anonymous.updated_by == manager
    assert created.actor == manager and created.note == ANONYMOUS_NOTE
    assert not any(c["field"] == "raised_by" for c in created.changes)
    assert anonymous.raised_by == other_owner  # kept, for the raiser alone


def test_searching_by_the_raisers_name_does_not_find_an_anonymous_concern(anonymous, manager, other_owner):
    page = client_for(manager).get(f"/concerns/?search={other_owner.username}").content.decode()
    assert anonymous.reference not in page


def test_the_anonymous_raiser_still_sees_their_own_concern_and_their_name(anonymous, other_owner):
    client = client_for(other_owner)
    page = client.get(anonymous.get_absolute_url()).content.decode()
    assert str(other_owner) in page and "withheld" not in page
    assert client.get(f"/api/v1/concerns/{anonymous.reference}/").json()["raised_by"] == other_owner.username
    assert anonymous.reference in client.get("/concerns/").content.decode()


def test_the_handler_cannot_lift_anonymity_by_editing(anonymous, manager):
    response = client_for(manager).patch(
        f"/api/v1/concerns/{anonymous.reference}/",
        {"anonymous": False, "title": "Chatbot gives loan advice (confirmed)", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200
    anonymous.refresh_from_db()
    assert anonymous.anonymous and response.json()["raised_by"] is None
    assert (
        "anonymous"
        not in client_for(manager).get(f"/concerns/{anonymous.reference}/edit/").context["form"].fields
    )


# -- Triage ------------------------------------------------------------------------------------------


def test_triage_into_a_risk_creates_a_draft_risk_owned_by_the_manager(raise_concern, manager, other_owner):
    concern = raise_concern()
    response = client_for(manager).post(
        f"/concerns/{concern.reference}/triage/",
        {"version": 1, "outcome": "risk", "reason": "Unlicensed advice is a conduct risk."},
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    risk = concern.risk
    assert concern.outcome == "risk" and concern.triaged_by == manager and concern.triaged_at
    assert risk.owner == manager and risk.status == Risk.Status.IDENTIFIED
    # The risk is read by everyone, the concern by few: the risk links to it, never names it in its title.
    assert risk.title == concern.title and concern.reference not in risk.title
    assert concern.reference in client_for(manager).get(risk.get_absolute_url()).content.decode()
    change = history(concern).first()
    assert change.action == "triaged" and change.actor == manager
    assert change.note == "Unlicensed advice is a conduct risk."
    assert {"field": "risk", "label": "Risk", "old": "", "new": str(risk)} in change.changes
    assert Notification.objects.filter(user=other_owner, url=concern.get_absolute_url()).exists()


def test_triage_as_an_incident_without_naming_one_links_none(raise_concern, manager):
    # Naming the incident links it (tests/test_system_links.py); a reason alone is not a reference.
    concern = raise_concern()
    concern = triage(concern, actor=manager, expected_version=1, outcome="incident", reason="INC-2025-014")
    assert concern.outcome == "incident" and concern.incident is None and concern.incident_reference == ""
    assert concern.risk is None and concern.outcome_reason == "INC-2025-014"


def test_triage_with_no_action_records_the_reason(raise_concern, manager, auditor):
    concern = triage(
        raise_concern(), actor=manager, expected_version=1, outcome="no_action", reason="Tested: fine"
    )
    assert concern.outcome_reason == "Tested: fine"
    page = client_for(auditor).get(concern.get_absolute_url()).content.decode()
    assert "No action needed" in page and "Tested: fine" in page


@pytest.mark.parametrize("role", ["board", "auditor", "other_owner"])
def test_only_the_manager_triages_and_the_refusal_says_so(role, request, raise_concern):
    concern = raise_concern()
    client = client_for(request.getfixturevalue(role))
    page = client.post(
        f"/concerns/{concern.reference}/triage/", {"version": 1, "outcome": "risk", "reason": "x"}
    )
    assert page.status_code == 403 and "Only the AIMS manager triages concerns" in page.content.decode()
    api = client.post(
        f"/api/v1/concerns/{concern.reference}/triage/",
        {"version": 1, "outcome": "risk", "reason": "x"},
        content_type="application/json",
    )
    assert api.status_code == 403 and "Only the AIMS manager" in api.json()["detail"]
    concern.refresh_from_db()
    assert concern.outcome == "pending" and concern.version == 1


def test_the_triage_button_shows_only_to_the_manager_while_pending(raise_concern, manager, board):
    concern = raise_concern()
    url = f"/concerns/{concern.reference}/triage/"
    assert url in client_for(manager).get(concern.get_absolute_url()).content.decode()
    assert url not in client_for(board).get(concern.get_absolute_url()).content.decode()
    concern = triage(concern, actor=manager, expected_version=1, outcome="no_action", reason="Fine")
    assert url not in client_for(manager).get(concern.get_absolute_url()).content.decode()


def test_a_triaged_concern_cannot_be_triaged_again(raise_concern, manager):
    concern = triage(raise_concern(), actor=manager, expected_version=1, outcome="no_action", reason="Fine")
    client = client_for(manager)
    response = client.post(
        f"/concerns/{concern.reference}/triage/", {"version": 2, "outcome": "risk", "reason": "Second look"},
        follow=True,
    )  # fmt: skip
    assert "already triaged" in response.content.decode()
    api = client.post(
        f"/api/v1/concerns/{concern.reference}/triage/",
        {"version": 2, "outcome": "risk", "reason": "Second look"},
        content_type="application/json",
    )
    assert api.status_code == 400 and "already triaged" in str(api.json())
    assert not Risk.objects.exists()


def test_an_unknown_outcome_is_named_as_the_field(raise_concern, manager):
    concern = raise_concern()
    api = client_for(manager).post(
        f"/api/v1/concerns/{concern.reference}/triage/",
        {"version": 1, "outcome": "ignore", "reason": "x"},
        content_type="application/json",
    )
    assert api.status_code == 400 and "risk, incident, no_action" in api.json()["outcome"][0]
    page = client_for(manager).post(
        f"/concerns/{concern.reference}/triage/",
        {"version": 1, "outcome": "ignore", "reason": "x"},
        follow=True,
    )
    assert "Outcome: choose one of risk, incident, no_action." in page.content.decode()


def test_triage_needs_a_reason(raise_concern, manager):
    concern = raise_concern()
    api = client_for(manager).post(
        f"/api/v1/concerns/{concern.reference}/triage/",
        {"version": 1, "outcome": "no_action"},
        content_type="application/json",
    )
    assert api.status_code == 400 and "reason" in api.json()


def test_a_stale_triage_is_refused(raise_concern, manager):
    concern = raise_concern()
    services.update(concern, actor=manager, expected_version=1, fields={"title": "Chatbot advice (checked)"})
    response = client_for(manager).post(
        f"/api/v1/concerns/{concern.reference}/triage/",
        {"version": 1, "outcome": "no_action", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 409
    concern.refresh_from_db()
    assert concern.outcome == "pending"


def test_triaging_an_anonymous_concern_tells_the_raiser_and_nobody_else_who_it_was(
    anonymous, manager, other_owner, board
):
    triage(anonymous, actor=manager, expected_version=1, outcome="no_action", reason="Explained to the team")
    note = Notification.objects.get(user=other_owner)
    assert anonymous.reference in note.message and note.url == anonymous.get_absolute_url()
    assert list(Notification.objects.exclude(user=other_owner).filter(url=note.url)) == []
    assert {c.actor for c in history(anonymous)} == {manager}


def test_empty_register_says_what_to_do(owner):
    assert "No concerns raised" in client_for(owner).get("/concerns/").content.decode()

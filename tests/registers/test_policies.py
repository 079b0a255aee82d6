"""Policies (5.2, A.2): templates, the approval lifecycle, and acknowledgement with reminders (7.3)."""

import datetime as dt

import pytest
from django.utils import timezone

from aims import publishing, reminders, roles
from aims.models import Lifecycle, Notification
from registers.models import Acknowledgement, Policy
from registers.standard.policies import services
from tests.base import RegisterRoleMatrix, client_for, form_data_for


@pytest.fixture
def make_policy(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "AI policy",
            "kind": "ai_policy",
            "body": "1. Commitment\nWe use AI lawfully.",
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


def published(policy, owner, board):
    policy = publishing.submit(policy, actor=owner, expected_version=policy.version)
    policy = publishing.approve(policy, actor=board, expected_version=policy.version)
    return publishing.publish(policy, actor=owner, expected_version=policy.version)


class TestPolicyRoles(RegisterRoleMatrix):
    model = Policy
    url_prefix = "policies"
    api_prefix = "/api/v1/policies/"

    @pytest.fixture
    def record(self, make_policy):
        return make_policy()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {
            "title": "Acceptable use of AI tools",
            "kind": "acceptable_use",
            "body": "Use approved tools.",
        }


def test_new_from_the_ai_policy_template_prefills_its_sections(owner):
    page = client_for(owner).get("/policies/new/?template=ai-policy").content.decode()
    assert "Human oversight" in page and "Raising concerns" in page and 'value="AI policy"' in page
    listing = client_for(owner).get("/policies/").content.decode()
    assert "?template=ethics" in listing and "?template=acceptable-use" in listing


def test_an_unknown_template_gives_an_empty_form(owner):
    page = client_for(owner).get("/policies/new/?template=nonsense").content.decode()
    assert "Human oversight" not in page


def test_publishing_asks_the_named_roles_and_people_once_each(make_policy, owner, board, auditor, manager):
    policy = make_policy(
        acknowledge_roles=[roles.AUDITOR, roles.BOARD], acknowledge_people=[manager, auditor]
    )
    policy = published(policy, owner, board)
    asked = set(
        Acknowledgement.objects.filter(policy=policy, version_number=1).values_list(
            "person__username", flat=True
        )
    )
    assert asked == {auditor.username, board.username, manager.username}
    assert Notification.objects.filter(user=auditor, kind=Notification.Kind.ACKNOWLEDGE).count() == 1


def test_the_person_asked_acknowledges_from_the_page_and_the_count_shows(make_policy, owner, board, auditor):
    policy = published(make_policy(acknowledge_roles=[roles.AUDITOR]), owner, board)
    client = client_for(auditor)
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    assert "I have read it" in page and "0 of 1 people asked have acknowledged it" in page
    response = client.post(
        f"/policies/{policy.reference}/acknowledge/", {"version": policy.version}, follow=True
    )
    page = response.content.decode()
    assert "your acknowledgement of" in page and "1 of 1 people asked have acknowledged it" in page
    assert "I have read it" not in page
    again = client.post(
        f"/policies/{policy.reference}/acknowledge/", {"version": policy.version}, follow=True
    )
    assert "You have no open request" in again.content.decode()


def test_someone_not_asked_cannot_acknowledge_through_the_api(make_policy, owner, board, other_owner):
    policy = published(make_policy(acknowledge_roles=[roles.AUDITOR]), owner, board)
    response = client_for(other_owner).post(
        f"/api/v1/policies/{policy.reference}/acknowledge/",
        {"version": policy.version},
        content_type="application/json",
    )
    assert response.status_code == 400 and "no open request" in str(response.json())


def test_sweep_reminds_weekly_those_who_have_not_acknowledged(make_policy, owner, board, auditor, manager):
    policy = published(make_policy(acknowledge_people=[auditor, manager]), owner, board)
    Acknowledgement.objects.filter(policy=policy, person=manager).update(acknowledged_at=timezone.now())
    Acknowledgement.objects.update(requested_at=timezone.now() - dt.timedelta(days=8))
    today = timezone.localdate()
    reminders.sweep(today)
    reminders.sweep(today)  # the same day again: nothing twice
    reminded = Notification.objects.filter(key__startswith="ack-reminder:")
    assert [n.user for n in reminded] == [auditor]
    reminders.sweep(today + dt.timedelta(days=7))
    assert Notification.objects.filter(key__startswith="ack-reminder:", user=auditor).count() == 2


def test_a_new_version_asks_again_and_the_old_request_no_longer_reminds(make_policy, owner, board, auditor):
    policy = published(make_policy(acknowledge_people=[auditor]), owner, board)
    policy = publishing.revise(policy, actor=owner, expected_version=policy.version)
    policy = services.update(
        policy, actor=owner, expected_version=policy.version, fields={"body": "2. Revised."}
    )
    policy = published(policy, owner, board)
    assert Acknowledgement.objects.filter(policy=policy, person=auditor).count() == 2
    Acknowledgement.objects.update(requested_at=timezone.now() - dt.timedelta(days=8))
    reminders.sweep(timezone.localdate())
    keys = list(Notification.objects.filter(key__startswith="ack-reminder:").values_list("key", flat=True))
    assert len(keys) == 1 and f":{policy.pk}:2:" in keys[0]


def test_body_changes_show_in_the_comparison(make_policy, owner, board, auditor):
    policy = published(make_policy(), owner, board)
    policy = publishing.revise(policy, actor=owner, expected_version=policy.version)
    policy = services.update(
        policy,
        actor=owner,
        expected_version=policy.version,
        fields={"body": "1. Commitment\nWe use AI lawfully and fairly."},
    )
    page = client_for(auditor).get(f"/policies/{policy.reference}/compare/?a=1&b=current").content.decode()
    assert "lawfully<ins> and fairly</ins>." in page
    assert policy.status == Lifecycle.DRAFT

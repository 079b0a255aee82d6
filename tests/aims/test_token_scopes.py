"""Tokens that do only their job: read-only or read-write, limited to registers, expiring; their last use
shown; the AIMS manager sees and revokes every one (issue 15, part 2)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from aims.models import ApiToken, Notification
from aims.registry import registry
from registers.models import Risk
from tests.base import client_for

RISKS = "registers.risk"


def api(secret, method="get", path="/api/v1/risks/", **data):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, data, content_type="application/json")


NEW_RISK = {
    "title": "Chatbot gives wrong refund rules",
    "category": "safety",
    "risk_source": "C.3.1",
    "affects_society": True,
    "inherent_likelihood": 3,
    "inherent_impact": 3,
    "residual_likelihood": 2,
    "residual_impact": 2,
    "treatment": "mitigate",
    "treatment_plan": "Answers drawn from the policy text only.",
}


def test_a_read_only_token_reads_and_is_refused_every_write_with_the_reason(owner, make_risk):
    risk = make_risk()
    secret = ApiToken.issue(user=owner, name="dashboard feed", writes=False)[1]
    assert api(secret).status_code == 200
    assert api(secret, path=f"/api/v1/risks/{risk.reference}/history/").status_code == 200
    writes = [
        api(secret, "post", **NEW_RISK),
        api(secret, "patch", f"/api/v1/risks/{risk.reference}/", title="Renamed", version=risk.version),
        api(secret, "delete", f"/api/v1/risks/{risk.reference}/?version={risk.version}"),
    ]
    for response in writes:
        assert response.status_code == 403
        assert "“dashboard feed” is read-only" in response.json()["detail"]
    assert Risk.objects.count() == 1
    assert Risk.objects.values_list("title", "version").get() == (risk.title, risk.version)


def test_a_read_write_token_writes(owner):
    secret = ApiToken.issue(user=owner, name="pipeline", writes=True)[1]
    response = api(secret, "post", **NEW_RISK)
    assert response.status_code == 201, response.content
    assert Risk.objects.get().created_by == owner


def test_a_token_limited_to_one_register_reaches_no_other(owner):
    """Every register's API, walked: the one named answers, each other one refuses with the reason."""
    secret = ApiToken.issue(user=owner, name="risk sync", registers=[RISKS])[1]
    reached = {}
    for info in registry.registers:
        viewset = info.register.viewset if info.register else None
        if viewset is None:
            continue
        path = f"/api/v1/{info.register.url_prefix}/"
        response = api(secret, path=path)
        reached[info.model._meta.label_lower] = response.status_code
        if response.status_code == 403:
            assert "limited to the register AI risks" in response.json()["detail"], path
    assert reached.pop(RISKS) == 200
    assert len(reached) > 20 and set(reached.values()) == {403}


def test_a_limited_token_still_reaches_who_it_is_and_the_catalogue_not_jobs_or_notifications(owner):
    secret = ApiToken.issue(user=owner, name="risk sync", registers=[RISKS])[1]
    for path in ("/api/v1/", "/api/v1/me/", "/api/v1/requirements/"):
        assert api(secret, path=path).status_code == 200, path
    for path in ("/api/v1/jobs/", "/api/v1/notifications/", "/api/v1/certification-readiness/"):
        response = api(secret, path=path)
        assert response.status_code == 403 and "is outside them" in response.json()["detail"], path


def test_a_token_limited_to_several_registers_reaches_each(owner):
    secret = ApiToken.issue(user=owner, name="two", registers=[RISKS, "lifecycle.aisystem"])[1]
    assert api(secret).status_code == 200
    assert api(secret, path="/api/v1/systems/").status_code == 200
    refused = api(secret, path="/api/v1/policies/")
    assert refused.status_code == 403
    assert "limited to the registers AI risks, AI systems" in refused.json()["detail"]


def test_a_token_never_reaches_more_than_its_person(auditor, make_risk):
    make_risk()
    secret = ApiToken.issue(user=auditor, name="auditor tool", writes=True)[1]
    assert api(secret).status_code == 200
    assert api(secret, "post", **NEW_RISK).status_code == 403  # auditors do not create risks
    assert Risk.objects.count() == 1


def test_an_expired_token_answers_401_with_the_day_it_expired(owner):
    token, secret = ApiToken.issue(user=owner, name="old", expires_at=timezone.now() + timedelta(days=1))
    assert api(secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    refused = api(secret)
    assert refused.status_code == 401
    assert "expired on" in refused.json()["detail"] and "Make a new one" in refused.json()["detail"]
    assert "Expired" in client_for(owner).get("/accounts/tokens/").content.decode()


def test_the_form_makes_a_read_only_token_for_90_days_unless_told_otherwise(owner):
    client = client_for(owner)
    page = client.get("/accounts/tokens/").content.decode()
    default_day = (timezone.localdate() + timedelta(days=90)).isoformat()
    assert f'value="{default_day}"' in page
    assert re.search(r'<input type="radio" name="access" value="read"[^>]* checked', page)
    response = client.post(
        "/accounts/tokens/", {"name": "feed", "access": "read", "expires_on": default_day}, follow=True
    )
    token = ApiToken.objects.get()
    assert (token.writes, token.registers) == (False, [])
    assert timezone.localtime(token.expires_at).date().isoformat() == default_day
    secret = response.context["new_secret"]
    assert api(secret).status_code == 200 and api(secret, "post", **NEW_RISK).status_code == 403


def test_the_form_limits_to_the_registers_ticked(owner):
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    client_for(owner).post(
        "/accounts/tokens/",
        {"name": "sync", "access": "write", "registers": [RISKS, "lifecycle.aisystem"], "expires_on": day},
    )
    token = ApiToken.objects.get()
    assert token.writes and token.registers == ["lifecycle.aisystem", RISKS]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"name": "", "access": "read", "expires_on": "+30"}, "name", "required"),
        ({"name": "   ", "access": "read", "expires_on": "+30"}, "name", "required"),
        ({"name": "x", "access": "admin", "expires_on": "+30"}, "access", "Select a valid choice"),
        ({"name": "x", "access": "read", "expires_on": "+366"}, "expires_on", "at most 365 days"),
        ({"name": "x", "access": "read", "expires_on": "+0"}, "expires_on", "after today"),
        ({"name": "x", "access": "read", "expires_on": "next year"}, "expires_on", "valid date"),
        ({"name": "x", "access": "read", "expires_on": "+30", "registers": ["aims.user"]}, "registers",
         "Select a valid choice"),
        ({"name": "x" * 101, "access": "read", "expires_on": "+30"}, "name", "at most 100"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_and_makes_nothing(owner, data, field, words):
    if data["expires_on"].startswith("+"):
        data["expires_on"] = (timezone.localdate() + timedelta(days=int(data["expires_on"]))).isoformat()
    response = client_for(owner).post("/accounts/tokens/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field]), errors
    assert "The token was not made" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_last_use_is_shown(owner):
    secret = ApiToken.issue(user=owner, name="feed")[1]
    assert "never" in client_for(owner).get("/accounts/tokens/").content.decode()
    api(secret)
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    page = client_for(owner).get("/accounts/tokens/").content.decode()
    assert timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M") in page


def test_the_manager_sees_every_token_and_revokes_one_whose_person_is_told(manager, owner, auditor):
    owners, owner_secret = ApiToken.issue(user=owner, name="owner pipeline")
    ApiToken.issue(user=auditor, name="auditor export", writes=False)
    client = client_for(manager)
    page = client.get("/accounts/tokens/all/").content.decode()
    assert "owner pipeline" in page and "auditor export" in page and "Read only" in page
    assert "owner pipeline" in client.get("/accounts/tokens/all/?q=pipeline").content.decode()
    assert "auditor export" not in client.get("/accounts/tokens/all/?q=pipeline").content.decode()
    client.post(f"/accounts/tokens/{owners.pk}/revoke/")
    refused = api(owner_secret)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    owners.refresh_from_db()
    assert owners.revoked_by == manager
    note = Notification.objects.get(user=owner, kind=Notification.Kind.TOKEN_REVOKED)
    assert "owner pipeline" in note.message
    assert "owner pipeline" in client.get("/accounts/tokens/all/?state=revoked").content.decode()
    assert "owner pipeline" not in client.get("/accounts/tokens/all/").content.decode()  # active only


@pytest.mark.parametrize("role", ["owner", "board", "auditor"])
def test_only_the_manager_sees_every_token_or_revokes_another_persons(request, role, manager):
    person = request.getfixturevalue(role)
    managers = ApiToken.issue(user=manager, name="manager's")[0]
    client = client_for(person)
    refused = client.get("/accounts/tokens/all/")
    assert refused.status_code == 403 and "Only the AIMS manager" in refused.content.decode()
    assert client.post(f"/accounts/tokens/{managers.pk}/revoke/").status_code == 404
    managers.refresh_from_db()
    assert managers.revoked_at is None


def test_a_token_about_to_expire_reminds_its_person_once(owner, auditor):
    from aims.reminders import sweep

    soon, _ = ApiToken.issue(user=owner, name="feed", expires_at=timezone.now() + timedelta(days=10))
    ApiToken.issue(user=auditor, name="later", expires_at=timezone.now() + timedelta(days=40))
    gone, _ = ApiToken.issue(user=owner, name="revoked", expires_at=timezone.now() + timedelta(days=3))
    ApiToken.objects.filter(pk=gone.pk).update(revoked_at=timezone.now())
    sweep()
    sweep()  # a second sweep sends nothing twice
    (note,) = Notification.objects.filter(kind=Notification.Kind.TOKEN_EXPIRING)
    assert note.user == owner and "“feed” expires on" in note.message and note.url == "/accounts/tokens/"

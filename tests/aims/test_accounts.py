from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from aims.models import ApiToken
from tests.conftest import PASSWORD


def test_sign_in_and_out(owner):
    client = Client()
    response = client.post("/accounts/login/", {"username": owner.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_pages_need_sign_in(db):
    response = Client().get("/risks/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_failed_sign_ins_are_rate_limited(auditor, settings):
    from django.core.cache import cache

    from aims.views.auth import failure_key, lock_subject

    settings.LOGIN_MAX_FAILURES = 3
    key = failure_key(lock_subject(auditor.username), "127.0.0.1")
    cache.delete(key)  # Redis outlives earlier runs
    client = Client()
    for _ in range(3):
        assert (
            client.post("/accounts/login/", {"username": auditor.username, "password": "wrong"}).status_code
            == 200
        )
    refused = client.post("/accounts/login/", {"username": auditor.username, "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    cache.delete(key)


def test_password_change(owner):
    client = Client()
    client.force_login(owner)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-77",
            "new_password2": "a-new-long-passphrase-77",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a-new-long-passphrase-77")


def test_personal_token_create_use_and_revoke(owner):
    client = Client()
    client.force_login(owner)
    expires = (timezone.localdate() + timedelta(days=90)).isoformat()
    page = client.post(
        "/accounts/tokens/", {"name": "pipeline", "access": "read", "expires_on": expires}
    ).content.decode()
    token = ApiToken.objects.get(user=owner)
    secret = page.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith("aims_") and token.digest not in page

    api = Client()
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200 and me.json()["username"] == owner.username

    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    refused = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer aims_abc.def", "Token", "Bearer a b"])
def test_bad_tokens_are_401_not_500(db, header):
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=header).status_code == 401


def test_create_user_command(db):
    from django.core.management import call_command

    from aims.models import User

    call_command(
        "create_user",
        "carol",
        "--role",
        "owner",
        "--role",
        "auditor",
        "--password",
        "pw-123456789x",
        "--no-input",
    )
    user = User.objects.get(username="carol")
    assert user.role_names == {"Owner", "Auditor"} and user.check_password("pw-123456789x")

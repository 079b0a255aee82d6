"""A new password revokes its owner's API tokens, and the page says so before and after."""

import pytest
from django.test import Client

from aims.models import ApiToken
from tests.base import client_for
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-new-long-passphrase-77"


@pytest.fixture
def token_secret(owner):
    return ApiToken.issue(user=owner, name="pipeline")[1]


def api_me(secret):
    return Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_changing_your_password_revokes_your_tokens_and_says_so(owner, token_secret):
    assert api_me(token_secret).status_code == 200
    client = client_for(owner)
    form = client.get("/accounts/password/").content.decode()
    assert "also revokes your 1 active" in form
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your 1 API token was revoked" in response.content.decode()
    refused = api_me(token_secret)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert "Revoked" in client.get("/accounts/tokens/").content.decode()


def test_a_password_set_elsewhere_revokes_them_too(owner, token_secret):
    # The admin and `changepassword` both end in set_password() and save().
    owner.set_password(NEW_PASSWORD)
    owner.save()
    assert api_me(token_secret).status_code == 401


def test_signing_in_or_editing_the_profile_keeps_the_tokens(owner, token_secret):
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": owner.username, "password": PASSWORD}).status_code == 302
    )
    owner.display_name = "Olivia O."
    owner.save()
    assert api_me(token_secret).status_code == 200


def test_a_failed_password_change_keeps_the_tokens(owner, token_secret):
    response = client_for(owner).post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert api_me(token_secret).status_code == 200


def test_the_tokens_page_warns_that_a_new_password_revokes_them(owner):
    assert (
        "Changing your password revokes all your tokens"
        in client_for(owner).get("/accounts/tokens/").content.decode()
    )

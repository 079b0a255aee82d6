"""A sign-in lasts a working day; the board and AIMS managers are signed out after 30 idle minutes.
Time moves by editing the stamps stored in each test's own session: no clock or state is shared."""

import time

import pytest
from django.test import Client

from aims.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from tests.base import client_for
from tests.conftest import PASSWORD

HOUR = 3600


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.SESSION_COOKIE_AGE = 9 * HOUR
    settings.SESSION_IDLE_SECONDS = 30 * 60
    settings.SESSION_TOUCH_SECONDS = 60


def go_back(client, *, signed_in: float = 0, last_seen: float = 0):
    """Pretend the sign-in happened `signed_in` seconds ago and the last request `last_seen` ago."""
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - signed_in
    session[LAST_SEEN_AT] = now - last_seen
    session.save()


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_sign_in_lasts_a_working_day_by_default(owner):
    from aims.settings import base

    assert base.SESSION_COOKIE_AGE == 9 * HOUR
    response = Client().post("/accounts/login/", {"username": owner.username, "password": PASSWORD})
    assert response.cookies["sessionid"]["max-age"] == 9 * HOUR


@pytest.mark.parametrize("role", ["board", "manager"])
def test_the_board_and_managers_are_signed_out_after_30_idle_minutes(request, role):
    client = client_for(request.getfixturevalue(role))
    go_back(client, signed_in=HOUR, last_seen=31 * 60)
    response = client.get("/risks/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/?next=/risks/")
    assert "signed out after 30 minutes without activity" in response.content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize("role", ["board", "manager"])
def test_activity_keeps_them_signed_in(request, role):
    client = client_for(request.getfixturevalue(role))
    go_back(client, signed_in=HOUR, last_seen=29 * 60)
    assert client.get("/risks/").status_code == 200
    assert time.time() - client.session[LAST_SEEN_AT] < 60
    assert client.get("/risks/").status_code == 200


@pytest.mark.parametrize("role", ["owner", "auditor"])
def test_owners_and_auditors_may_idle_within_the_working_day(request, role):
    client = client_for(request.getfixturevalue(role))
    go_back(client, signed_in=3 * HOUR, last_seen=2 * HOUR)
    assert client.get("/risks/").status_code == 200 and signed_in(client)


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_no_one_stays_signed_in_past_the_working_day_however_active(request, role):
    client = client_for(request.getfixturevalue(role))
    go_back(client, signed_in=9 * HOUR + 60, last_seen=10)
    response = client.get("/risks/", follow=True)
    assert "a sign-in lasts 9 hours" in response.content.decode()
    assert not signed_in(client)


def test_an_idle_session_is_refused_by_the_api_too(board):
    client = client_for(board)
    go_back(client, signed_in=HOUR, last_seen=HOUR)
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert not signed_in(client)


def test_signing_in_again_starts_a_new_day(owner):
    client = Client()
    client.post("/accounts/login/", {"username": owner.username, "password": PASSWORD})
    go_back(client, signed_in=10 * HOUR, last_seen=10)
    client.get("/risks/")
    client.post("/accounts/login/", {"username": owner.username, "password": PASSWORD})
    assert client.get("/risks/").status_code == 200 and signed_in(client)


def test_the_idle_limit_can_be_turned_off(board, settings):
    settings.SESSION_IDLE_SECONDS = 0
    client = client_for(board)
    go_back(client, signed_in=HOUR, last_seen=2 * HOUR)
    assert client.get("/risks/").status_code == 200

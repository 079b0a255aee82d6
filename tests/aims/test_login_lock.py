"""The sign-in lock counts failures per account (or per normalised name when no account has it) and
address, however the name is typed: no spelling of a name earns extra guesses or lifts the lock."""

import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from aims.views.auth import failure_key, lock_subject
from tests.conftest import PASSWORD

LOCKED = "Too many failed sign-ins"


@pytest.fixture
def address():
    """An address of this test's own: the counts live in Redis, which outlives a test's transaction."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


@pytest.fixture
def lock(settings, address):
    settings.LOGIN_MAX_FAILURES = 3
    touched = []

    def sign_in(username, password="wrong"):
        touched.append(failure_key(lock_subject(username), address))
        return Client(REMOTE_ADDR=address).post(
            "/accounts/login/", {"username": username, "password": password}
        )

    yield sign_in
    cache.delete_many(touched)


SPELLINGS = [
    " olivia",
    "olivia ",
    "\tolivia",
    "olivia\t\n",
    "ｏｌｉｖｉａ",
    "OLIVIA",
    "Olivia",
    " ＯＬＩＶＩＡ\t",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_it_refuses_every_spelling_of_a_locked_name(owner, lock, spelling):
    for _ in range(3):
        assert lock(owner.username).status_code == 200
    refused = lock(spelling, PASSWORD)
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    assert "_auth_user_id" not in refused.client.session


def test_failures_under_different_spellings_add_up(owner, lock):
    for spelling in (" olivia", "ｏｌｉｖｉａ", "OLIVIA\t"):
        assert lock(spelling).status_code == 200
    assert lock(owner.username, PASSWORD).status_code == 429


def test_a_right_password_under_another_spelling_does_not_lift_the_lock(owner, lock):
    for _ in range(3):
        lock(owner.username)
    assert lock(f" {owner.username} ", PASSWORD).status_code == 429
    assert lock(owner.username, PASSWORD).status_code == 429


def test_a_sign_in_with_spaces_around_the_name_still_works_and_clears_the_count(owner, lock):
    lock(owner.username)
    lock(owner.username)
    assert lock(f"\t{owner.username} ", PASSWORD).status_code == 302
    # The count started again: two more failures do not lock the account.
    lock(owner.username)
    lock(owner.username)
    assert lock(owner.username, PASSWORD).status_code == 302


def test_unknown_names_share_one_count_whatever_their_spelling(db, lock):
    for spelling in ("ghost", " GHOST", "ｇｈｏｓｔ"):
        assert lock(spelling).status_code == 200
    for spelling in ("Ghost", "ghost\t", "ＧＨＯＳＴ"):
        assert lock(spelling).status_code == 429


def test_the_lock_holds_one_account_from_one_address(owner, other_owner, lock, address):
    for _ in range(3):
        lock(owner.username)
    assert lock(other_owner.username, PASSWORD).status_code == 302
    elsewhere = Client(REMOTE_ADDR="2001:db8::1").post(
        "/accounts/login/", {"username": owner.username, "password": PASSWORD}
    )
    assert elsewhere.status_code == 302

"""Browser tests: Playwright (sync API) drives Debian's Chromium against Django's live_server.

Playwright cannot download its own browser here, so the launch points at /usr/bin/chromium."""

import os

import pytest
from django.core.cache import cache

from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside one
# unless told the test process knows what it is doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = "/tmp/browser-shots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Wide enough for the register table and the two heat maps side by side, as on a laptop.
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}}


@pytest.fixture(autouse=True)
def _short_waits(page):
    # A page of this app renders server-side in well under a second; fail fast instead of after 30 s.
    page.set_default_timeout(5_000)


@pytest.fixture(autouse=True)
def _forget_failed_sign_ins():
    """The sign-in failure counter lives in Redis, which outlives the test database: a wrong-password
    test must not lock its user out of the next run."""
    yield
    for username in ("maria", "boris", "olivia", "oscar", "audrey"):
        cache.delete(f"login-failures:{username}:127.0.0.1")


def sign_in(page, live_server, user, password=PASSWORD):
    """Sign in through the login form, as a person does."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

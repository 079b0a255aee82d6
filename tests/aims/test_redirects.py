"""Every `next` AIMS honours stays on this site (aims.redirects), and bad input to the notification
form is a message, never a 500."""

import pytest
from django.test import Client, RequestFactory

from aims.models import Notification
from aims.redirects import is_same_site, safe_next
from tests.base import client_for
from tests.conftest import PASSWORD

SAME_SITE = [
    "/",
    "/risks/",
    "/notifications/?unread=1&page=2",
    "/risks/?q=a%20b",
    "http://testserver/risks/",
]
ELSEWHERE = [
    "https://evil.example/phish",
    "http://evil.example",
    "//evil.example/phish",
    "///evil.example/phish",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "\x00/risks/",
    "/risks/\x7f",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "http:evil.example",
    "https:/evil.example",
    "https:\\\\evil.example",
    "ftp://testserver/risks/",
    "http://testserver.evil.example/",
    "http://testserver@evil.example/",
    "http://evil.example\\@testserver/",
    "/／evil.example",
    "／／evil.example",
    "risks/",
    "notifications",
    "",
    None,
    "/" + "a" * 3000,
]


@pytest.fixture
def request_():
    return RequestFactory().get("/notifications/")


@pytest.mark.parametrize("url", SAME_SITE)
def test_it_follows_paths_and_urls_of_this_site(request_, url):
    assert is_same_site(url, request_) and safe_next(request_, url) == url


@pytest.mark.parametrize("url", ELSEWHERE)
def test_it_refuses_anything_that_could_leave_the_site(request_, url):
    assert not is_same_site(url, request_)
    assert safe_next(request_, url, fallback="notifications") == "/notifications/"


def test_over_https_it_refuses_plain_http_of_its_own_host():
    secure = RequestFactory().get("/", secure=True)
    assert is_same_site("https://testserver/risks/", secure)
    assert not is_same_site("http://testserver/risks/", secure)


# -- the views that honour a `next` ----------------------------------------------------------------


@pytest.fixture
def unread(owner):
    return [
        Notification.objects.create(user=owner, kind="review_due", key=f"k{i}", message=f"Review {i}")
        for i in range(2)
    ]


@pytest.mark.parametrize(
    "url", ["https://evil.example/phish", "//evil.example", "javascript:alert(1)", "/\\evil"]
)
def test_marking_read_never_sends_you_elsewhere(owner, unread, url):
    response = client_for(owner).post("/notifications/read/", {"id": unread[0].pk, "next": url})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    unread[0].refresh_from_db()
    assert unread[0].read_at is not None


def test_marking_read_returns_to_the_page_you_were_on(owner, unread):
    response = client_for(owner).post("/notifications/read/", {"next": "/notifications/?unread=1&page=2"})
    assert response["Location"] == "/notifications/?unread=1&page=2"
    assert not Notification.objects.filter(user=owner, read_at__isnull=True).exists()


@pytest.mark.parametrize("bad", ["abc", "1.5", "-3", "0", "99999999999999999999999", "1 OR 1=1"])
def test_a_bad_notification_id_is_named_and_marks_nothing(owner, unread, bad):
    client = client_for(owner)
    response = client.post("/notifications/read/", {"id": bad, "next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    page = client.get("/notifications/").content.decode()
    assert "Notification id" in page and "Nothing was marked" in page
    assert Notification.objects.filter(user=owner, read_at__isnull=True).count() == 2


def test_someone_elses_notification_is_not_marked(owner, other_owner, unread):
    response = client_for(other_owner).post("/notifications/read/", {"id": unread[0].pk})
    assert response.status_code == 302
    assert Notification.objects.filter(user=owner, read_at__isnull=True).count() == 2


@pytest.mark.parametrize("url", ["https://evil.example/phish", "//evil.example", "/\\evil.example"])
def test_signing_in_never_sends_you_elsewhere(auditor, url):
    client = Client()
    page = client.get("/accounts/login/", {"next": url}).content.decode()
    assert "evil.example" not in page
    response = client.post(
        "/accounts/login/", {"username": auditor.username, "password": PASSWORD, "next": url}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    # Already signed in, the sign-in page sends you on: still not elsewhere.
    again = client.get("/accounts/login/", {"next": url})
    assert again.status_code == 302 and again["Location"] == "/"


def test_signing_in_returns_to_the_page_that_asked(auditor):
    response = Client().post(
        "/accounts/login/", {"username": auditor.username, "password": PASSWORD, "next": "/risks/?page=2"}
    )
    assert response["Location"] == "/risks/?page=2"


@pytest.mark.parametrize("url", ["https://evil.example/phish", "//evil.example", "/\t/evil.example"])
def test_signing_out_never_sends_you_elsewhere(owner, url):
    response = client_for(owner).post("/accounts/logout/", {"next": url})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"

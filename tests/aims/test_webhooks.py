"""Outgoing webhooks (issue 15, part 3), against a real HTTP receiver this test starts on this machine and
a real Celery worker over the configured broker: signed the Standard Webhooks way, retried, logged,
turned off after repeated failures with the owner told, and never aimed at a private address."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections, transaction
from django.test import override_settings
from django.utils import timezone

from aims.celery import app
from aims.models import Notification, WebhookDelivery, WebhookSubscription
from tests.base import client_for


class Receiver:
    """An HTTP server on a free local port that records each request and answers the next code of
    `codes` (the last one again once they run out)."""

    def __init__(self, codes=(200,)):
        self.codes, self.requests = list(codes), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                code = receiver.codes.pop(0) if len(receiver.codes) > 1 else receiver.codes[0]
                self.send_response(code)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/aims?from=test"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count: int, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.requests) >= count, f"{len(self.requests)} of {count} requests arrived"
        return self.requests

    def close(self):
        self.server.shutdown()
        self.server.server_close()


LOCAL = {
    "WEBHOOK_ALLOWED_HOSTS": ["127.0.0.1"],
    "WEBHOOK_RETRY_DELAYS": [0.2, 0.2],
    "WEBHOOK_DISABLE_AFTER": 2,
}


@pytest.fixture
def worker(monkeypatch):
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    app.control.purge()
    with (
        override_settings(**LOCAL),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30),
    ):
        yield


@pytest.fixture
def receiver():
    made = []

    def make(codes=(200,)):
        made.append(Receiver(codes))
        return made[-1]

    yield make
    for server in made:
        server.close()


def subscribe(manager, url, *types) -> WebhookSubscription:
    response = client_for(manager).post(
        "/integrations/webhooks/", {"name": "ticketing", "url": url, "event_types": list(types)}
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return WebhookSubscription.objects.get(url=url)


def wait_for(delivery_filter, status, timeout: float = 30) -> WebhookDelivery:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = WebhookDelivery.objects.filter(**delivery_filter, status=status).first()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(
        f"no {status} delivery: {list(WebhookDelivery.objects.values('status', 'attempts'))}"
    )


def verify_signature(secret: str, headers: dict, body: bytes) -> bool:
    """The receiver's side of Standard Webhooks, written out here from the specification."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return any(part.split(",", 1)[1] == expected for part in headers["webhook-signature"].split(" "))


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.worker
def test_a_risk_created_is_posted_signed_to_its_subscriber(worker, receiver, manager, make_risk):
    server = receiver()
    subscription = subscribe(manager, server.url, "risk.created", "risk.archived")
    risk = make_risk(title="Chatbot invents refund rules")
    (request,) = server.wait(1)
    headers = {k.lower(): v for k, v in request["headers"].items()}
    delivery = wait_for({"subscription": subscription}, "delivered")
    assert headers["webhook-id"] == delivery.message_id and headers["content-type"] == "application/json"
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert verify_signature(subscription.secret, headers, request["body"])
    assert not verify_signature("whsec_" + base64.b64encode(b"x" * 32).decode(), headers, request["body"])
    body = json.loads(request["body"])
    assert body["type"] == "risk.created" and request["path"] == "/hooks/aims?from=test"
    assert body["data"] | {"url": None} == {
        "reference": risk.reference, "register": "AI risks", "action": "created", "version": 1,
        "actor": risk.owner.username, "url": None,
    }  # fmt: skip
    assert body["data"]["url"].endswith(f"/api/v1/risks/{risk.reference}/")
    assert list(delivery.tries.values_list("status_code", flat=True)) == [200]


@pytest.mark.worker
def test_a_failed_delivery_is_tried_again_and_each_attempt_logged(worker, receiver, manager, make_risk):
    server = receiver(codes=(500, 503, 204))
    subscription = subscribe(manager, server.url, "risk.created")
    make_risk()
    delivery = wait_for({"subscription": subscription}, "delivered")
    assert list(delivery.tries.values_list("status_code", flat=True)) == [500, 503, 204]
    assert {r["headers"]["webhook-id"] for r in server.wait(3)} == {delivery.message_id}  # one message
    page = client_for(manager).get(f"/integrations/webhooks/{subscription.pk}/").content.decode()
    assert "HTTP 500" in page and "HTTP 503" in page and "HTTP 204" in page and delivery.message_id in page


@pytest.mark.worker
def test_repeated_failures_turn_the_webhook_off_and_tell_its_owner(worker, receiver, manager, make_risk):
    server = receiver(codes=(500,))
    subscription = subscribe(manager, server.url, "risk.created")
    for n in range(2):  # WEBHOOK_DISABLE_AFTER = 2 deliveries failed for good (3 attempts each)
        make_risk(title=f"Risk {n}")
        deadline = time.monotonic() + 30
        while WebhookDelivery.objects.filter(status="failed").count() <= n and time.monotonic() < deadline:
            time.sleep(0.05)
    subscription.refresh_from_db()
    assert not subscription.active and "2 failed deliveries in a row" in subscription.disabled_reason
    note = Notification.objects.get(user=manager, kind=Notification.Kind.WEBHOOK_DISABLED)
    assert "ticketing" in note.message and "HTTP 500" in note.message
    make_risk(title="After it was turned off")
    assert WebhookDelivery.objects.count() == 2  # nothing more is raised for it


@pytest.mark.worker
def test_the_test_button_sends_a_test_event_even_to_a_webhook_turned_off(worker, receiver, manager):
    server = receiver()
    subscription = subscribe(manager, server.url, "risk.created")
    client = client_for(manager)
    client.post(f"/integrations/webhooks/{subscription.pk}/disable/")
    client.post(f"/integrations/webhooks/{subscription.pk}/test/")
    (request,) = server.wait(1)
    assert json.loads(request["body"])["type"] == "webhook.test"
    assert verify_signature(subscription.secret, {k.lower(): v for k, v in request["headers"].items()},
                            request["body"])  # fmt: skip


def test_a_change_rolled_back_raises_no_event(manager, make_risk):
    with override_settings(**LOCAL):
        subscribe(manager, "http://127.0.0.1:9/hook", "risk.created")
        with pytest.raises(RuntimeError), transaction.atomic():
            make_risk()
            raise RuntimeError("the form's second step failed")
    assert not WebhookDelivery.objects.exists()


def test_nobody_listening_raises_nothing(make_risk):
    make_risk()
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.org/hook", "http:// or https://"),
        ("http://127.0.0.1:8000/hook", "private, loopback, link-local or reserved"),
        ("http://10.1.2.3/hook", "private, loopback"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]/hook", "private, loopback"),
        ("http://user:pw@example.org/hook", "no user name or password"),
        ("http://no-such-host.invalid/hook", "cannot be found"),
        ("not a url", "Enter a valid URL"),
    ],
)
def test_targets_must_be_public_http_addresses(manager, url, words):
    response = client_for(manager).post(
        "/integrations/webhooks/", {"name": "x", "url": url, "event_types": ["risk.created"]}
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["url"])
    assert not WebhookSubscription.objects.exists()


def test_a_named_host_may_be_allowed_by_the_administrator(manager):
    with override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"]):
        assert subscribe(manager, "http://127.0.0.1:9/hook", "risk.created").active


def test_an_event_type_nobody_offers_is_refused(manager):
    response = client_for(manager).post(
        "/integrations/webhooks/", {"name": "x", "url": "https://example.org/", "event_types": ["risk.eaten"]}
    )
    assert "Select a valid choice" in " ".join(response.context["form"].errors["event_types"])


def test_the_second_of_two_editors_is_told(manager):
    with override_settings(**LOCAL):
        subscription = subscribe(manager, "http://127.0.0.1:9/hook", "risk.created")
        form = {"name": "renamed", "url": subscription.url, "event_types": ["risk.created"], "version": 1}
        first = client_for(manager).post(f"/integrations/webhooks/{subscription.pk}/", form)
        second = client_for(manager).post(
            f"/integrations/webhooks/{subscription.pk}/", form | {"name": "other"}
        )
    assert first.status_code == 302
    assert "Someone changed this webhook" in second.content.decode()
    subscription.refresh_from_db()
    assert (subscription.name, subscription.version) == ("renamed", 2)


@pytest.mark.parametrize("role", ["owner", "board", "auditor"])
def test_only_the_aims_manager_manages_webhooks(request, role, manager):
    with override_settings(**LOCAL):
        subscription = subscribe(manager, "http://127.0.0.1:9/hook", "risk.created")
    client = client_for(request.getfixturevalue(role))
    for response in (
        client.get("/integrations/webhooks/"),
        client.get(f"/integrations/webhooks/{subscription.pk}/"),
        client.post(f"/integrations/webhooks/{subscription.pk}/delete/"),
        client.post(
            "/integrations/webhooks/", {"name": "x", "url": "https://example.org/", "event_types": []}
        ),
    ):
        assert response.status_code == 403 and "Only the AIMS manager" in response.content.decode()
    assert WebhookSubscription.objects.count() == 1


def _subscribed_to(manager, *types) -> WebhookSubscription:
    with override_settings(**LOCAL):
        return subscribe(manager, "http://127.0.0.1:9/hook", *types)


def test_an_incident_marked_serious_raises_its_event_once(manager, owner):
    from lifecycle.standard.incidents.services import services

    _subscribed_to(manager, "incident.serious")
    fields = {"title": "Chatbot quoted the wrong repayment date", "detected_on": timezone.localdate(),
              "severity": "high", "description": "Customers were told a later date."}  # fmt: skip
    minor = services.create(actor=owner, fields=fields)
    assert not WebhookDelivery.objects.exists()  # not serious: nothing to tell
    serious = services.update(
        minor,
        actor=owner,
        expected_version=minor.version,
        fields={"serious": True, "serious_kind": "general"},
    )
    services.update(serious, actor=owner, expected_version=serious.version, fields={"severity": "critical"})
    (delivery,) = WebhookDelivery.objects.all()  # once: when it became serious
    body = json.loads(delivery.body)
    assert body["type"] == "incident.serious" and body["data"]["reference"] == minor.reference
    assert body["data"]["serious_kind"] == "general"


def test_a_job_finished_raises_its_event(manager, owner):
    from aims import jobs

    _subscribed_to(manager, "job.finished")
    job = jobs.start_job(kind="risk_register_pdf", title="Risk register (PDF)", params={}, user=owner)
    jobs.cancel_job(job=job, user=manager)
    (delivery,) = WebhookDelivery.objects.filter(event_type="job.finished")
    data = json.loads(delivery.body)["data"]
    assert (data["job"], data["status"], data["requested_by"]) == (job.pk, "cancelled", owner.username)

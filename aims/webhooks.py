"""Outgoing webhooks: events the AIMS tells other systems about, signed the Standard Webhooks way.

An event (a record created, changed, approved or archived in a register; a KPI breach; a serious
incident; a finding raised; a gate decided; a job finished) becomes one delivery per subscription that
asked for its type, written in the transaction that caused it and sent by Celery once it commits
(aims.tasks.deliver_webhook): never for a change that was rolled back. Each delivery is retried with
growing waits (WEBHOOK_RETRY_DELAYS); a subscription whose deliveries fail WEBHOOK_DISABLE_AFTER times in
a row is turned off and its owner told.

The body is thin: what happened to which record (reference, register, version, API URL), not the
record's content. A receiver reads the record through the API with a token of its own, and sees only
what that token may.

Signature (https://www.standardwebhooks.com): headers webhook-id, webhook-timestamp and
webhook-signature = "v1," + base64(HMAC-SHA256(secret, f"{id}.{timestamp}.{body}")), the secret being
the bytes after "whsec_" in base64.

Targets must be http(s) and, unless named in WEBHOOK_ALLOWED_HOSTS, resolve only to public addresses:
no loopback, private, link-local or reserved ones (a webhook must not reach into the AIMS's own network).
The address is checked again when each attempt connects, and the connection goes to the address checked.
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

# Event types beyond the registers' own, from the apps that raise them: type -> what it means.
OTHER_EVENTS: dict[str, str] = {"job.finished": "A report, pack or import job finished (done or failed)"}
RECORD_ACTIONS = {
    # history action -> event verb
    "created": "created", "imported": "created",
    "updated": "changed", "reviewed": "changed", "submitted": "changed", "returned": "changed",
    "triaged": "changed", "revised": "changed", "restored": "changed", "rejected": "changed",
    "approved": "approved", "accepted": "approved", "published": "approved",
    "archived": "archived", "retired": "archived",
}  # fmt: skip
VERBS = ("created", "changed", "approved", "archived")
TEST_EVENT = "webhook.test"
SUBSCRIBED_KEY = "aims:webhooks:subscribed"  # event type -> subscription ids, in the shared cache


def declare(event_type: str, meaning: str) -> None:
    """An app's own event type (from its AppConfig.ready())."""
    OTHER_EVENTS[event_type] = meaning


def event_types() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every event type a subscription may ask for, grouped as a form offers them: each register's four
    under its name, in menu order, then the others with what each means."""
    from aims.registry import registry

    groups = [
        (info.label, [(f"{info.model._meta.model_name}.{verb}", f"{verb} ({info.model._meta.model_name}.{verb})")
                      for verb in VERBS])
        for info in registry.registers
    ]  # fmt: skip
    return groups + [
        ("Other events", [(kind, f"{meaning} ({kind})") for kind, meaning in sorted(OTHER_EVENTS.items())])
    ]


# -- raising events -----------------------------------------------------------------------------------------
def subscribed(event_type: str) -> list[int]:
    """Ids of the active subscriptions to `event_type`: kept in the shared cache, forgotten whenever a
    subscription changes, so a write with nobody listening costs no query."""
    table = cache.get(SUBSCRIBED_KEY)
    if table is None:
        from aims.models import WebhookSubscription

        table = {}
        for pk, types in WebhookSubscription.objects.filter(active=True).values_list("pk", "event_types"):
            for kind in types:
                table.setdefault(kind, []).append(pk)
        cache.set(SUBSCRIBED_KEY, table, 3600)
    return table.get(event_type, [])


def subscriptions_changed() -> None:
    cache.delete(SUBSCRIBED_KEY)
    transaction.on_commit(lambda: cache.delete(SUBSCRIBED_KEY))  # and once the change is visible


def emit(event_type: str, data: dict, *, only=None) -> list[int]:
    """Raise an event: one delivery per subscription to its type (or to `only`, a subscription's id, for
    a test), sent once the current transaction commits. Returns the deliveries' ids."""
    from aims.models import WebhookDelivery, WebhookSubscription

    targets = [only] if only is not None else subscribed(event_type)
    if targets and only is None:  # the cache may name one deleted or turned off a moment ago
        targets = list(
            WebhookSubscription.objects.filter(pk__in=targets, active=True).values_list("pk", flat=True)
        )
    if not targets:
        return []
    body = json.dumps(
        {"type": event_type, "timestamp": timezone.now().isoformat(timespec="seconds"), "data": data},
        ensure_ascii=False, separators=(",", ":"), default=str,
    )  # fmt: skip
    made = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(subscription_id=pk, message_id=f"msg_{uuid.uuid4().hex}", event_type=event_type, body=body)
        for pk in targets
    )  # fmt: skip
    ids = [delivery.pk for delivery in made]
    transaction.on_commit(lambda: _send(ids))
    return ids


def _send(delivery_ids) -> None:
    from aims.tasks import deliver_webhook

    for pk in delivery_ids:
        deliver_webhook.delay(pk)


def emit_about(record, event_type: str, action: str, actor, **more) -> list[int]:
    """Raise an event about a register's record (record_data, and `more`), building its body only when
    someone listens: the services that decide something (a gate, a breach) call this as they do it."""
    if not subscribed(event_type):
        return []
    return emit(event_type, record_data(record, action, actor) | more)


def record_event(record, action: str, actor) -> None:
    """A register's record changed (aims.records.record_change): its event, if anyone listens."""
    verb = RECORD_ACTIONS.get(action)
    if verb is not None:
        emit_about(record, f"{record._meta.model_name}.{verb}", action, actor)


def record_data(record, action: str, actor) -> dict:
    from aims.api.fields import absolute_url
    from aims.registry import registry

    info = registry.register_for(type(record))
    api = info is not None and info.register is not None and info.register.viewset is not None
    path = (
        reverse(f"api:{info.register.name}-detail", kwargs={"reference": record.reference}) if api else None
    )
    return {
        "reference": getattr(record, "reference", str(record.pk)),
        "register": info.label if info else record._meta.verbose_name_plural,
        "action": action,
        "version": getattr(record, "version", None),
        "actor": getattr(actor, "username", None),
        "url": absolute_url(None, path) or "",
    }


# -- where a webhook may go ---------------------------------------------------------------------------------
def check_target(url: str) -> list[str]:
    """The addresses `url` may be reached at, or ValidationError saying why it may not be used."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValidationError({"url": "Use an http:// or https:// address."})
    if not parts.hostname:
        raise ValidationError({"url": "The address names no host."})
    if parts.username or parts.password:
        raise ValidationError(
            {"url": "Put no user name or password in the address; the signature proves the sender."}
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError) as exc:
        raise ValidationError({"url": f"The host {parts.hostname} cannot be found ({exc})."}) from exc
    addresses = sorted({info[4][0] for info in found})
    if parts.hostname.lower() in {h.lower() for h in settings.WEBHOOK_ALLOWED_HOSTS}:
        return addresses
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise ValidationError(
                {"url": f"{parts.hostname} is at {address}, a private, loopback, link-local or reserved "
                        "address: webhooks go to public addresses only (an administrator may allow a named host)."}
            )  # fmt: skip
    return addresses


# -- sending ------------------------------------------------------------------------------------------------
def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(subscription, delivery, timestamp: int) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": "AIMS-Webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(subscription.secret, delivery.message_id, timestamp, delivery.body),
    }


class _Pinned(http.client.HTTPConnection):
    """An HTTP connection to the address checked, whatever the host's name resolves to by now."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def post(url: str, body: bytes, header_map: dict, timeout: float) -> int:
    """POST `body` to `url` at an address check_target allows; the response's status code. Redirects are
    not followed: a 3xx is the receiver's answer, and a failure."""
    address = check_target(url)[0]
    parts = urlsplit(url)
    kind = _PinnedTLS if parts.scheme == "https" else _Pinned
    connection = kind(
        parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), address, timeout
    )
    try:
        path = parts.path or "/"
        connection.request(
            "POST", path + (f"?{parts.query}" if parts.query else ""), body=body, headers=header_map
        )
        response = connection.getresponse()
        response.read(64 * 1024)  # the answer's start, so the connection closes cleanly; not kept
        return response.status
    finally:
        connection.close()


def attempt(delivery_id: int) -> float | None:
    """Try a delivery once and log the attempt. Returns the seconds to wait before the next try, or None
    when it is finished (delivered, failed for good, or its subscription turned off)."""
    from aims.models import WebhookAttempt, WebhookDelivery

    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return None
    subscription = delivery.subscription
    if not subscription.active and delivery.event_type != TEST_EVENT:
        _finish(delivery, WebhookDelivery.Status.FAILED)
        return None
    started = time.monotonic()
    code, error = None, ""
    try:
        code = post(
            subscription.url, delivery.body.encode(), headers(subscription, delivery, int(time.time())),
            settings.WEBHOOK_TIMEOUT,
        )  # fmt: skip
        if not 200 <= code < 300:
            error = f"answered HTTP {code}"
    except ValidationError as exc:
        error = " ".join(exc.message_dict.get("url", exc.messages))
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    WebhookAttempt.objects.create(
        delivery=delivery, status_code=code, error=error[:300],
        duration_ms=int((time.monotonic() - started) * 1000),
    )  # fmt: skip
    delivery.attempts += 1
    if not error:
        _finish(delivery, WebhookDelivery.Status.DELIVERED)
        type(subscription).objects.filter(pk=subscription.pk).update(failures_in_a_row=0)
        return None
    delays = settings.WEBHOOK_RETRY_DELAYS
    if delivery.attempts <= len(delays):
        delivery.save(update_fields=["attempts"])
        return delays[delivery.attempts - 1]
    _finish(delivery, WebhookDelivery.Status.FAILED)
    if delivery.event_type != TEST_EVENT:
        _count_failure(subscription, error)
    return None


def _finish(delivery, status) -> None:
    delivery.status = status
    delivery.finished_at = timezone.now()
    delivery.save(update_fields=["attempts", "status", "finished_at"])


def _count_failure(subscription, error: str) -> None:
    """One more delivery failed for good; past WEBHOOK_DISABLE_AFTER in a row, the subscription is turned
    off and its owner told."""
    from django.db.models import F
    from django.urls import reverse

    from aims.models import Notification, WebhookSubscription
    from aims.notifications import notify

    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        failures_in_a_row=F("failures_in_a_row") + 1
    )
    subscription.refresh_from_db()
    if subscription.active and subscription.failures_in_a_row >= settings.WEBHOOK_DISABLE_AFTER:
        reason = (
            f"Turned off after {subscription.failures_in_a_row} failed deliveries in a row; the last {error}."
        )
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            active=False, disabled_reason=reason[:300]
        )
        subscriptions_changed()
        notify(
            subscription.owner,
            kind=Notification.Kind.WEBHOOK_DISABLED,
            key=f"webhook-disabled:{subscription.pk}:{subscription.version}:{subscription.failures_in_a_row}",
            message=f"Webhook “{subscription.name}” was turned off: {reason}",
            url=reverse("webhook-detail", args=[subscription.pk]),
        )

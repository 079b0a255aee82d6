"""The reminder sweep (clauses 9.1 and 10.1 keep records current): Celery beat runs it daily.

Records whose next review is due within REMINDER_DUE_WITHIN_DAYS, or overdue, notify their owner in
the app and by one email digest per person per run; overdue by more than REMINDER_ESCALATE_AFTER_DAYS
also goes to every governance board member. Each notification has a key naming the record and the
review date it is about, unique per person, so a second run of the same sweep sends nothing twice.

A register may name people besides the owner who get the same reminder (a training record's trained
person, before the certificate expires) with `also_remind(Model, "person")`."""

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from aims import roles
from aims.models import Notification, User
from aims.registry import registry

log = logging.getLogger(__name__)

# Model -> names of its user foreign keys who are reminded as well as the owner.
_also_remind: dict[type, tuple[str, ...]] = {}


def also_remind(model, *user_fields: str) -> None:
    """Send `model`'s review reminders also to the users in these fields (each person once per record)."""
    _also_remind[model] = tuple(user_fields)


def _candidates(today: dt.date):
    """(user, kind, key, message, url) for every reminder the sweep owes today."""
    soon = today + dt.timedelta(days=settings.REMINDER_DUE_WITHIN_DAYS)
    escalate_before = today - dt.timedelta(days=settings.REMINDER_ESCALATE_AFTER_DAYS)
    board = list(User.objects.filter(groups__name=roles.BOARD, is_active=True).distinct())
    for info in registry.registers:
        label = info.model._meta.label_lower
        extra = _also_remind.get(info.model, ())
        due = info.model.objects.live().filter(next_review_on__lte=soon, owner__is_active=True)
        if info.register is not None:
            due = info.register.review_reminders(due)
        due = due.select_related("owner", *extra).only(
            "pk", "reference", "title", "next_review_on", "owner", *extra
        )
        for record in due.iterator(chunk_size=2000):
            when = record.next_review_on
            state = f"overdue since {when:%Y-%m-%d}" if when < today else f"due on {when:%Y-%m-%d}"
            url = record.get_absolute_url()
            key = f"review:{label}:{record.pk}:{when.isoformat()}"
            message = f"Review of {record.reference} {record.title} is {state}."
            yield record.owner, Notification.Kind.REVIEW_DUE, key, message, url
            for name in extra:  # the same key: someone who is also the owner is reminded once
                person = getattr(record, name)
                if person is not None and person.is_active:
                    yield person, Notification.Kind.REVIEW_DUE, key, message, url
            if when < escalate_before:
                for member in board:
                    yield (
                        member,
                        Notification.Kind.OVERDUE_ESCALATION,
                        f"escalation:{label}:{record.pk}:{when.isoformat()}",
                        f"Escalated: review of {record.reference} {record.title} (owner {record.owner}) "
                        f"is {state}, more than {settings.REMINDER_ESCALATE_AFTER_DAYS} days.",
                        url,
                    )


TOKEN_EXPIRY_NOTICE_DAYS = 14


def _expiring_tokens(today: dt.date):
    """An API token about to expire reminds its person once, two weeks ahead: an integration that stops
    overnight is found by the people it serves, not by the one who can renew it."""
    from aims.models import ApiToken

    soon = timezone.make_aware(
        dt.datetime.combine(today + dt.timedelta(days=TOKEN_EXPIRY_NOTICE_DAYS), dt.time.max)
    )
    tokens = ApiToken.objects.filter(
        revoked_at__isnull=True, expires_at__gt=timezone.now(), expires_at__lte=soon, user__is_active=True
    ).select_related("user")
    for token in tokens:
        day = timezone.localtime(token.expires_at).date()
        yield (
            token.user,
            Notification.Kind.TOKEN_EXPIRING,
            f"token-expiring:{token.pk}:{day.isoformat()}",
            f"Your API token “{token.name}” expires on {day:%Y-%m-%d}: make a new one and give it to the "
            "integration before then.",
            reverse("tokens"),
        )


def _all_candidates(today: dt.date):
    yield from _candidates(today)
    yield from _expiring_tokens(today)
    for source in registry.reminder_sources:
        yield from source(today)


def sweep(today: dt.date | None = None) -> dict:
    """Create the reminders not yet sent and email each person one digest of the new ones, with the
    notifications made since the last digest as things happened (aims.notifications.notify)."""
    today = today or timezone.localdate()
    wanted = {
        (user.pk, key): (user, kind, key, message, url)
        for user, kind, key, message, url in _all_candidates(today)
    }
    existing = set(
        Notification.objects.filter(key__in={key for _, key in wanted}).values_list("user_id", "key")
    )
    new = [
        Notification(user=user, kind=kind, key=key, message=message, url=url)
        for (user_id, key), (user, kind, _, message, url) in wanted.items()
        if (user_id, key) not in existing
    ]
    with transaction.atomic():
        # ignore_conflicts: a sweep running at the same moment elsewhere cannot double a reminder.
        Notification.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    by_user = defaultdict(list)
    pending = Notification.objects.filter(email_pending=True, user__is_active=True).select_related("user")
    for note in [*pending.order_by("created_at", "id"), *new]:
        by_user[note.user].append(note)
    emails = 0
    for user, notes in by_user.items():
        sent = bool(user.email) and _send_digest(user, notes)
        emails += sent
        done = {"email_pending": False, **({"emailed_at": timezone.now()} if sent else {})}
        if sent or not user.email:  # a failed email leaves what happened pending for the next digest
            Notification.objects.filter(user=user, key__in=[n.key for n in notes]).update(**done)
    log.info("Reminder sweep %s: %d new notifications, %d digests", today, len(new), emails)
    return {"notifications": len(new), "emails": emails}


def _send_digest(user, notes) -> bool:
    lines = [f"- {n.message}\n  {settings.SITE_URL}{n.url}" for n in notes]
    body = (
        f"Hello {user},\n\nAIMS has {len(notes)} new notification{'s' if len(notes) != 1 else ''} for you:\n\n"
        + "\n".join(lines)
        + "\n\nYou can see all of them under Notifications.\n"
    )
    try:
        send_mail(
            f"AIMS: {len(notes)} new notification{'s' if len(notes) != 1 else ''}",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    except Exception:  # noqa: BLE001 - the in-app notification stands; the next run does not resend
        log.exception("Could not email the reminder digest to %s", user.pk)
        return False
    return True

"""Telling a person something the moment it happens (a finding raised on their record ...): an in-app
notification now, and a line in their next email digest (aims.reminders.sweep), each once per key."""

import functools

from django.db import connection

from aims import statements
from aims.models import Notification


def notify(user, *, kind: str, key: str, message: str, url: str = "") -> Notification | None:
    """Notify `user` in the app and in their next email digest; the same key for the same person never
    notifies twice. Returns the new notification, or None when it was sent already or `user` is inactive."""
    if user is None or not user.is_active:
        return None
    note, created = Notification.objects.get_or_create(
        user=user,
        key=key,
        defaults={"kind": kind, "message": message[:500], "url": url[:300], "email_pending": True},
    )
    return note if created else None


def unread_count(user) -> int:
    """How many of `user`'s notifications are unread: the bell on every page. Its SQL is written once
    per process rather than built and compiled as a queryset each time (a tenth of a small page's
    Python), and sent as a prepared statement (aims.statements)."""
    sql = _unread_sql(connection.vendor)
    with connection.cursor() as cursor:
        statements.execute(connection, cursor, sql, [user.pk])
        return cursor.fetchone()[0]


@functools.cache
def _unread_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    meta = Notification._meta
    user, read_at = meta.get_field("user").column, meta.get_field("read_at").column
    return (
        f"SELECT COUNT(*) FROM {quote(meta.db_table)} WHERE {quote(user)} = %s AND {quote(read_at)} IS NULL"
    )

"""Telling a person something the moment it happens (a finding raised on their record ...): an in-app
notification now, and a line in their next email digest (aims.reminders.sweep), each once per key."""

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

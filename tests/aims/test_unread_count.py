"""The bell's count on every page: the person's own unread notifications, no one else's, none read."""

from django.utils import timezone

from aims.models import Notification
from aims.notifications import unread_count
from tests.base import client_for


def test_the_bell_counts_only_my_unread_notifications(owner, other_owner):
    for n in range(3):
        Notification.objects.create(user=owner, kind="reminder", key=f"mine:{n}", message=f"Mine {n}")
    Notification.objects.create(
        user=owner, kind="reminder", key="read", message="Read", read_at=timezone.now()
    )
    Notification.objects.create(user=other_owner, kind="reminder", key="theirs", message="Theirs")
    assert unread_count(owner) == 3 == owner.notifications.filter(read_at__isnull=True).count()
    assert unread_count(other_owner) == 1
    page = client_for(owner).get("/risks/").content.decode()
    assert 'aria-label="Notifications, 3 unread">Notifications <span class="count">3</span></a>' in page


def test_no_unread_notification_shows_no_number(owner):
    assert unread_count(owner) == 0
    page = client_for(owner).get("/risks/").content.decode()
    assert 'aria-label="Notifications, 0 unread">Notifications</a>' in page

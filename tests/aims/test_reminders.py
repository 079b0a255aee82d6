import datetime as dt

from django.core import mail
from django.utils import timezone

from aims.models import Notification
from aims.reminders import sweep


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def test_due_and_overdue_reviews_notify_the_owner_once_per_run(make_risk, owner, board, settings):
    settings.REMINDER_DUE_WITHIN_DAYS = 14
    settings.REMINDER_ESCALATE_AFTER_DAYS = 30
    due = make_risk(title="Due soon", next_review_on=days(5))
    overdue = make_risk(title="Overdue a little", next_review_on=days(-3))
    make_risk(title="Not due", next_review_on=days(60))

    result = sweep()

    notes = Notification.objects.filter(user=owner, kind="review_due")
    assert {n.url for n in notes} == {due.get_absolute_url(), overdue.get_absolute_url()}
    assert result == {"notifications": 2, "emails": 1}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [owner.email]
    assert "Due soon" in mail.outbox[0].body and "Overdue a little" in mail.outbox[0].body
    assert "overdue since" in mail.outbox[0].body
    assert not Notification.objects.filter(user=board).exists()  # not overdue long enough to escalate


def test_running_the_sweep_twice_sends_nothing_twice(make_risk, owner):
    make_risk(next_review_on=days(-1))
    sweep()
    again = sweep()
    assert again == {"notifications": 0, "emails": 0}
    assert Notification.objects.filter(user=owner).count() == 1
    assert len(mail.outbox) == 1


def test_long_overdue_reviews_escalate_to_every_board_member(make_risk, owner, board, settings):
    settings.REMINDER_ESCALATE_AFTER_DAYS = 30
    risk = make_risk(title="Forgotten", next_review_on=days(-45))
    sweep()
    escalation = Notification.objects.get(user=board, kind="escalation")
    assert risk.reference in escalation.message and "Olivia" in escalation.message
    assert any(m.to == [board.email] for m in mail.outbox)


def test_a_new_review_date_is_a_new_reminder(make_risk, owner):
    from registers.services import risk_update

    risk = make_risk(next_review_on=days(-1))
    sweep()
    risk_update(risk, actor=owner, expected_version=1, fields={"next_review_on": days(2)})
    assert sweep()["notifications"] == 1


def test_archived_records_are_not_reminded(make_risk, owner):
    from registers.services import risk_archive

    risk = make_risk(next_review_on=days(-1))
    risk_archive(risk, actor=owner, expected_version=1)
    assert sweep()["notifications"] == 0


def test_notification_page_counts_and_marks_read(client, make_risk, owner):
    make_risk(next_review_on=days(-1))
    sweep()
    client.force_login(owner)
    page = client.get("/").content.decode()
    assert "1 unread notification" in page
    client.post("/notifications/read/")
    assert not Notification.objects.filter(user=owner, read_at__isnull=True).exists()


def test_beat_runs_the_sweep_daily_at_the_configured_time(settings):
    import aims.tasks  # noqa: F401  what the worker's autodiscovery imports
    from aims.celery import app

    entry = app.conf.beat_schedule["daily-reminder-sweep"]
    assert entry["task"] == "aims.tasks.reminder_sweep" and entry["task"] in app.tasks  # the name exists
    at = settings.REMINDER_SWEEP_TIME
    assert entry["schedule"].hour == {at.hour} and entry["schedule"].minute == {at.minute}

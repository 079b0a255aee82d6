"""The Celery application. Broker and schedule come from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings.local")

app = Celery("aims")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _schedule_reminder_sweep(sender, **kwargs):
    from django.conf import settings

    at = settings.REMINDER_SWEEP_TIME
    sender.conf.beat_schedule = {
        "daily-reminder-sweep": {
            "task": "aims.tasks.reminder_sweep",
            "schedule": crontab(hour=at.hour, minute=at.minute),
        }
    }

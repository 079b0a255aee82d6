"""The daily reminder to report a serious incident (registered by lifecycle/plugins.py)."""

import datetime as dt

from aims import roles
from aims.models import Notification, User
from lifecycle.models import Incident

from .selectors import UNREPORTED, countdown, with_deadline

REMIND_WITHIN_DAYS = 3  # reminders start this many days before the reporting deadline


def reporting_reminders(today: dt.date):
    """Serious incidents not yet reported whose deadline is within three days or past: the owner and every
    AIMS manager, daily (the key carries the date) until the report date is recorded."""
    due = (
        with_deadline(Incident.objects.live().filter(UNREPORTED))
        .filter(deadline_on__lte=today + dt.timedelta(days=REMIND_WITHIN_DAYS))
        .select_related("owner")
    )
    managers = None
    for incident in due:
        if managers is None:  # only asked for when something is due
            managers = list(User.objects.filter(groups__name=roles.MANAGER, is_active=True).distinct())
        late = incident.deadline_on < today
        kind = Notification.Kind.OVERDUE_ESCALATION if late else Notification.Kind.REVIEW_DUE
        key = f"incident-report:{incident.pk}:{today.isoformat()}"  # one a day; owner and manager once
        message = (
            f"{incident.reference} {incident.title} is a serious AI incident: report it to the authority by "
            f"{incident.deadline_on:%Y-%m-%d} ({countdown(incident, today)})."
        )
        url = incident.get_absolute_url()
        for person in [incident.owner, *managers]:
            if person.is_active:
                yield person, kind, key, message, url

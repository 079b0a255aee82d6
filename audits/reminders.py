"""Audit reminders, sent by the daily sweep (aims.reminders) once each: a planned audit starting within
START_WITHIN_DAYS reminds its lead auditor; a finding unanswered after ANSWER_WITHIN_DAYS reminds its
auditee."""

import datetime as dt

from aims.models import Notification

from .models import Audit, Finding

START_WITHIN_DAYS = 14
ANSWER_WITHIN_DAYS = 14


def audit_reminders(today: dt.date):
    starting = (
        Audit.objects.live()
        .filter(status=Audit.Status.PLANNED, starts_on__gte=today,
                starts_on__lte=today + dt.timedelta(days=START_WITHIN_DAYS), lead_auditor__is_active=True)
        .select_related("lead_auditor")
    )  # fmt: skip
    for audit in starting:
        yield (
            audit.lead_auditor,
            Notification.Kind.REVIEW_DUE,
            f"audit-start:{audit.pk}:{audit.starts_on.isoformat()}",  # moved dates remind again
            f"You lead {audit.reference} {audit.title}, starting on {audit.starts_on:%Y-%m-%d}.",
            audit.get_absolute_url(),
        )
    cutoff = today - dt.timedelta(days=ANSWER_WITHIN_DAYS)
    waiting = (
        Finding.objects.live()
        .filter(status=Finding.Status.OPEN, created_at__date__lte=cutoff, owner__is_active=True)
        .select_related("owner", "audit")
    )
    for finding in waiting:
        yield (
            finding.owner,
            Notification.Kind.REVIEW_DUE,
            f"finding-unanswered:{finding.pk}",
            f"Audit finding {finding.reference} {finding.title} ({finding.audit.reference}) has waited more "
            f"than {ANSWER_WITHIN_DAYS} days for your answer.",
            finding.get_absolute_url(),
        )

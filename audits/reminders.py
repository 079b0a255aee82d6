"""Telling people about audits (9.2). A finding raised on someone's record tells its auditee at once, in
the app and in their next email digest; the daily sweep (aims.reminders) then reminds them every
ANSWER_WITHIN_DAYS while it waits for their answer, once per period. A planned audit starting within
START_WITHIN_DAYS reminds its lead auditor once."""

import datetime as dt

from django.utils import timezone

from aims.models import Notification
from aims.notifications import notify

from .models import Audit, Finding

START_WITHIN_DAYS = 14
ANSWER_WITHIN_DAYS = 14


def tell_auditee(finding, *, actor) -> None:
    """The finding's auditee (its owner) learns it waits for their answer -- unless they raised it."""
    if finding.owner_id == actor.pk:
        return
    notify(
        finding.owner,
        kind=Notification.Kind.FINDING_RAISED,
        key=f"finding-raised:{finding.pk}",
        message=f"Audit {finding.audit.reference} raised finding {finding.reference} {finding.title} "
        f"({finding.get_grade_display().lower()}) for you to answer with a response and a proposed action.",
        url=finding.get_absolute_url(),
    )


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
        days = (today - timezone.localtime(finding.created_at).date()).days
        period = days // ANSWER_WITHIN_DAYS  # one reminder per period the finding waits
        yield (
            finding.owner,
            Notification.Kind.FINDING_RAISED,
            f"finding-unanswered:{finding.pk}:{period}",
            f"Audit finding {finding.reference} {finding.title} ({finding.audit.reference}) has waited "
            f"{days} days for your answer.",
            finding.get_absolute_url(),
        )

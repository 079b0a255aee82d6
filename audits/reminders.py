"""Telling people about audits (9.2). A finding raised on someone's record tells its auditee at once, in
the app and in their next email digest; the daily sweep (aims.reminders) then reminds them every
ANSWER_WITHIN_DAYS while it waits for their answer, once per period. A planned audit starting within
START_WITHIN_DAYS reminds its lead auditor once (a certification body's audit: its owner, who hosts it).
A certificate nearing its expiry or its next surveillance audit reminds its owner (certificate_reminders)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from aims import roles
from aims.models import Notification, User
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
                starts_on__lte=today + dt.timedelta(days=START_WITHIN_DAYS))
        .filter(Q(kind=Audit.Kind.INTERNAL, lead_auditor__is_active=True)
                | Q(kind=Audit.Kind.CERTIFICATION, owner__is_active=True))
        .select_related("lead_auditor", "owner")
    )  # fmt: skip
    for audit in starting:
        if audit.is_certification:  # the body's auditors are not users: its owner prepares the organisation
            person = audit.owner
            message = (
                f"{audit.certification_body}'s {audit.get_stage_display().lower()} audit {audit.reference} "
                f"{audit.title} starts on {audit.starts_on:%Y-%m-%d}: you host it."
            )
        else:
            person = audit.lead_auditor
            message = f"You lead {audit.reference} {audit.title}, starting on {audit.starts_on:%Y-%m-%d}."
        yield (
            person,
            Notification.Kind.REVIEW_DUE,
            f"audit-start:{audit.pk}:{audit.starts_on.isoformat()}",  # moved dates remind again
            message,
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


def certificate_reminders(today: dt.date):
    """The certificate's owner is told once when its expiry comes within EXPIRY_WARNING_DAYS (the
    recertification audit must be done before it, ISO/IEC 17021-1 9.6.3), and once when its next
    surveillance audit comes within SURVEILLANCE_WARNING_DAYS (9.6.2); the board hears of an expiry too. A
    new date reminds again."""
    from .certificates import due

    expiring, surveillance = due(today)
    board = list(User.objects.filter(groups__name=roles.BOARD, is_active=True).distinct())
    for certificate in expiring.filter(owner__is_active=True).select_related("owner"):
        message = (
            f"Certificate {certificate.reference} ({certificate.certification_body} no. {certificate.number}) "
            f"expires on {certificate.expires_on:%Y-%m-%d}: the recertification audit must be done before then."
        )
        key = f"certificate-expiry:{certificate.pk}:{certificate.expires_on.isoformat()}"
        for person in {certificate.owner, *board}:
            yield person, Notification.Kind.REVIEW_DUE, key, message, certificate.get_absolute_url()
    for certificate in surveillance.filter(owner__is_active=True).select_related("owner"):
        when = certificate.next_surveillance_on
        state = "was due" if when < today else "is due"
        yield (
            certificate.owner,
            Notification.Kind.REVIEW_DUE,
            f"certificate-surveillance:{certificate.pk}:{when.isoformat()}",
            f"The surveillance audit of certificate {certificate.reference} {state} on {when:%Y-%m-%d}: agree "
            f"the dates with {certificate.certification_body} and record it as a certification body audit.",
            certificate.get_absolute_url(),
        )

"""Certification readiness for 9.2.2 (aims.certification): the internal audit programme is documented and
being carried out, with audit results on record. Replaces the placeholder row the Plan registers hold
for it. A constant number of queries."""

import datetime as dt

from django.db.models import Max, Q
from django.urls import reverse

from aims.certification import met, missing, partial
from aims.registry import registry

from .models import Audit, AuditProgramme, Finding

DONE = (Audit.Status.REPORTED, Audit.Status.CLOSED)


def internal_audits(today: dt.date):
    """Met: a programme for this year and an audit reported within the last twelve months, its findings
    answered. Partial: one of those is missing or findings wait for an answer. Missing: no programme."""
    programmes = AuditProgramme.objects.live()
    add_programme = ("Plan an audit programme", reverse("auditprogramme-add"))
    audits_link = ("Audits", reverse("audit-list"))
    if not programmes.exists():
        return missing("No internal audit programme has been planned.", add_programme)
    has_this_year = programmes.filter(year=today.year).exists()
    last_reported = Audit.objects.live().filter(status__in=DONE).aggregate(last=Max("ends_on"))["last"]
    unanswered = Finding.objects.live().filter(Q(status=Finding.Status.OPEN), audit__status__in=DONE).count()
    gaps = []
    if not has_this_year:
        gaps.append(f"no programme for {today.year}")
    if last_reported is None:
        gaps.append("no audit has been reported yet")
    elif last_reported < today - dt.timedelta(days=365):
        gaps.append(f"the last audit reported ended on {last_reported:%Y-%m-%d}, over a year ago")
    if unanswered:
        gaps.append(f"{unanswered} finding{'s' if unanswered != 1 else ''} of reported audits not answered")
    if gaps:
        return partial("The programme exists, but " + "; ".join(gaps) + ".", audits_link,
                       ("Findings", reverse("finding-list") + "?status=open"))  # fmt: skip
    return met(f"A programme for {today.year}; the last audit reported ended on {last_reported:%Y-%m-%d}.",
               audits_link)  # fmt: skip


def register() -> None:
    registry.add_readiness_check(
        "9.2.2", "Internal audit programme and audit results", internal_audits, key="9.2.2"
    )

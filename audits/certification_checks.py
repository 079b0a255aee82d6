"""Certification readiness for 9.2.2 (aims.certification): the internal audit programme is documented and
being carried out, with audit results on record, and within its cycle it reaches every clause and every
applicable Annex A control. Replaces the placeholder row the Plan registers hold for it. A constant
number of queries."""

import datetime as dt

from django.db.models import Max, Q
from django.urls import reverse

from aims.certification import met, missing, partial
from aims.registry import registry

from . import programme as planning
from .models import Audit, AuditProgramme, Finding

DONE = (Audit.Status.REPORTED, Audit.Status.CLOSED)
NAMED = 12  # the gaps named one by one in the reason; the coverage page lists them all


def _not_reached(programme, today) -> tuple[str, list]:
    """(the words naming what the cycle has not reached, links to each on the catalogue)."""
    gaps = planning.gaps(planning.coverage(programme, today))
    if not gaps:
        return "", []
    codes = ", ".join(r.code for r in gaps[:NAMED]) + (
        f" and {len(gaps) - NAMED} more" if len(gaps) > NAMED else ""
    )
    words = (
        f"the {programme.cycle_label} cycle has not reached {len(gaps)} clause"
        f"{'s and controls' if len(gaps) != 1 else ' or control'} ({codes})"
    )
    coverage = reverse("auditprogramme-coverage", args=[programme.reference])
    links = [(f"Not reached in {programme.reference}", f"{coverage}?state=not_reached")]
    return words, links + [(r.code, r.get_absolute_url()) for r in gaps]


def internal_audits(today: dt.date):
    """Met: a programme whose cycle takes in this year and whose internal audits have reached, or plan to
    reach, every clause (4 to 10) and applicable Annex A control; an internal audit reported within the
    last twelve months, its findings answered. Partial: any of those is missing, naming what the cycle
    has not reached. Missing: no programme."""
    programmes = AuditProgramme.objects.live()
    add_programme = ("Plan an audit programme", reverse("auditprogramme-add"))
    audits_link = ("Audits", reverse("audit-list") + "?kind=internal")
    current = planning.current_programme(today, programmes)
    if current is None and not programmes.exists():
        return missing("No internal audit programme has been planned.", add_programme)
    internal = Audit.objects.live().filter(kind=Audit.Kind.INTERNAL)
    last_reported = internal.filter(status__in=DONE).aggregate(last=Max("ends_on"))["last"]
    unanswered = (
        Finding.objects.live()
        .filter(Q(status=Finding.Status.OPEN), audit__status__in=DONE, audit__kind=Audit.Kind.INTERNAL)
        .count()
    )
    gaps, links = [], [audits_link]
    if current is None:
        gaps.append(f"no programme's cycle takes in {today.year}")
    else:
        words, reach = _not_reached(current, today)
        if words:
            gaps.append(words)
            links += reach
    if last_reported is None:
        gaps.append("no internal audit has been reported yet")
    elif last_reported < today - dt.timedelta(days=365):
        gaps.append(f"the last internal audit reported ended on {last_reported:%Y-%m-%d}, over a year ago")
    if unanswered:
        gaps.append(f"{unanswered} finding{'s' if unanswered != 1 else ''} of reported audits not answered")
        links.append(("Findings", reverse("finding-list") + "?status=open"))
    if gaps:
        return partial("The programme exists, but " + "; ".join(gaps) + ".", *links)
    return met(
        f"{current.reference} plans the {current.cycle_label} cycle and its audits reach every clause and "
        f"applicable control; the last internal audit reported ended on {last_reported:%Y-%m-%d}.",
        audits_link,
        ("Coverage", reverse("auditprogramme-coverage", args=[current.reference])),
    )


def register() -> None:
    registry.add_readiness_check(
        "9.2.2", "Internal audit programme and audit results", internal_audits, key="9.2.2"
    )

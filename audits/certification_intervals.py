"""Certification readiness for 9.2.1: internal audits are carried out at planned intervals -- an audit
reported within the last twelve months, and none left behind its planned dates. (9.2.2, the programme
and its results, is audits/certification_checks.py.) Two queries."""

import datetime as dt

from django.db.models import Count, Max, Q
from django.urls import reverse

from aims.certification import met, missing, partial
from aims.registry import registry

from .models import Audit

DONE = (Audit.Status.REPORTED, Audit.Status.CLOSED)
# An audit still not reported this long after its planned end has slipped from its interval.
REPORT_WITHIN_DAYS = 30


def audits_at_intervals(today: dt.date):
    # The certification body's audits run on its own calendar (ISO/IEC 17021-1), not the programme's.
    audits = Audit.objects.live().filter(kind=Audit.Kind.INTERNAL)
    fix = ("Audits", reverse("audit-list") + "?kind=internal")
    counts = audits.aggregate(
        total=Count("pk"),
        late=Count(
            "pk", filter=~Q(status__in=DONE) & Q(ends_on__lt=today - dt.timedelta(days=REPORT_WITHIN_DAYS))
        ),
        last=Max("ends_on", filter=Q(status__in=DONE)),
    )
    if not counts["total"]:
        return missing("No internal audit is planned or recorded.", ("Plan an audit", reverse("audit-add")))
    gaps = []
    if counts["last"] is None:
        gaps.append("none has been reported yet")
    elif counts["last"] < today - dt.timedelta(days=365):
        gaps.append(f"the last one reported ended on {counts['last']:%Y-%m-%d}, over a year ago")
    if counts["late"]:
        gaps.append(f"{counts['late']} ended over {REPORT_WITHIN_DAYS} days ago and {'are' if counts['late'] != 1 else 'is'} "
                    "not reported")  # fmt: skip
    if gaps:
        return partial(f"{counts['total']} internal audits on record, but " + "; ".join(gaps) + ".", fix)
    return met(
        f"The last internal audit reported ended on {counts['last']:%Y-%m-%d}; none is behind its dates.", fix
    )


def register() -> None:
    registry.add_readiness_check("9.2.1", "Internal audits at planned intervals", audits_at_intervals)

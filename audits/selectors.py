"""Reads about audits for other parts of the AIMS: the management review (9.3.2 c) takes audit results
from here, as plain JSON-able data."""

import datetime as dt

from django.db.models import Count, Q

from .models import NOT_CONFORMING, Audit, Finding, Result

DONE = (Audit.Status.REPORTED, Audit.Status.CLOSED)


def audit_results(since: dt.date, until: dt.date) -> dict:
    """Audits completed (reported or closed) that ended between `since` and `until` inclusive, their
    findings per grade, and the findings still open or awaiting closure. Three queries."""
    audits = list(
        Audit.objects.live()
        .filter(status__in=DONE, ends_on__gte=since, ends_on__lte=until)
        .order_by("ends_on", "reference")
        .values("pk", "reference", "title", "ends_on", "status")
    )
    ids = [a["pk"] for a in audits]
    findings = Finding.objects.live().filter(audit_id__in=ids)
    per_grade = dict(findings.order_by().values_list("grade").annotate(n=Count("pk")))
    open_ = list(
        findings.exclude(status=Finding.Status.CLOSED)
        .order_by("reference")
        .values("reference", "title", "grade", "status", "owner__username", "audit__reference")
    )
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "audits_completed": len(audits),
        "audits": [
            {
                "reference": a["reference"],
                "title": a["title"],
                "ended_on": a["ends_on"].isoformat(),
                "status": a["status"],
            }
            for a in audits
        ],  # fmt: skip
        "findings_per_grade": {grade: per_grade.get(grade, 0) for grade in NOT_CONFORMING},
        "grade_labels": {grade: Result(grade).label for grade in NOT_CONFORMING},
        "open_findings": [
            {
                "reference": f["reference"],
                "title": f["title"],
                "grade": f["grade"],
                "status": f["status"],
                "auditee": f["owner__username"],
                "audit": f["audit__reference"],
            }
            for f in open_
        ],  # fmt: skip
        "open_findings_count": len(open_),
    }


def nonconformities_open(queryset=None):
    """Findings graded as a nonconformity and not closed: what the Act registers follow up (10.2)."""
    queryset = queryset if queryset is not None else Finding.objects.live()
    return queryset.filter(Q(grade=Result.MINOR) | Q(grade=Result.MAJOR)).exclude(
        status=Finding.Status.CLOSED
    )

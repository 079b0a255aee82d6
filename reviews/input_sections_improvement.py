"""The 9.3.2 inputs the Check and Act registers give a management review: nonconformities and corrective
actions (9.3.2 d 1), audit results (9.3.2 d 3) and feedback from interested parties (read with 9.3.2 c, their
needs and expectations; 42001 lists no feedback input of its own, unlike 27001). Figures come from
`reviews.selectors.improvement_summary`, the same numbers the dashboard shows; the items are the
nonconformities still open at the end of the period and the feedback received in it, by reference."""

import datetime as dt

from aims.text import count
from audits import selectors

from .input_sections import ITEM_LIMIT, item
from .models import CorrectiveAction, Feedback, Nonconformity
from .selectors import improvement_summary


def _labelled(per: dict, choices) -> list[tuple[str, int]]:
    labels = dict(choices)
    return [(labels[key], n) for key, n in per.items() if n]


def nonconformities(since: dt.date, until: dt.date) -> dict:
    summary = improvement_summary(since, until)
    ncs, cas = summary["nonconformities"], summary["corrective_actions"]
    effective = cas["effectiveness"]
    open_rows = list(
        Nonconformity.objects.live().filter(status__in=Nonconformity.OPEN_STATUSES).order_by("reference")
    )
    return {
        "summary": f"{count(ncs['opened'], 'nonconformity', 'nonconformities')} raised and {ncs['closed']} "
        f"closed in the period; {ncs['open_now']} open now, {cas['overdue']} corrective "
        f"{'action' if cas['overdue'] == 1 else 'actions'} overdue.",
        "figures": [
            ("Raised in the period", ncs["opened"]),
            *[
                (f"Raised: {label}", n)
                for label, n in _labelled(ncs["opened_by_grade"], Nonconformity.Grade.choices)
            ],
            *[
                (f"From: {label}", n)
                for label, n in _labelled(ncs["opened_by_source"], Nonconformity.Source.choices)
            ],
            ("Closed in the period", ncs["closed"]),
            ("Open now", ncs["open_now"]),
            ("Reopened (action not effective)", ncs["reopened_now"]),
            ("Corrective actions overdue", cas["overdue"]),
            *[
                (f"Effectiveness checked: {label}", n)
                for label, n in _labelled(effective, CorrectiveAction.Result.choices)
            ],
            ("Preventive actions open", summary["preventive_actions"]["open"]),
            ("Lessons learned recorded", summary["lessons"]["recorded"]),
        ],
        "items": [
            item(nc, f"{nc.get_grade_display()}, {nc.get_status_display().lower()}")
            for nc in open_rows[:ITEM_LIMIT]
        ],
    }


def feedback(since: dt.date, until: dt.date) -> dict:
    summary = improvement_summary(since, until)["feedback"]
    if not summary["received"]:
        return {"summary": "No feedback from interested parties was received in the period."}
    rows = (
        Feedback.objects.live().filter(received_on__gte=since, received_on__lte=until).order_by("reference")
    )
    return {
        "summary": f"{count(summary['received'], 'piece', 'pieces')} of feedback received in the period.",
        "figures": [
            *_labelled(summary["by_channel"], Feedback.Channel.choices),
            *[
                (f"Outcome: {label}", n)
                for label, n in _labelled(summary["by_outcome"], Feedback.Outcome.choices)
            ],
        ],
        "items": [
            item(f, f"{f.get_channel_display()}, {f.received_on:%Y-%m-%d}", f.title)
            for f in rows[:ITEM_LIMIT]
        ],
    }


def audit_results(since: dt.date, until: dt.date) -> dict:
    """9.3.2 d 3: the internal audits completed in the period, their findings per grade, and the findings
    still open (from audits.selectors.audit_results, the same figures the audits panel shows)."""
    results = selectors.audit_results(since, until)
    completed = results["audits_completed"]
    grades = results["grade_labels"]
    return {
        "summary": f"{count(completed, 'internal audit', 'internal audits')} completed in the period; "
        f"{count(results['open_findings_count'], 'finding', 'findings')} still open.",
        "figures": [
            ("Audits completed", completed),
            *[(f"Findings: {grades[g]}", n) for g, n in results["findings_per_grade"].items()],
            ("Findings still open", results["open_findings_count"]),
        ],
        "items": [
            {"reference": a["reference"], "title": a["title"], "url": f"/audits/{a['reference']}/",
             "detail": f"ended {a['ended_on']}, {a['status']}"}
            for a in results["audits"]
        ] + [
            {"reference": f["reference"], "title": f["title"], "url": f"/findings/{f['reference']}/",
             "detail": f"{grades[f['grade']]}, {f['status']}, auditee {f['auditee']}"}
            for f in results["open_findings"][:ITEM_LIMIT]
        ],
    }  # fmt: skip

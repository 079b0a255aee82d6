"""The 9.3.2 inputs the improvement registers give a management review: nonconformities and corrective
actions (9.3.2 c 1) and feedback from interested parties (9.3.2 d). Figures come from
`reviews.selectors.improvement_summary`, the same numbers the dashboard shows; the items are the
nonconformities still open at the end of the period and the feedback received in it, by reference."""

import datetime as dt

from .input_sections import ITEM_LIMIT, count, item
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

"""Reads of improvement: which corrective actions are due a check or late (the policy, the filters, the
dashboard and the reminders ask these), and the figures for the management review (9.3.2, 10.1, 10.2):
plain JSON-able data, so a review can freeze them into its minutes as they were."""

import datetime as dt

from django.db import connection
from django.db.models import Count, DateField, ExpressionWrapper, F, Q
from django.utils import timezone

from .models import CorrectiveAction, Feedback, ImprovementAction, Lesson, Nonconformity, PreventiveAction


def checks_due(queryset, today: dt.date | None = None):
    """Corrective actions whose effectiveness check is due by `today`: actions done, period passed."""
    today = today or timezone.localdate()
    done = queryset.filter(status=CorrectiveAction.Status.DONE)
    if connection.vendor == "sqlite":  # the embedded setup cannot add a column of days to a date
        return done.filter(pk__in=[c.pk for c in done if c.check_due_on and c.check_due_on <= today])
    due = ExpressionWrapper(F("actions_done_on") + F("check_after_days") * dt.timedelta(days=1), DateField())
    return done.alias(check_due=due).filter(check_due__lte=today)


def with_overdue_actions(queryset, today: dt.date | None = None):
    """Corrective actions with an action still open past its due date."""
    today = today or timezone.localdate()
    late = ImprovementAction.objects.filter(status=ImprovementAction.Status.OPEN, due_on__lt=today)
    return queryset.filter(pk__in=late.values("corrective_action_id"))


def _per(queryset, field: str, choices) -> dict[str, int]:
    counts = dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))
    return {value: counts.get(value, 0) for value, _ in choices}


def improvement_summary(since: dt.date, until: dt.date) -> dict:
    """What improvement did between `since` and `until` (both included), and what is open at `until`.
    Archived records are left out. A fixed number of queries."""
    if since > until:
        raise ValueError("since must not be after until")
    ncs = Nonconformity.objects.live()
    opened = ncs.filter(created_at__date__gte=since, created_at__date__lte=until)
    closed = ncs.filter(closed_on__gte=since, closed_on__lte=until)
    grades, sources = Nonconformity.Grade.choices, Nonconformity.Source.choices
    cas = CorrectiveAction.objects.live()
    checked = cas.filter(checked_on__gte=since, checked_on__lte=until)
    late_actions = ImprovementAction.objects.filter(
        status=ImprovementAction.Status.OPEN, due_on__lt=until, corrective_action__archived_at__isnull=True
    )
    pas = PreventiveAction.objects.live()
    open_pa = Q(status__in=PreventiveAction.OPEN_STATUSES)
    lessons = Lesson.objects.live().filter(created_at__date__gte=since, created_at__date__lte=until)
    feedback = Feedback.objects.live().filter(received_on__gte=since, received_on__lte=until)
    return {
        "period": {"since": since.isoformat(), "until": until.isoformat()},
        "nonconformities": {
            "opened": opened.count(),
            "opened_by_grade": _per(opened, "grade", grades),
            "opened_by_source": _per(opened, "source", sources),
            "closed": closed.count(),
            "closed_by_grade": _per(closed, "grade", grades),
            "closed_by_source": _per(closed, "source", sources),
            "open_now": ncs.filter(status__in=Nonconformity.OPEN_STATUSES).count(),
            "reopened_now": ncs.filter(status=Nonconformity.Status.REOPENED).count(),
        },
        "corrective_actions": {
            "overdue": cas.filter(pk__in=late_actions.values("corrective_action_id")).count(),
            "overdue_actions": late_actions.count(),
            "effectiveness": _per(checked, "check_result", CorrectiveAction.Result.choices),
        },
        "preventive_actions": {
            "raised": pas.filter(created_at__date__gte=since, created_at__date__lte=until).count(),
            "done": pas.filter(done_on__gte=since, done_on__lte=until).count(),
            "open": pas.filter(open_pa).count(),
            "overdue": pas.filter(open_pa, due_on__lt=until).count(),
        },
        "lessons": {
            "recorded": lessons.count(),
            "items": [
                {"reference": r, "title": t} for r, t in lessons.values_list("reference", "title")[:50]
            ],
        },
        "feedback": {
            "received": feedback.count(),
            "by_channel": _per(feedback, "channel", Feedback.Channel.choices),
            "by_outcome": _per(feedback, "outcome", Feedback.Outcome.choices),
        },
    }

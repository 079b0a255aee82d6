"""Reminders of improvement (10.2): an overdue action reminds its owner once; 14 days overdue it goes to
the governance board, once. A due effectiveness check tells the AIMS managers who may do it. Keys carry
the due date, so an action given a new date is reminded again, and a second sweep sends nothing twice."""

import datetime as dt

from aims import roles
from aims.models import Notification, User
from aims.registry import registry

from .models import CorrectiveAction, ImprovementAction, PreventiveAction

ESCALATE_AFTER_DAYS = 14


def _board():
    return list(User.objects.filter(groups__name=roles.BOARD, is_active=True).distinct())


def _late(kind_key, pk, owner, due, today, what, url, board):
    late = (today - due).days
    key = f"{kind_key}:{pk}:{due.isoformat()}"
    message = f"{what} was due on {due:%Y-%m-%d} ({late} day{'s' if late != 1 else ''} overdue)."
    if owner.is_active:
        yield owner, Notification.Kind.REVIEW_DUE, f"{key}:owner", message, url
    if late >= ESCALATE_AFTER_DAYS:
        for member in board:
            yield member, Notification.Kind.OVERDUE_ESCALATION, f"{key}:board", f"Escalated: {message}", url


def overdue_action_reminders(today: dt.date):
    """Open actions of live corrective actions, and open preventive actions, past their due date."""
    board = None
    actions = ImprovementAction.objects.filter(
        status=ImprovementAction.Status.OPEN,
        due_on__lt=today,
        corrective_action__archived_at__isnull=True,
    ).select_related("owner", "corrective_action")
    for a in actions:
        board = _board() if board is None else board
        ca = a.corrective_action
        what = f"Action {a.number} of {ca.reference} ({a.description[:120]}), owned by {a.owner},"
        yield from _late("ca-action", a.pk, a.owner, a.due_on, today, what, ca.get_absolute_url(), board)
    preventive = (
        PreventiveAction.objects.live()
        .filter(status__in=PreventiveAction.OPEN_STATUSES, due_on__lt=today)
        .select_related("owner")
    )
    for pa in preventive:
        board = _board() if board is None else board
        what = f"Preventive action {pa.reference} {pa.title}, owned by {pa.owner},"
        yield from _late("pa", pa.pk, pa.owner, pa.due_on, today, what, pa.get_absolute_url(), board)


def effectiveness_check_reminders(today: dt.date):
    """A check that is due goes to every active AIMS manager but the CA's owner (four eyes), once."""
    from .selectors import checks_due

    due = checks_due(CorrectiveAction.objects.live(), today).select_related("owner")
    managers = None
    for ca in due:
        if managers is None:
            managers = list(User.objects.filter(groups__name=roles.MANAGER, is_active=True).distinct())
        message = (
            f"The effectiveness check of {ca.reference} {ca.title} is due since {ca.check_due_on:%Y-%m-%d}: "
            f"someone other than {ca.owner} records whether it worked."
        )
        for person in managers:
            if person.pk != ca.owner_id:
                yield (
                    person,
                    Notification.Kind.REVIEW_DUE,
                    f"ca-check:{ca.pk}:{ca.actions_done_on}",
                    message,
                    ca.get_absolute_url(),
                )


registry.add_reminder_source(overdue_action_reminders)
registry.add_reminder_source(effectiveness_check_reminders)

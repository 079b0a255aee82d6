"""Overdue actions remind their owner once, and after 14 days the governance board once; a due
effectiveness check tells the AIMS managers who may do it (10.2)."""

from aims.models import Notification
from aims.reminders import sweep
from reviews.improvement import add_action, ca_services, pa_services
from reviews.reminders import effectiveness_check_reminders, overdue_action_reminders
from tests import clock
from tests.conftest import make_user

from .conftest import WHY, days


def planned(make_ca, owner, due_in):
    ca = ca_services.update(make_ca(), actor=owner, expected_version=1, fields=WHY)
    return add_action(ca, actor=owner, expected_version=ca.version, description="Reject stale files",
                      owner=owner.username, due_on=days(due_in).isoformat())  # fmt: skip


def keys(user):
    return sorted(Notification.objects.filter(user=user).values_list("key", flat=True))


def test_an_overdue_action_reminds_its_owner_once(make_ca, owner, board):
    planned(make_ca, owner, due_in=-3)
    sweep(clock.today())
    sweep(clock.today())
    mine = [k for k in keys(owner) if k.startswith("ca-action")]
    assert len(mine) == 1
    assert not [k for k in keys(board) if k.startswith("ca-action")]
    note = Notification.objects.get(user=owner, key=mine[0])
    assert "3 days overdue" in note.message


def test_fourteen_days_overdue_escalates_to_the_board_once(make_ca, owner, board):
    board2 = make_user("bianca", "Governance board")
    planned(make_ca, owner, due_in=-14)
    sweep(clock.today())
    sweep(days(1))
    for member in (board, board2):
        escalations = Notification.objects.filter(user=member, key__startswith="ca-action")
        assert escalations.count() == 1 and escalations.get().kind == Notification.Kind.OVERDUE_ESCALATION
    assert Notification.objects.filter(user=owner, key__startswith="ca-action").count() == 1


def test_an_action_not_yet_due_or_done_reminds_nobody(make_ca, owner):
    planned(make_ca, owner, due_in=2)
    assert list(overdue_action_reminders(clock.today())) == []


def test_an_overdue_preventive_action_reminds_and_escalates(owner, board):
    pa_services.create(actor=owner, fields={"title": "Back-test", "source": "trend", "trend": "drift",
                                            "description": "d", "due_on": days(-20)})  # fmt: skip
    found = {(user.username, kind) for user, kind, *_ in overdue_action_reminders(clock.today())}
    assert found == {(owner.username, "review_due"), (board.username, "escalation")}


def test_a_due_effectiveness_check_tells_the_managers_but_not_the_owner(done_ca, manager, owner):
    owner_manager = make_user("mona", "AIMS manager")
    ca_services.update(
        done_ca, actor=manager, expected_version=done_ca.version, fields={"owner": owner_manager}
    )
    people = {user.username for user, *_ in effectiveness_check_reminders(clock.today())}
    assert people == {manager.username}

"""Board sign-off of a management review (9.3): four eyes (not the chair, not the owner), read-only
afterwards except its actions; reminders sent once; the dashboard flags a lapsed review cycle."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aims.models import Notification
from aims.records import history
from aims.reminders import sweep
from reviews.models import ManagementReview
from reviews.services import action_services, review_services, sign_off
from tests import clock
from tests.base import client_for, dashboard_html, form_data_for
from tests.reviews.management_review_helpers import *  # noqa: F403  fixtures
from tests.reviews.management_review_helpers import held


@pytest.fixture
def with_output(held_review, make_action):
    make_action(held_review)
    held_review.refresh_from_db()
    return held_review


def test_the_chair_may_not_sign_off_and_is_told_why(with_output, board):
    with pytest.raises(PermissionDenied, match="you chaired"):
        sign_off(with_output, actor=board, expected_version=with_output.version)
    response = client_for(board).post(
        f"/management-reviews/{with_output.reference}/sign-off/", {"version": with_output.version}
    )
    assert response.status_code == 403 and "you chaired" in response.content.decode()
    with_output.refresh_from_db()
    assert with_output.status == "held"


def test_the_owner_may_not_sign_off_even_on_the_board(make_review, make_action, second_board, board, manager):
    review = held(make_review(owner=second_board, chair=manager), manager)
    make_action(review)
    with pytest.raises(PermissionDenied, match="Four eyes: you own"):
        sign_off(review, actor=second_board, expected_version=review.version)


def test_neither_the_aims_manager_nor_an_owner_is_the_board(
    make_review, make_action, manager, owner, auditor
):
    review = held(make_review(owner=owner), manager)
    make_action(review)
    for person in (manager, auditor):
        with pytest.raises(PermissionDenied, match="Only a governance board member signs off"):
            sign_off(review, actor=person, expected_version=review.version)


def test_another_board_member_signs_off_and_history_says_who(with_output, second_board):
    review = sign_off(with_output, actor=second_board, expected_version=with_output.version)
    assert review.status == "signed_off" and review.signed_off_by == second_board and review.signed_off_at
    last = history(review).first()
    assert last.action == "approved" and last.actor == second_board


def test_a_review_not_yet_held_cannot_be_signed_off(make_review, second_board):
    review = make_review()
    with pytest.raises(PermissionDenied, match="only a review whose meeting was held"):
        sign_off(review, actor=second_board, expected_version=review.version)


def test_a_review_without_outputs_cannot_be_signed_off(held_review, second_board):
    with pytest.raises(ValidationError, match="at least one output"):
        sign_off(held_review, actor=second_board, expected_version=held_review.version)


def test_the_board_member_sees_the_button_and_signs_off_through_the_api(with_output, second_board, board):
    page = client_for(second_board).get(f"/management-reviews/{with_output.reference}/").content.decode()
    assert "Sign off" in page
    assert (
        "Sign off"
        not in client_for(board).get(f"/management-reviews/{with_output.reference}/").content.decode()
    )
    response = client_for(second_board).post(
        f"/api/v1/management-reviews/{with_output.reference}/sign-off/",
        {"version": with_output.version, "note": "Agreed."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "signed_off" and response.json()["signed_off_by"] == "bianca"


@pytest.fixture
def signed_off(with_output, second_board):
    return sign_off(with_output, actor=second_board, expected_version=with_output.version)


def test_a_signed_off_review_is_read_only(signed_off, manager):
    with pytest.raises(ValidationError, match="read-only"):
        review_services.update(
            signed_off, actor=manager, expected_version=signed_off.version, fields={"title": "x"}
        )
    client = client_for(manager)
    data = {**form_data_for(signed_off), "minutes": "Rewritten afterwards"}
    assert client.post(f"/management-reviews/{signed_off.reference}/edit/", data).status_code == 400
    api = client.patch(
        f"/api/v1/management-reviews/{signed_off.reference}/",
        {"title": "Renamed", "version": signed_off.version},
        content_type="application/json",
    )
    assert api.status_code == 400 and "read-only" in str(api.json())
    archive = client.post(
        f"/management-reviews/{signed_off.reference}/archive/", {"version": signed_off.version}
    )
    assert archive.status_code == 302
    page = client_for(manager).get(f"/management-reviews/{signed_off.reference}/").content.decode()
    assert f'href="/management-reviews/{signed_off.reference}/edit/"' not in page
    signed_off.refresh_from_db()
    assert signed_off.version == signed_off.version and not signed_off.is_archived
    assert signed_off.minutes.startswith("Reviewed every input")


def test_the_actions_of_a_signed_off_review_still_move_on(signed_off, owner):
    action = signed_off.actions.get()
    action = action_services.update(
        action, actor=owner, expected_version=action.version, fields={"status": "done"}
    )
    assert action.status == "done" and action.completed_on == clock.today()


def test_no_output_is_added_after_the_sign_off(signed_off, make_action, manager):
    with pytest.raises(ValidationError) as refused:
        make_action(signed_off, title="An afterthought")
    assert "signed off with the outputs it had" in refused.value.message_dict["review"][0]
    assert signed_off.actions.count() == 1
    page = client_for(manager).get(f"/management-reviews/{signed_off.reference}/").content.decode()
    assert "Add an output" not in page


def test_after_the_meeting_only_minutes_and_attendance_change(held_review, manager):
    with pytest.raises(ValidationError) as refused:
        review_services.update(
            held_review,
            actor=manager,
            expected_version=held_review.version,
            fields={"period_from": clock.today()},
        )
    assert "period_from" in refused.value.message_dict
    review = review_services.update(
        held_review,
        actor=manager,
        expected_version=held_review.version,
        fields={"minutes": "Corrected minutes."},
    )
    assert review.minutes == "Corrected minutes."


# -- reminders and the dashboard ---------------------------------------------------------------------------


def test_a_review_due_within_30_days_reminds_the_manager_and_the_board_once(
    make_review, manager, board, owner
):
    review = make_review(scheduled_on=clock.today() + dt.timedelta(days=20))
    make_review(title="Next year's review", scheduled_on=clock.today() + dt.timedelta(days=200))
    sweep(clock.today())
    notes = Notification.objects.filter(key__startswith="mr-due:")
    assert {n.user for n in notes} == {manager, board}
    assert all(review.reference in n.message for n in notes)
    assert not Notification.objects.filter(user=owner, key__startswith="mr-due:").exists()
    before = Notification.objects.count()
    sweep(clock.today())
    assert Notification.objects.count() == before


def test_an_overdue_action_reminds_its_owner_once(held_review, make_action, owner):
    late = make_action(held_review, due_on=clock.today() - dt.timedelta(days=3))
    make_action(held_review, title="Done already", status="done", due_on=clock.today() - dt.timedelta(days=3))
    sweep(clock.today())
    notes = Notification.objects.filter(key__startswith="mr-action-overdue:")
    assert [(n.user, late.reference in n.message) for n in notes] == [(owner, True)]
    sweep(clock.today())
    assert Notification.objects.filter(key__startswith="mr-action-overdue:").count() == 1


def test_the_dashboard_flags_no_review_in_twelve_months(board, make_review):
    assert "No management review held in the last 12 months" in dashboard_html(client_for(board))
    make_review(scheduled_on=clock.today() + dt.timedelta(days=10))
    html = dashboard_html(client_for(board))
    assert "No management review held in the last 12 months" in html and "in 10 days" in html


def test_the_dashboard_shows_the_last_review_and_overdue_actions(held_review, make_action, board):
    make_action(held_review, due_on=clock.today() - dt.timedelta(days=1))
    html = dashboard_html(client_for(board))
    assert "No management review held in the last 12 months" not in html
    assert clock.today().isoformat() in html and "1</strong> action overdue" in html


def test_the_dashboard_panel_takes_a_fixed_number_of_queries(held_review, make_action, board, make_review,
                                                             django_assert_max_num_queries):  # fmt: skip
    from reviews.dashboard import management_review_panel

    request = type("Request", (), {"user": board})()
    for n in range(5):
        make_action(held_review, title=f"Action {n}")
        make_review(title=f"Review {n}", period_from=clock.days(-365))
    with django_assert_max_num_queries(6):
        management_review_panel(request)
    assert ManagementReview.objects.count() == 6

"""Fixtures shared by the management review tests (imported by each test_management_review*.py)."""

import datetime as dt

import pytest

from aims import roles
from reviews.services import action_services, freeze_inputs, record_meeting, review_services
from tests import clock
from tests.conftest import make_user


def api_review(title: str = "Annual management review") -> dict:
    """A valid review as the API takes it, chaired by the board fixture's "boris"; dates read when the
    test runs."""
    return {
        "title": title,
        "scheduled_on": clock.today().isoformat(),
        "period_from": clock.days(-365).isoformat(),
        "period_to": clock.today().isoformat(),
        "chair": "boris",
    }


@pytest.fixture
def second_board(db):
    """A board member who does not chair the reviews: the one who may sign them off."""
    return make_user("bianca", roles.BOARD)


@pytest.fixture
def make_review(manager, board):
    def make(actor=None, **overrides):
        fields = {
            "title": "Annual management review",
            "scheduled_on": clock.today(),
            "period_from": clock.days(-365),
            "period_to": clock.today(),
            "chair": board,
            "attendees": [manager],
            "owner": manager,
            **overrides,
        }
        return review_services.create(actor=actor or manager, fields=fields)

    return make


def held(review, actor, minutes="Reviewed every input; agreed three actions."):
    review = freeze_inputs(review, actor=actor, expected_version=review.version)
    return record_meeting(
        review,
        actor=actor,
        expected_version=review.version,
        held_on=clock.today().isoformat(),
        minutes=minutes,
    )


@pytest.fixture
def held_review(make_review, manager):
    return held(make_review(), manager)


@pytest.fixture
def make_action(manager, owner):
    def make(review, actor=None, **overrides):
        fields = {
            "title": "Fund a second fairness analyst",
            "review": review,
            "kind": "resources",
            "description": "The backlog of bias assessments needs a second analyst.",
            "due_on": clock.today() + dt.timedelta(days=60),
            "status": "open",
            "owner": owner,
            **overrides,
        }
        return action_services.create(actor=actor or manager, fields=fields)

    return make

import datetime as dt

import pytest

from aims.records import history
from registers.models import BoardMeeting
from registers.standard import decisions
from registers.standard.board_meetings import services
from tests import base
from tests.base import RegisterRoleMatrix, client_for, form_data_for

# The board keeps its own records: it creates and edits meetings; owners do not create them.
BOARD_EXPECT = {
    "view": base.EXPECT["view"],
    "change": {**base.EXPECT["change"], "board": 200},
    "create": {
        "manager": 201,
        "board": 201,
        "owner": 403,
        "other_owner": 403,
        "auditor": 403,
        "outsider": 403,
    },
}


@pytest.fixture
def make_meeting(manager, owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Governance board, Q3",
            "held_on": dt.date(2025, 9, 30),
            "agenda": "Risk acceptance; AI policy revision.",
            "owner": owner,
            **overrides,
        }
        return services.create(actor=actor or manager, fields=fields)

    return make


class TestBoardMeetingRoles(RegisterRoleMatrix):
    model = BoardMeeting
    url_prefix = "board-meetings"
    api_prefix = "/api/v1/board-meetings/"

    expect = BOARD_EXPECT

    @pytest.fixture
    def record(self, make_meeting):
        return make_meeting()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {"title": "Extraordinary board meeting", "held_on": "2025-11-03"}


def test_an_owner_may_not_create_a_meeting_and_is_told_who_may(owner):
    response = client_for(owner).get("/board-meetings/new/")
    assert response.status_code == 403
    assert "governance board and the AIMS manager" in response.content.decode()


def test_a_board_member_creates_a_meeting_they_own(board):
    response = client_for(board).post(
        "/board-meetings/new/",
        {"title": "Board, Q4", "held_on": "2025-12-10", "status": "planned", "owner": board.pk,
         "review_cadence": 91},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = BoardMeeting.objects.get(title="Board, Q4")
    assert meeting.owner == board and history(meeting).first().actor == board


def test_a_board_member_owns_a_meeting_through_the_api(board):
    response = client_for(board).post(
        "/api/v1/board-meetings/",
        {"title": "Board, Q1", "held_on": "2026-03-10", "owner": board.username},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["owner"] == board.username


def test_a_held_meeting_needs_minutes_on_the_page(make_meeting, board):
    meeting = make_meeting()
    response = client_for(board).post(
        f"/board-meetings/{meeting.reference}/edit/", {**form_data_for(meeting), "status": "held"}
    )
    assert response.status_code == 400 and "minutes" in response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.status == "planned" and meeting.version == 1


def test_a_held_meeting_needs_minutes_in_the_api(make_meeting, board):
    meeting = make_meeting()
    response = client_for(board).patch(
        f"/api/v1/board-meetings/{meeting.reference}/",
        {"status": "held", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400 and "minutes" in response.json()


def test_attendees_are_history(make_meeting, board, manager):
    meeting = make_meeting()
    services.update(meeting, actor=board, expected_version=1, fields={"attendees": [board, manager]})
    change = history(meeting).first()
    assert change.actor == board and change.changes[0]["field"] == "attendees"
    assert str(board) in change.changes[0]["new"]


def test_the_meeting_page_lists_its_decisions(make_meeting, manager, auditor):
    meeting = make_meeting()
    decision = decisions.services.create(
        actor=manager,
        fields={"title": "Accept RSK-0001", "decision": "Accepted for a year.", "meeting": meeting},
    )
    other = decisions.services.create(actor=manager, fields={"title": "Unrelated", "decision": "Elsewhere."})
    page = client_for(auditor).get(meeting.get_absolute_url()).content.decode()
    assert decision.get_absolute_url() in page and other.reference not in page


def test_a_meeting_without_decisions_offers_to_record_one(make_meeting, board):
    meeting = make_meeting()
    page = client_for(board).get(meeting.get_absolute_url()).content.decode()
    assert "No decisions recorded for this meeting yet" in page
    assert f"/decisions/new/?meeting={meeting.reference}" in page
    form = client_for(board).get(f"/decisions/new/?meeting={meeting.reference}")
    assert form.context["form"]["meeting"].value() == meeting.pk


def test_the_offer_to_record_a_decision_goes_to_those_who_may(make_meeting, owner):
    meeting = make_meeting()  # owned by `owner`, who may change it but not create decisions
    page = client_for(owner).get(meeting.get_absolute_url()).content.decode()
    assert "No decisions recorded for this meeting yet" in page and "/decisions/new/" not in page
    assert client_for(owner).get(f"/decisions/new/?meeting={meeting.reference}").status_code == 403


def test_empty_register_says_what_to_do(board):
    assert "No board meetings yet" in client_for(board).get("/board-meetings/").content.decode()

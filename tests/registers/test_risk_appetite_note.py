"""What a risk above the appetite says follows its state: waiting for the board, accepted, or closed."""

from registers.services import risk_accept, risk_update
from tests.base import client_for

HIGH = {"inherent_likelihood": 4, "inherent_impact": 4, "residual_likelihood": 4, "residual_impact": 3}
WAITING = "the governance board decides on acceptance"


def _page(user, risk) -> str:
    return client_for(user).get(risk.get_absolute_url()).content.decode()


def test_waiting_risk_says_the_board_decides(make_risk, owner):
    risk = make_risk(**HIGH)
    page = _page(owner, risk)
    assert 'data-appetite="waiting"' in page and WAITING in page


def test_accepted_risk_names_who_accepted_it_and_when(make_risk, owner, board):
    risk = risk_accept(make_risk(**HIGH), actor=board, expected_version=1, rationale="Board decision")
    page = _page(owner, risk)
    assert WAITING not in page
    assert 'data-appetite="accepted"' in page
    assert f"accepted by {board} on {risk.accepted_on:%Y-%m-%d}" in page


def test_closed_risk_waits_for_no_acceptance(make_risk, owner):
    risk = make_risk(**HIGH)
    risk = risk_update(risk, actor=owner, expected_version=risk.version, fields={"status": "closed"})
    page = _page(owner, risk)
    assert WAITING not in page and 'data-appetite="closed"' in page


def test_a_new_residual_level_withdraws_the_acceptance_and_the_board_decides_again(make_risk, owner, board):
    risk = risk_accept(make_risk(**HIGH), actor=board, expected_version=1, rationale="Board decision")
    risk = risk_update(risk, actor=owner, expected_version=risk.version, fields={"residual_impact": 4})
    assert WAITING in _page(owner, risk)

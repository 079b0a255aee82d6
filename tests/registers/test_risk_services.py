import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aims.models import Change, Notification
from aims.records import StaleEdit, history
from registers.models import Risk, RiskCriteria
from registers.services import risk_accept, risk_archive, risk_update


def test_it_numbers_scores_and_records_creation(make_risk, owner):
    risk = make_risk()
    assert risk.reference.startswith("RSK-")
    assert (risk.inherent_score, risk.residual_score) == (9, 4)
    assert risk.owner == owner and risk.version == 1
    assert risk.next_review_on is not None
    created = history(risk).get()
    assert created.action == Change.Action.CREATED and created.actor == owner
    assert {c["field"] for c in created.changes} >= {"title", "inherent_likelihood", "category"}


def test_it_gives_each_risk_the_next_reference(make_risk):
    first, second = make_risk(), make_risk()
    assert int(second.reference[4:]) == int(first.reference[4:]) + 1


def test_it_refuses_residual_above_inherent_naming_the_field(make_risk):
    with pytest.raises(ValidationError) as caught:
        make_risk(residual_likelihood=5, residual_impact=5)
    assert "residual_impact" in caught.value.message_dict
    assert Risk.objects.count() == 0


def test_it_requires_a_plan_unless_accepting(make_risk):
    with pytest.raises(ValidationError) as caught:
        make_risk(treatment_plan="")
    assert "treatment_plan" in caught.value.message_dict
    assert make_risk(treatment="accept", treatment_plan="").pk


def test_it_records_old_and_new_values_on_update(make_risk, owner):
    risk = make_risk()
    risk = risk_update(risk, actor=owner, expected_version=1, fields={"residual_likelihood": 1})
    assert risk.version == 2
    change = history(risk).first()
    assert change.changes == [
        {"field": "residual_likelihood", "label": "Residual likelihood", "old": "2", "new": "1"}
    ]


def test_a_stale_edit_is_refused_and_says_who_changed_what(make_risk, owner, manager):
    risk = make_risk()
    risk_update(risk, actor=manager, expected_version=1, fields={"title": "Renamed by the manager"})
    with pytest.raises(StaleEdit) as caught:
        risk_update(risk, actor=owner, expected_version=1, fields={"description": "Mine"})
    assert "Maria" in caught.value.message and "Title" in caught.value.message
    risk.refresh_from_db()
    assert risk.title == "Renamed by the manager" and risk.description != "Mine"


def test_four_eyes_and_appetite_on_acceptance(make_risk, owner, other_owner, board):
    low = make_risk()
    with pytest.raises(PermissionDenied, match="Four eyes"):
        risk_accept(low, actor=owner, expected_version=1, rationale="fine")
    accepted = risk_accept(low, actor=other_owner, expected_version=1, rationale="Within appetite")
    assert accepted.status == Risk.Status.ACCEPTED and accepted.accepted_by == other_owner

    high = make_risk(inherent_likelihood=4, inherent_impact=4, residual_likelihood=4, residual_impact=3)
    with pytest.raises(PermissionDenied, match="above the appetite"):
        risk_accept(high, actor=other_owner, expected_version=1, rationale="no")
    assert risk_accept(high, actor=board, expected_version=1, rationale="Board decision").accepted_by == board


def test_above_appetite_escalates_to_the_board_once(make_risk, owner, board):
    risk = make_risk(inherent_likelihood=4, inherent_impact=4, residual_likelihood=4, residual_impact=3)
    assert risk.residual_score > RiskCriteria.current().appetite_max
    risk_update(risk, actor=owner, expected_version=1, fields={"description": "More detail"})
    assert Notification.objects.filter(user=board, kind="above_appetite").count() == 1


def test_changing_residual_withdraws_acceptance(make_risk, owner, board):
    risk = risk_accept(make_risk(), actor=board, expected_version=1, rationale="ok")
    risk = risk_update(risk, actor=owner, expected_version=2, fields={"residual_impact": 1})
    assert risk.accepted_by is None and risk.status == Risk.Status.ASSESSED


def test_archive_keeps_the_record_and_its_history(make_risk, owner, auditor):
    risk = make_risk()
    with pytest.raises(PermissionDenied, match="read-only"):
        risk_archive(risk, actor=auditor, expected_version=1)
    risk = risk_archive(risk, actor=owner, expected_version=1)
    assert Risk.objects.filter(pk=risk.pk, archived_at__isnull=False).exists()
    assert history(risk).first().action == Change.Action.ARCHIVED

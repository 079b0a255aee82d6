"""Corrective actions (10.2): five whys, planning and doing actions, the four-eyes effectiveness check,
closing on effective and reopening on not effective, and bad input refused naming the field."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aims.records import history
from reviews.improvement import add_action, ca_services, check_effectiveness, complete_action, nc_services
from reviews.models import CorrectiveAction, ImprovementAction, Nonconformity
from tests.base import client_for

from .conftest import WHY, days


# -- nonconformities ------------------------------------------------------------------------------------
def test_a_nonconformity_needs_a_requirement_not_met(owner):
    with pytest.raises(ValidationError) as exc:
        nc_services.create(
            actor=owner, fields={"title": "x", "source": "other", "description": "y", "grade": "minor"}
        )
    assert "requirements" in exc.value.message_dict
    assert not Nonconformity.objects.exists()


def test_the_form_says_which_field_is_missing_and_saves_nothing(owner):
    response = client_for(owner).post(
        "/nonconformities/new/",
        {"title": "No model card", "source": "incident", "description": "d", "grade": "minor",
         "owner": owner.pk, "review_cadence": 91},
    )  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert "Name the AI incident" in body and "clause or control that is not met" in body
    assert not Nonconformity.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"grade": "huge"}, "grade"),
        ({"requirements": []}, "requirements"),
        ({"requirements": ["99.9"]}, "requirements"),
        ({"source": "kpi"}, "kpi"),
        ({"incident": "INC-9999"}, "incident"),
        ({"title": ""}, "title"),
    ],
)
def test_api_bad_nonconformity_is_400_naming_the_field(owner, payload, field):
    body = {"title": "t", "source": "other", "description": "d", "grade": "minor", "requirements": ["8.1"]}
    response = client_for(owner).post(
        "/api/v1/nonconformities/", {**body, **payload}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Nonconformity.objects.exists()


def test_clearing_the_requirements_is_refused(make_nc, owner):
    nc = make_nc()
    with pytest.raises(ValidationError) as exc:
        nc_services.update(nc, actor=owner, expected_version=1, fields={}, requirements=[])
    assert "requirements" in exc.value.message_dict
    assert nc.requirements.count() == 2


# -- five whys ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "whys, field",
    [
        ({"why_1": "Why?"}, "because_1"),
        ({"because_1": "Because."}, "why_1"),
        ({"why_1": "a", "because_1": "b", "why_3": "c", "because_3": "d"}, "why_2"),
    ],
)
def test_five_whys_come_in_answered_pairs_and_in_order(make_ca, owner, whys, field):
    ca = make_ca()
    with pytest.raises(ValidationError) as exc:
        ca_services.update(ca, actor=owner, expected_version=1, fields=whys)
    assert field in exc.value.message_dict
    ca.refresh_from_db()
    assert ca.version == 1 and not ca.whys


def test_five_pairs_are_kept_with_history(make_ca, owner):
    ca = make_ca()
    whys = {f"{w}_{n}": f"{w} {n}" for n in range(1, 6) for w in ("why", "because")}
    ca = ca_services.update(ca, actor=owner, expected_version=1, fields=whys)
    assert len(ca.whys) == 5
    assert {c["field"] for c in history(ca).first().changes} >= {"why_1", "because_5"}


def test_actions_are_planned_only_after_a_why_and_a_cause_category(make_ca, owner):
    ca = make_ca()
    with pytest.raises(ValidationError) as exc:
        add_action(ca, actor=owner, expected_version=1, description="Fix", owner=owner.username,
                   due_on=days(3).isoformat())  # fmt: skip
    assert {"why_1", "cause_category"} <= set(exc.value.message_dict)
    assert not ImprovementAction.objects.exists()


def test_api_bad_action_input_is_400_naming_each_field(make_ca, owner):
    ca = ca_services.update(make_ca(), actor=owner, expected_version=1, fields=WHY)
    response = client_for(owner).post(
        f"/api/v1/corrective-actions/{ca.reference}/add-action/",
        {"version": ca.version, "description": "Fix it", "owner": "nobody-here", "due_on": "31/03/2026"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"owner", "due_on"} <= set(response.json())
    assert not ImprovementAction.objects.exists()


# -- planning, doing, checking ----------------------------------------------------------------------------
def test_planning_and_doing_actions_move_the_nonconformity_on(make_ca, owner, other_owner):
    ca = ca_services.update(make_ca(check_after_days=30), actor=owner, expected_version=1, fields=WHY)
    for n, who in ((1, owner), (2, other_owner)):
        ca = add_action(ca, actor=owner, expected_version=ca.version, description=f"Step {n}",
                        owner=who.username, due_on=days(n).isoformat())  # fmt: skip
    nc = Nonconformity.objects.get(pk=ca.nonconformity_id)
    assert ca.status == "planned" and nc.status == "planned"
    # The action's owner marks their own action done, though they do not own the corrective action.
    ca = complete_action(ca, actor=other_owner, expected_version=ca.version, action="2")
    nc.refresh_from_db()
    assert ca.status == "planned" and nc.status == "done"
    ca = complete_action(ca, actor=owner, expected_version=ca.version, action="1")
    nc.refresh_from_db()
    assert ca.status == "done" and ca.check_due_on == days(30) and nc.status == "verifying"
    assert any(c["label"] == "Action 1" and c["new"] == "Done" for c in history(ca).first().changes)


def test_someone_else_may_not_mark_an_action_done(done_ca, make_ca, owner, other_owner, auditor):
    ca = ca_services.update(make_ca(), actor=owner, expected_version=1, fields=WHY)
    ca = add_action(ca, actor=owner, expected_version=ca.version, description="Step", owner=owner.username,
                    due_on=days(1).isoformat())  # fmt: skip
    for person in (other_owner, auditor):
        with pytest.raises(PermissionDenied):
            complete_action(ca, actor=person, expected_version=ca.version, action="1")
    assert ca.actions.get().status == "open"


def test_the_owner_may_not_check_their_own_corrective_action(done_ca, owner):
    client = client_for(owner)
    response = client.post(
        f"/api/v1/corrective-actions/{done_ca.reference}/check-effectiveness/",
        {"version": done_ca.version, "result": "effective", "notes": "Looks fine."},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "Four eyes" in response.json()["detail"] and "check its effectiveness" in response.json()["detail"]
    page = client.get(f"/corrective-actions/{done_ca.reference}/").content.decode()
    assert "Four eyes" in page and "check-effectiveness/" not in page
    done_ca.refresh_from_db()
    assert done_ca.status == "done" and not done_ca.check_result


def test_an_auditor_may_not_check_and_is_told_why(done_ca, auditor):
    with pytest.raises(PermissionDenied) as exc:
        check_effectiveness(
            done_ca, actor=auditor, expected_version=done_ca.version, result="effective", notes="n"
        )
    assert "checks effectiveness" in str(exc.value)


def test_effective_closes_the_nonconformity(done_ca, manager):
    client = client_for(manager)
    page = client.get(f"/corrective-actions/{done_ca.reference}/").content.decode()
    assert "check-effectiveness/" in page
    response = client.post(
        f"/corrective-actions/{done_ca.reference}/check-effectiveness/",
        {"version": done_ca.version, "result": "effective", "notes": "No stale file used since."},
    )
    assert response.status_code == 302
    done_ca.refresh_from_db()
    nc = done_ca.nonconformity
    assert done_ca.status == "effective" and done_ca.checked_by == manager
    assert nc.status == "closed" and nc.closed_on is not None
    assert "was effective" in history(nc).first().note


def test_not_effective_reopens_the_nonconformity_with_the_reason(done_ca, other_owner):
    check_effectiveness(done_ca, actor=other_owner, expected_version=done_ca.version, result="not_effective",
                        notes="Stale files still slipped through on Monday.")  # fmt: skip
    nc = Nonconformity.objects.get(pk=done_ca.nonconformity_id)
    assert nc.status == "reopened"
    last = history(nc).first()
    assert "Stale files still slipped through" in last.note and last.actor == other_owner
    assert any(c["field"] == "status" and c["new"] == "Reopened" for c in last.changes)
    page = client_for(other_owner).get(f"/nonconformities/{nc.reference}/").content.decode()
    assert "Reopened" in page


def test_a_check_before_its_due_date_is_refused(make_ca, owner, manager):
    ca = ca_services.update(make_ca(check_after_days=60), actor=owner, expected_version=1, fields=WHY)
    ca = add_action(ca, actor=owner, expected_version=ca.version, description="Step", owner=owner.username,
                    due_on=days(1).isoformat())  # fmt: skip
    ca = complete_action(ca, actor=owner, expected_version=ca.version, action="1")
    response = client_for(manager).post(
        f"/api/v1/corrective-actions/{ca.reference}/check-effectiveness/",
        {"version": ca.version, "result": "effective", "notes": "Early."},
        content_type="application/json",
    )
    assert response.status_code == 403 and days(60).isoformat() in response.json()["detail"]
    page = client_for(manager).get(f"/corrective-actions/{ca.reference}/").content.decode()
    assert "check-effectiveness/" not in page and days(60).isoformat() in page
    ca.refresh_from_db()
    assert ca.status == "done" and not ca.check_result


def test_a_nonconformity_closes_only_when_every_corrective_action_is_finished(
    done_ca, make_ca, owner, manager
):
    nc = done_ca.nonconformity
    make_ca(nc=nc, title="A second action still open")
    check_effectiveness(
        done_ca, actor=manager, expected_version=done_ca.version, result="effective", notes="ok"
    )
    nc.refresh_from_db()
    assert nc.status != "closed"


def test_no_corrective_action_on_a_closed_nonconformity(done_ca, manager, owner):
    check_effectiveness(
        done_ca, actor=manager, expected_version=done_ca.version, result="effective", notes="ok"
    )
    response = client_for(owner).post(
        "/api/v1/corrective-actions/",
        {"title": "Another", "nonconformity": done_ca.nonconformity.reference},
        content_type="application/json",
    )
    assert response.status_code == 400 and "nonconformity" in response.json()
    assert CorrectiveAction.objects.count() == 1


def test_a_finished_corrective_action_takes_no_new_actions(done_ca, manager, owner):
    ca = check_effectiveness(done_ca, actor=manager, expected_version=done_ca.version, result="effective",
                             notes="ok")  # fmt: skip
    with pytest.raises(ValidationError):
        add_action(ca, actor=owner, expected_version=ca.version, description="More", owner=owner.username,
                   due_on=days(1).isoformat())  # fmt: skip


def test_the_action_table_on_the_page(make_ca, owner, auditor):
    ca = ca_services.update(make_ca(), actor=owner, expected_version=1, fields=WHY)
    response = client_for(owner).post(
        f"/corrective-actions/{ca.reference}/add-action/",
        {"version": ca.version, "description": "Reject stale files", "owner": owner.username,
         "due_on": days(-2).isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    page = client_for(owner).get(f"/corrective-actions/{ca.reference}/").content.decode()
    assert "Reject stale files" in page and "Overdue" in page and "Mark action 1 done" in page
    assert "Nobody checked the feed" in page  # the five whys
    read_only = client_for(auditor).get(f"/corrective-actions/{ca.reference}/").content.decode()
    assert "Reject stale files" in read_only and "Mark action 1 done" not in read_only
    assert "Plan the action" not in read_only


def test_odd_action_input_is_a_field_error_not_a_server_error(done_ca, make_incident, owner):
    client = client_for(owner)
    huge = client.post(
        f"/api/v1/corrective-actions/{done_ca.reference}/complete-action/",
        {"version": done_ca.version, "action": "99999999999999999"},
        content_type="application/json",
    )
    assert huge.status_code == 400 and "action" in huge.json()
    incident = make_incident()
    nul = client.post(
        f"/api/v1/incidents/{incident.reference}/raise-nonconformity/",
        {"version": incident.version, "grade": "major", "requirements": "8.1", "description": "a\x00b"},
        content_type="application/json",
    )
    assert nul.status_code == 400 and "description" in nul.json()
    assert not Nonconformity.objects.filter(incident=incident).exists()


def test_a_due_check_waits_for_a_decision_of_others_not_of_the_owner(
    done_ca, make_ca, board, owner, other_owner
):
    assert done_ca.reference in client_for(board).get("/").content.decode()
    assert done_ca.reference in client_for(other_owner).get("/").content.decode()
    assert done_ca.reference not in client_for(owner).get("/").content.decode()


def test_a_corrective_action_with_actions_stays_with_its_nonconformity(done_ca, make_nc, owner):
    other = make_nc(title="Another one")
    with pytest.raises(ValidationError) as exc:
        ca_services.update(
            done_ca, actor=owner, expected_version=done_ca.version, fields={"nonconformity": other}
        )
    assert "nonconformity" in exc.value.message_dict
    done_ca.refresh_from_db()
    assert done_ca.nonconformity != other

"""ISO/IEC 42001 6.1.3: the AI risk treatment plan is approved by designated management (here the
governance board or the AIMS manager) and the residual risks are accepted, each on record. An approval
covers the plan as it stood; a changed treatment or a risk assessed since makes it out of date."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aims.certification import MET, MISSING, PARTIAL
from aims.records import history
from aims.registry import registry
from registers.models import TreatmentPlanApproval
from registers.services import risk_accept, risk_update
from registers.treatment_plan import approval_refusal, approve_treatment_plan, current_plan
from tests import clock
from tests.base import client_for

HIGH = {"inherent_likelihood": 5, "inherent_impact": 5, "residual_likelihood": 4, "residual_impact": 4}


def plan_row():
    return registry.readiness_checks["6.1.3-plan"].check(clock.today())


def approve(actor, **kwargs):
    return approve_treatment_plan(actor=actor, seen=current_plan().digest, **kwargs)


@pytest.fixture
def assessed(make_risk):
    return make_risk(status="treating", treatment_due_on=clock.today() + dt.timedelta(days=30))


def test_6_1_3_a_plan_never_approved_is_not_met(assessed):
    result = plan_row()
    assert result.status == PARTIAL and "never been approved" in result.reason
    assert result.links[0] == ("Treatment plan", "/risks/treatment-plan/")


def test_6_1_3_only_identified_risks_leave_nothing_to_approve(make_risk, board):
    make_risk()  # identified, not yet assessed
    assert plan_row().status == MISSING and "No AI risk is assessed" in plan_row().reason
    with pytest.raises(ValidationError, match="nothing to approve"):
        approve(board)


def test_6_1_3_approved_by_the_board_and_nothing_changed_is_met(assessed, board):
    approval = approve(board, note="Board meeting of 3 November.")
    result = plan_row()
    assert result.status == MET and "is current" in result.reason and str(board) in result.reason
    assert approval.covered[0]["reference"] == assessed.reference
    change = history(approval).get()
    assert change.actor == board and change.action == "approved"
    assert {c["field"]: c["new"] for c in change.changes}["covered"] == assessed.reference


def test_6_1_3_a_changed_treatment_makes_the_approval_stale_naming_the_risk(assessed, manager, owner):
    approve(manager)
    risk_update(assessed, actor=owner, expected_version=assessed.version,
                fields={"treatment_plan": "Reweigh data; add a fairness gate to every release."})  # fmt: skip
    result = plan_row()
    assert result.status == PARTIAL
    assert (
        f"{assessed.reference}'s treatment plan changed" in result.reason and "out of date" in result.reason
    )
    assert (assessed.reference, f"/risks/{assessed.reference}/") in result.links


def test_6_1_3_a_new_due_date_or_option_is_a_change_too(assessed, manager, owner):
    approve(manager)
    risk_update(assessed, actor=owner, expected_version=assessed.version,
                fields={"treatment_due_on": clock.today() + dt.timedelta(days=90)})  # fmt: skip
    assert "due date changed" in plan_row().reason


def test_6_1_3_a_risk_assessed_after_the_approval_makes_it_stale(assessed, make_risk, board, owner):
    approve(board)
    later = make_risk(title="Chatbot invents loan terms")
    assert plan_row().status == MET  # only identified: not part of the plan yet
    risk_update(later, actor=owner, expected_version=later.version, fields={"status": "assessed"})
    result = plan_row()
    assert result.status == PARTIAL and f"{later.reference} was assessed since" in result.reason


def test_6_1_3_a_closed_risk_leaving_the_plan_needs_no_new_approval(assessed, make_risk, board, owner):
    other = make_risk(title="Drift", status="treating")
    approve(board)
    risk_update(other, actor=owner, expected_version=other.version, fields={"status": "closed"})
    assert plan_row().status == MET


def test_6_1_3_every_risk_above_the_appetite_needs_a_recorded_acceptance(assessed, make_risk, board):
    high = make_risk(title="Proxy discrimination", status="treating", **HIGH)
    approve(board)
    result = plan_row()
    assert result.status == PARTIAL
    assert f"1 risk above the appetite has no recorded acceptance of the residual risk: {high.reference}" in (
        result.reason
    )
    assert (high.reference, f"/risks/{high.reference}/") in result.links
    assert ("All 1 awaiting acceptance", "/risks/?awaiting_acceptance=true") in result.links
    risk_accept(high, actor=board, expected_version=high.version, rationale="Fairness gate in place.")
    assert plan_row().status == MET


def test_6_1_3_no_approval_and_risks_unaccepted_is_missing(make_risk):
    make_risk(status="treating", **HIGH)
    assert plan_row().status == MISSING


# -- who approves, and when -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role,allowed", [("board", True), ("manager", True), ("owner", False), ("auditor", False)]
)
def test_only_the_board_and_the_aims_manager_approve_the_plan(assessed, request, role, allowed):
    user = request.getfixturevalue(role)
    refusal = approval_refusal(user, current_plan())
    assert (refusal == "") is allowed
    if allowed:
        assert approve(user).approved_by == user
    else:
        assert "Only the governance board and the AIMS manager" in refusal
        with pytest.raises(PermissionDenied, match="Only the governance board and the AIMS manager"):
            approve(user)


def test_a_current_plan_is_not_approved_twice(assessed, board, manager):
    approve(board)
    refusal = approval_refusal(manager, current_plan())
    assert "is current" in refusal
    with pytest.raises(ValidationError, match="is current"):
        approve(manager)


def test_a_plan_changed_since_the_approver_read_it_is_not_approved(assessed, make_risk, board):
    seen = current_plan().digest
    make_risk(title="Assessed meanwhile", status="assessed")
    with pytest.raises(ValidationError, match="changed since you opened it"):
        approve_treatment_plan(actor=board, seen=seen)
    assert not TreatmentPlanApproval.objects.exists()


def test_the_approval_date_is_not_in_the_future_nor_before_the_last(assessed, make_risk, board, owner):
    with pytest.raises(ValidationError, match="date still to come"):
        approve(board, approved_on=clock.today() + dt.timedelta(days=1))
    approve(board, approved_on=clock.today() - dt.timedelta(days=10))
    make_risk(title="New", status="assessed")
    with pytest.raises(ValidationError, match="cannot be dated before it"):
        approve(board, approved_on=clock.today() - dt.timedelta(days=20))


# -- the pages and the API -------------------------------------------------------------------------------
def test_the_risk_register_offers_the_approval_button_to_who_may_approve(assessed, board, owner):
    page = client_for(board).get("/risks/").content.decode()
    assert 'href="/risks/treatment-plan/#approve"' in page and 'data-plan-state="none"' in page
    assert 'href="/risks/treatment-plan/#approve"' not in client_for(owner).get("/risks/").content.decode()


def test_the_plan_page_approves_and_shows_history(assessed, board, owner):
    client = client_for(board)
    page = client.get("/risks/treatment-plan/").content.decode()
    assert f'href="/risks/{assessed.reference}/"' in page and 'id="approve"' in page
    response = client.post(
        "/risks/treatment-plan/",
        {
            "seen": current_plan().digest,
            "approved_on": clock.today().isoformat(),
            "note": "Board of 3 November.",
        },
    )
    assert response.status_code == 302
    page = client.get("/risks/treatment-plan/").content.decode()
    assert (
        'data-plan-state="current"' in page and "Board of 3 November." in page and 'id="approve"' not in page
    )
    owner_page = client_for(owner).get("/risks/treatment-plan/")
    assert owner_page.status_code == 200 and 'id="approve"' not in owner_page.content.decode()
    refused = client_for(owner).post(
        "/risks/treatment-plan/", {"seen": "x", "approved_on": clock.today().isoformat()}
    )
    assert refused.status_code == 403


def test_a_stale_digest_on_the_page_is_a_clear_error(assessed, board):
    response = client_for(board).post(
        "/risks/treatment-plan/", {"seen": "old", "approved_on": clock.today().isoformat()}
    )
    assert response.status_code == 400 and "changed since you opened it" in response.content.decode()


def test_the_api_reads_and_approves_the_plan(assessed, board, owner):
    api = client_for(board)
    data = api.get("/api/v1/risks/treatment-plan/").json()
    assert data["state"] == "none" and data["risks"][0]["reference"] == assessed.reference
    answer = api.post("/api/v1/risks/treatment-plan/", {"seen": data["digest"], "note": "API"},
                      content_type="application/json")  # fmt: skip
    assert answer.status_code == 201 and answer.json()["state"] == "current"
    assert answer.json()["approval"]["covered"] == [assessed.reference]
    refused = client_for(owner).post("/api/v1/risks/treatment-plan/", {"seen": data["digest"]},
                                     content_type="application/json")  # fmt: skip
    assert refused.status_code == 403 and "Only the governance board" in refused.json()["detail"]
    again = api.post(
        "/api/v1/risks/treatment-plan/", {"seen": data["digest"]}, content_type="application/json"
    )
    assert again.status_code == 400 and "is current" in str(again.json())
    missing_field = api.post("/api/v1/risks/treatment-plan/", {}, content_type="application/json")
    assert missing_field.status_code == 400 and "seen" in missing_field.json()


def test_the_plan_page_shows_the_plan_a_page_at_a_time_and_approves_it_whole(make_risk, board):
    """A register of thousands of risks: the page lists the plan in pages, the count and the approval
    cover every risk of it."""
    from registers import treatment_plan_views

    for _ in range(3):
        make_risk(status="treating")
    client = client_for(board)
    per_page, treatment_plan_views.PER_PAGE = treatment_plan_views.PER_PAGE, 2
    try:
        first = client.get("/risks/treatment-plan/").content.decode()
        second = client.get("/risks/treatment-plan/?page=2").content.decode()
    finally:
        treatment_plan_views.PER_PAGE = per_page
    assert (
        'data-total="3"' in first
        and "Page 1 of 2" in first
        and "Approve the treatment plan (3 risks)" in first
    )
    shown = [r["reference"] for r in current_plan().rows if f'href="/risks/{r["reference"]}/"' in first]
    assert len(shown) == 2 and "Page 2 of 2" in second


def test_the_register_page_tells_the_plan_s_standing_and_never_an_old_one(assessed, make_risk, board, owner):
    """The list's line about the plan is counted once and kept (registers.treatment_plan.standing_for); a
    change to a risk in the plan, or a risk assessed, is on the very next page, for the one who made it and
    for the board."""

    def line(user):
        page = client_for(user).get("/risks/").content.decode()
        return " ".join(page.split('class="treatment-plan"')[1].split("</p>")[0].split())

    assert "never approved" in line(board)
    approve(board)
    assert "current" in line(board) and "current" in line(owner)
    risk_update(assessed, actor=owner, expected_version=assessed.version,
                fields={"treatment_plan": "Reweigh data; add a fairness gate to every release."})  # fmt: skip
    assert "1 treatment changed and 0 risks assessed since" in line(owner)
    assert "1 treatment changed and 0 risks assessed since" in line(board)
    make_risk(status="treating", treatment_due_on=clock.today() + dt.timedelta(days=10))
    assert "1 treatment changed and 1 risk assessed since" in line(board)
    approve(board)
    assert "current" in line(board)


def test_the_plans_index_holds_the_plans_risks():
    """The plan's standing is counted from registers_risk_in_plan: an index whose statuses drift from
    IN_PLAN would no longer serve the query (PostgreSQL would read the whole register again)."""
    from registers.models import Risk
    from registers.treatment_plan import IN_PLAN

    (index,) = [i for i in Risk._meta.indexes if i.name == "registers_risk_in_plan"]
    statuses = dict(index.condition.children)["status__in"]
    assert sorted(statuses) == sorted(IN_PLAN)

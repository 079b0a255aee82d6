"""Certification readiness checks, one per item of the documented-information list (clauses 4 to 10): each
is missing on an empty organisation and met once the records a certification auditor asks for exist; each
test cites the clause it reads (ISO/IEC 42001 4.1 ... 10.1)."""

import datetime as dt

import pytest

from aims.certification import MET, MISSING, PARTIAL
from aims.registry import registry
from lifecycle import gates
from lifecycle.models import KPI, AISystem, ImpactAssessment
from registers.standard import competence, courses, documents, objectives, opportunities, training
from registers.standard.aims_roles import services as roles_services
from tests import clock
from tests.base import client_for as build_client
from tests.registers import records_for_readiness as build

CLAUSE_ROWS = [
    "4.1-prohibited",  # not a documented-information item: the EU AI Act prohibited-practice screen (4.1)
    "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1.1", "6.1.2", "6.1.3-process", "6.1.3-soa",
    "6.1.3-plan", "6.1.3-controls", "6.1.4", "6.2", "6.3", "7.1", "7.2", "7.3", "7.4", "7.5.1", "7.5.2",
    "7.5.3", "8.1", "8.2", "8.3", "8.4", "9.1", "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3", "10.1", "10.2",
]  # fmt: skip


def run(key, today=None):
    return registry.readiness_checks[key].check(today or clock.today())


def test_one_check_per_row_of_the_documented_information_list():
    """Every row is registered (other rows, e.g. of another register, may join them)."""
    clause_keys = {k for k in registry.readiness_checks if not k.startswith("A.")}
    assert set(CLAUSE_ROWS) <= clause_keys


@pytest.mark.parametrize("key", CLAUSE_ROWS)
def test_every_row_is_missing_in_an_empty_organisation(db, key):
    result = run(key)
    assert result.status == MISSING and result.reason


def test_scope_published_is_met_a_draft_or_an_overdue_review_partly(owner, board):
    draft = build.scope_statement(owner, board, publish=False)
    assert run("4.3").status == PARTIAL and "not yet published" in run("4.3").reason
    published = build.scope_statement(owner, board, title="AIMS scope v2")
    result = run("4.3")
    assert (
        result.status == MET and published.reference in result.reason and draft.reference not in result.reason
    )
    assert result.links[0][1] == f"/scope/{published.reference}/"
    assert run("4.3", clock.today() + dt.timedelta(days=120)).status == PARTIAL  # past its review date


def test_aims_documented_needs_an_approved_document_linked_to_4_4(owner, manager):
    build.document(owner, manager, "4.4", status="draft")
    assert run("4.4").status == PARTIAL and "not approved" in run("4.4").reason
    build.document(owner, manager, "4.4", title="AIMS manual")
    assert run("4.4").status == MET and "AIMS manual" in run("4.4").reason


def test_ai_policy_in_force(owner, board):
    build.ai_policy(owner, board, publish=False)
    assert run("5.2").status == PARTIAL
    build.ai_policy(owner, board, title="AI policy 2027")
    assert run("5.2").status == MET


def test_risks_and_opportunities(make_risk, owner):
    make_risk()
    assert run("6.1.1").status == PARTIAL and "opportunities" in run("6.1.1").reason
    opportunities.services.create(actor=owner, fields={"title": "Faster loan decisions"})
    assert run("6.1.1").status == MET


def test_risk_method_and_treatment_process_need_their_documents(make_risk, owner, manager):
    make_risk()
    assert run("6.1.2").status == PARTIAL and run("6.1.3-process").status == PARTIAL
    build.document(owner, manager, "6.1.2", "6.1.3", title="AI risk method")
    assert run("6.1.2").status == MET and run("6.1.3-process").status == MET


def test_soa_approved_and_every_control_justified(owner, board):
    build.approved_soa(owner, board)
    assert run("6.1.3-soa").status == MET and run("6.1.3-controls").status == MET


def test_a_soa_in_draft_with_missing_rows_is_partly_met(owner):
    from lifecycle.standard import soa, soa_entries

    soa.services.create(actor=owner, fields={"title": "SoA draft"})
    soa_entries.services.create(actor=owner, fields={"control": build.req("A.2.2"), "justification": ""})
    assert run("6.1.3-soa").status == PARTIAL
    assert (
        run("6.1.3-controls").status == PARTIAL
        and "37 Annex A controls have no SoA row" in run("6.1.3-controls").reason
    )


def test_impact_assessments_for_every_live_system(owner, board):
    credit = build.system(owner)
    chatbot = build.system(owner, title="Chatbot")
    build.system(owner, title="Retired model", in_scope=False)  # out of scope: not counted
    build.approved_assessment(credit, owner, board)
    assert run("6.1.4").status == PARTIAL and chatbot.reference in run("6.1.4").reason
    build.approved_assessment(chatbot, owner, board)
    assert run("6.1.4").status == MET and run("8.4").status == MET
    ImpactAssessment.objects.filter(system=credit).update(reassessment_due=True)
    assert run("8.4").status == PARTIAL and run("6.1.4").status == MET


def test_objectives_on_track_or_late(owner):
    fields = {
        "title": "Fair lending",
        "measure": "Approval-rate parity",
        "target": "At least 0.9",
        "due_on": clock.today() + dt.timedelta(days=90),
    }
    objectives.services.create(actor=owner, fields=fields)
    assert run("6.2").status == MET
    objectives.services.create(
        actor=owner, fields={**fields, "title": "Late", "due_on": clock.today() - dt.timedelta(days=1)}
    )
    assert run("6.2").status == PARTIAL


def test_7_2_judges_the_competence_of_each_person_in_an_aims_role(owner, manager):
    """7.2: the competence of each person doing work under the AIMS is determined and evidenced: a
    requirement nobody holds a role for shows nothing; a role holder without a valid course is a gap."""
    role = roles_services.create(
        actor=manager, fields={"title": "Model validator", "responsibilities": "Validate."}
    )
    course = courses.services.create(actor=manager, fields={"title": "AI risk basics"})
    requirement = competence.services.create(
        actor=manager, fields={"title": "Validators know AI risk", "role": role}
    )
    requirement.courses.add(course)
    assert run("7.2").status == MISSING  # a requirement, but nobody in the role
    role.people.add(owner)
    assert (
        run("7.2").status == PARTIAL and "1 competences missing or expired for 1 person" in run("7.2").reason
    )
    record = training.services.create(
        actor=manager,
        fields={"person": owner, "course": course, "completed_on": clock.today() - dt.timedelta(days=30)},
    )
    assert run("7.2").status == MET
    training.services.update(
        record,
        actor=manager,
        expected_version=record.version,
        fields={"expires_on": clock.today() - dt.timedelta(days=1)},
    )
    assert run("7.2").status == PARTIAL and "missing or expired" in run("7.2").reason


def test_document_control(owner, manager):
    draft = build.document(owner, manager, status="draft")
    assert run("7.5.1").status == MISSING and run("7.5.2").status == PARTIAL
    build.document(owner, manager, "7.5.3", title="Document control procedure")
    assert run("7.5.1").status == MET and run("7.5.3").status == MET
    assert run("7.5.2").status == PARTIAL and "1 of 2 documents are drafts" in run("7.5.2").reason
    documents.services.update(draft, actor=owner, expected_version=draft.version,
                              fields={"status": "approved", "approver": manager})  # fmt: skip
    assert run("7.5.2").status == MET
    assert run("7.5.3", clock.today() + dt.timedelta(days=120)).status == PARTIAL  # past their reviews


def test_operational_control_through_stage_gates(owner, board):
    system = build.system(owner)
    AISystem.objects.filter(pk=system.pk).update(eu_tier="minimal")
    assert run("8.1").status == MET  # still in design: no gate was due yet
    review = gates.request_gate(system, actor=owner, approver=board, evidence_note="Classified.")
    gates.decide_gate(review, actor=board, approve=True, reason="Minimal risk.")
    assert run("8.1").status == MET and "past design" in run("8.1").reason
    other = build.system(owner, title="Fraud model")
    AISystem.objects.filter(pk=other.pk).update(stage="operation")  # brought in at this stage, no gate
    assert run("8.1").status == PARTIAL and other.reference in run("8.1").reason


def test_risk_assessment_and_treatment_results(make_risk):
    risk = make_risk(status="treating")
    assert run("8.2").status == MET and run("8.3").status == MET
    assert run("8.2", clock.today() + dt.timedelta(days=400)).status == PARTIAL  # past the review cadence
    make_risk(title="Not yet treated", status="identified")
    assert run("8.3").status == PARTIAL and "only identified" in run("8.3").reason
    assert risk.reference not in run("8.3").reason


def test_8_3_a_risk_assessed_with_no_treatment_under_way_is_a_gap(make_risk):
    make_risk(status="treating")
    idle = make_risk(title="Assessed, then left", status="assessed")
    result = run("8.3")
    assert (
        result.status == PARTIAL
        and f"1 assessed with no treatment under way ({idle.reference})" in result.reason
    )
    assert ("Untreated risks", "/risks/?status=identified&status=assessed") in result.links
    assert (idle.reference, f"/risks/{idle.reference}/") in result.links


def test_8_3_a_treatment_past_its_due_date_and_not_in_place_is_a_gap(make_risk, owner):
    from registers.services import risk_update

    late = make_risk(status="treating", treatment_due_on=clock.today() - dt.timedelta(days=3))
    result = run("8.3")
    assert (
        result.status == PARTIAL
        and f"1 treatment past the due date and not in place ({late.reference})" in (result.reason)
    )
    assert ("Overdue treatments", "/risks/?treatment_overdue=true") in result.links
    risk_update(late, actor=owner, expected_version=late.version, fields={"treatment_done_on": clock.today()})
    assert run("8.3").status == MET
    accepted = make_risk(title="Accepted as it is", status="treating", treatment="accept", treatment_plan="",
                         treatment_due_on=clock.today() - dt.timedelta(days=3))  # fmt: skip
    assert run("8.3").status == MET and accepted.reference not in run("8.3").reason  # nothing to put in place


def test_8_3_no_risk_with_a_treatment_under_way_is_missing(make_risk):
    make_risk(status="assessed")
    assert run("8.3").status == MISSING


def test_the_overdue_treatment_filter_lists_what_8_3_counts(make_risk, board):
    late = make_risk(status="treating", treatment_due_on=clock.today() - dt.timedelta(days=3))
    make_risk(title="On time", status="treating", treatment_due_on=clock.today() + dt.timedelta(days=3))
    page = build_client(board).get("/risks/?treatment_overdue=true").content.decode()
    assert 'data-total="1"' in page and late.reference in page


def test_kpis_measured_in_their_period(owner):
    build.kpi(owner)
    assert run("9.1").status == MET
    build.kpi(owner, title="Never measured", measured=False, frequency_days=1)
    KPI.objects.filter(title="Never measured").update(created_at=clock.now() - dt.timedelta(days=5))
    assert run("9.1").status == PARTIAL and "1 of 2 KPIs" in run("9.1").reason


# -- clauses judged from their own registers (4.1, 4.2, 5.1, 5.3, 6.3, 7.1, 7.3, 7.4) ------------------------
def test_4_1_internal_and_external_issues_determined_and_reviewed(owner):
    from registers.standard import context_issues

    fields = {"title": "Small ML team", "side": "internal", "category": "weakness"}
    context_issues.services.create(actor=owner, fields=fields)
    assert run("4.1").status == PARTIAL and "no external issue" in run("4.1").reason
    context_issues.services.create(
        actor=owner,
        fields={"title": "EU AI Act", "side": "external", "category": "legal", "climate_relevant": True},
    )
    assert run("4.1").status == MET and "1 marked relevant to climate change" in run("4.1").reason
    assert run("4.1", clock.today() + dt.timedelta(days=400)).status == PARTIAL  # past their review


def test_4_2_interested_parties_with_needs_and_decided_obligations(owner):
    from registers.standard import interested_parties, obligations

    party = interested_parties.services.create(
        actor=owner, fields={"title": "Loan applicants", "side": "external"}
    )
    result = run("4.2")
    assert result.status == PARTIAL and "1 party without needs and expectations" in result.reason
    assert "no compliance obligation" in result.reason
    interested_parties.services.update(party, actor=owner, expected_version=party.version,
                                       fields={"needs_and_expectations": "Fair, explained decisions."})  # fmt: skip
    duty = obligations.services.create(actor=owner, fields={"title": "GDPR Art. 22", "kind": "law"})
    assert run("4.2").status == PARTIAL and "1 obligation still being assessed" in run("4.2").reason
    obligations.services.update(
        duty, actor=owner, expected_version=duty.version, fields={"applicability": "applies"}
    )
    assert run("4.2").status == MET


def test_5_1_leadership_shown_by_meetings_decisions_and_the_approved_policy(owner, board, manager):
    from registers.standard import board_meetings, decisions

    build.ai_policy(owner, board)
    assert run("5.1").status == PARTIAL and "no board meeting" in run("5.1").reason
    board_meetings.services.create(actor=manager, fields={
        "title": "Q4 board", "held_on": clock.today() - dt.timedelta(days=20), "status": "held", "minutes": "AIMS reviewed.",
    })  # fmt: skip
    decision = decisions.services.create(actor=manager, fields={
        "title": "Fund a fairness tool", "decision": "Buy it.", "due_on": clock.today() - dt.timedelta(days=1),
    })  # fmt: skip
    assert run("5.1").status == PARTIAL and "1 board decision past the due date" in run("5.1").reason
    decisions.services.update(
        decision, actor=manager, expected_version=decision.version, fields={"status": "done"}
    )
    assert run("5.1").status == MET
    assert "over a year ago" in run("5.1", clock.today() + dt.timedelta(days=400)).reason


def test_5_3_roles_need_people_and_authorities(manager, owner):
    role = roles_services.create(
        actor=manager, fields={"title": "Model validator", "responsibilities": "Validate."}
    )
    result = run("5.3")
    assert result.status == PARTIAL and "1 have nobody assigned" in result.reason
    assert "1 do not say what they may decide" in result.reason
    roles_services.update(role, actor=manager, expected_version=role.version,
                          fields={"people": [owner, manager], "authorities": "Blocks a release."})  # fmt: skip
    assert run("5.3").status == MET and "1 AIMS roles" in run("5.3").reason  # one role, two people


def test_6_3_changes_planned_with_consequences_and_decided_in_time(owner):
    from registers.standard import planned_changes

    fields = {"title": "Streaming fraud features", "purpose": "Faster detection.",
              "planned_for": clock.today() - dt.timedelta(days=5)}  # fmt: skip
    change = planned_changes.services.create(actor=owner, fields=fields)
    result = run("6.3")
    assert result.status == PARTIAL and "still wait for a decision" in result.reason
    assert "without its possible consequences" in result.reason
    planned_changes.services.update(change, actor=owner, expected_version=change.version, fields={
        "consequences": "Drift monitoring must follow.", "planned_for": clock.today() + dt.timedelta(days=30),
    })  # fmt: skip
    assert run("6.3").status == MET


def test_7_1_resources_determined_and_no_gap_left_open(manager):
    from registers.standard import resources

    fields = {"title": "Validators", "process": "risk", "kind": "people", "gap": "One more validator needed."}
    record = resources.services.create(actor=manager, fields=fields)
    assert run("7.1").status == PARTIAL and "1 gap still open" in run("7.1").reason
    resources.services.update(
        record, actor=manager, expected_version=record.version, fields={"gap_closed_on": clock.today()}
    )
    assert run("7.1").status == MET


def test_7_3_awareness_is_every_acknowledgement_of_the_policy_in_force(owner, board, manager):
    from registers.standard.policies import acknowledge

    build.ai_policy(owner, board, publish=False)
    assert run("7.3").status == MISSING  # nothing published to be aware of
    policy = build.ai_policy(owner, board, title="AI policy 2027", acknowledge_people=[manager])
    result = run("7.3")
    assert result.status == PARTIAL and "1 of 1 acknowledgements" in result.reason
    assert (policy.reference, f"/policies/{policy.reference}/") in result.links
    acknowledge(policy, actor=manager)
    assert run("7.3").status == MET


def test_7_4_communication_plan_internal_and_external_carried_out(manager):
    from registers.standard import communications

    fields = {"title": "Board report", "message": "Risks.", "audience": "Board", "channel": "report",
              "internal": True}  # fmt: skip
    communications.services.create(actor=manager, fields=fields)
    assert run("7.4").status == PARTIAL and "no external communication" in run("7.4").reason
    communications.services.create(actor=manager, fields={
        **fields, "title": "Customer notice", "audience": "Applicants", "channel": "website", "internal": False,
    })  # fmt: skip
    assert run("7.4").status == MET
    assert run("7.4", clock.today() + dt.timedelta(days=400)).status == PARTIAL  # not communicated when due

"""Certification readiness checks, one per item of the documented-information list (clauses 4 to 10): each
is missing on an empty organisation and met once the records a certification auditor asks for exist."""

import datetime as dt

import pytest

from aims.certification import MET, MISSING, PARTIAL
from aims.registry import registry
from lifecycle import gates
from lifecycle.models import KPI, AISystem, ImpactAssessment
from registers.standard import competence, courses, objectives, opportunities, training
from registers.standard.aims_roles import services as roles_services
from tests.registers import records_for_readiness as build

TODAY = build.TODAY
CLAUSE_ROWS = [
    "4.1-prohibited",  # not a documented-information item: the EU AI Act prohibited-practice screen (4.1)
    "4.3", "4.4", "5.2", "6.1.1", "6.1.2", "6.1.3-process", "6.1.3-soa", "6.1.3-plan", "6.1.3-controls",
    "6.1.4", "6.2", "7.2", "7.5.1", "8.1", "8.2", "8.3", "8.4", "9.1", "9.2.2", "9.3.3", "10.2",
]  # fmt: skip


def run(key, today=TODAY):
    return registry.readiness_checks[key].check(today)


def test_one_check_per_row_of_the_documented_information_list():
    clause_keys = [k for k in registry.readiness_checks if not k.startswith("A.")]
    assert sorted(clause_keys) == sorted(CLAUSE_ROWS)


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
    assert run("4.3", TODAY + dt.timedelta(days=120)).status == PARTIAL  # past its review date


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


def test_treatment_plan_needs_every_risk_above_the_appetite_accepted(make_risk):
    make_risk()  # Low residual: within the appetite
    assert run("6.1.3-plan").status == MET
    make_risk(residual_likelihood=5, residual_impact=5, inherent_likelihood=5, inherent_impact=5)
    result = run("6.1.3-plan")
    assert result.status == PARTIAL and "1 risks above the appetite" in result.reason
    assert "above_appetite=true" in result.links[0][1]


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
        "due_on": TODAY + dt.timedelta(days=90),
    }
    objectives.services.create(actor=owner, fields=fields)
    assert run("6.2").status == MET
    objectives.services.create(
        actor=owner, fields={**fields, "title": "Late", "due_on": TODAY - dt.timedelta(days=1)}
    )
    assert run("6.2").status == PARTIAL


def test_competence_matrix_without_expired_training(owner, manager):
    role = roles_services.create(
        actor=manager, fields={"title": "Model validator", "responsibilities": "Validate."}
    )
    course = courses.services.create(actor=manager, fields={"title": "AI risk basics"})
    competence.services.create(actor=manager, fields={"title": "Validators know AI risk", "role": role})
    assert run("7.2").status == MISSING  # a matrix without any training record
    record = training.services.create(
        actor=manager,
        fields={"person": owner, "course": course, "completed_on": TODAY - dt.timedelta(days=30)},
    )
    assert run("7.2").status == MET
    training.services.update(
        record,
        actor=manager,
        expected_version=record.version,
        fields={"expires_on": TODAY - dt.timedelta(days=1)},
    )
    assert run("7.2").status == PARTIAL and "expired" in run("7.2").reason


def test_document_control(owner, manager):
    build.document(owner, manager, status="draft")
    assert run("7.5.1").status == MISSING
    build.document(owner, manager, title="Document control procedure")
    assert run("7.5.1").status == MET


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
    assert run("8.2", TODAY + dt.timedelta(days=400)).status == PARTIAL  # past the review cadence
    make_risk(title="Not yet treated", status="identified")
    assert run("8.3").status == PARTIAL and "still only identified" in run("8.3").reason
    assert risk.reference not in run("8.3").reason


def test_kpis_measured_in_their_period(owner):
    build.kpi(owner)
    assert run("9.1").status == MET
    build.kpi(owner, title="Never measured", measured=False, frequency_days=1)
    KPI.objects.filter(title="Never measured").update(created_at=build.timezone.now() - dt.timedelta(days=5))
    assert run("9.1").status == PARTIAL and "1 of 2 KPIs" in run("9.1").reason

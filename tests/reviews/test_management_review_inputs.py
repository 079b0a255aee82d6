"""The management review inputs (9.3.2): compiled from real records of the registers, frozen with who and
when, kept as they were when the registers change, re-frozen only before the meeting with the earlier
freeze kept, and open to sections from other apps."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aims import publishing
from aims.models import Change
from aims.records import history
from lifecycle.standard import soa as soa_register
from lifecycle.standard.incidents import services as incident_register
from lifecycle.standard.kpis import services as kpi_register
from registers.services import risk_update
from registers.standard import context_issues, interested_parties, objectives, opportunities
from reviews import inputs
from reviews.services import freeze_inputs, record_meeting
from tests import clock
from tests.reviews.management_review_helpers import *  # noqa: F403  fixtures
from tests.reviews.management_review_helpers import held


def section(review, key) -> dict:
    return next(s for s in review.current_inputs.sections if s["key"] == key)


def references(sec) -> set[str]:
    return {i["reference"] for i in sec["items"]}


def figure(sec, label) -> str:
    return dict(map(tuple, sec["figures"]))[label]


def frozen_change(entry) -> dict:
    return next(c for c in entry.changes if c["label"] == "Frozen inputs")


def before_the_period(record):
    """Move a record's creation (and its history) to before the review period, as if it were old."""
    type(record).objects.filter(pk=record.pk).update(created_at=(clock.now() - dt.timedelta(days=400)))
    history(record).update(at=(clock.now() - dt.timedelta(days=400)))


@pytest.fixture
def registers_with_records(manager, owner, board, make_risk, make_review, make_action):
    """One or more real records in every register an input section reads, made through the services."""
    made = {}
    made["issue"] = context_issues.services.create(
        actor=owner,
        fields={"title": "EU AI Act obligations for credit scoring", "side": "external", "category": "legal"},
    )
    made["party"] = interested_parties.services.create(
        actor=owner, fields={"title": "Financial Conduct Authority", "side": "external"}
    )
    # A risk assessed before the period at 4x4 (High), brought down to 2x2 (Low) during it.
    risk = make_risk(inherent_likelihood=4, inherent_impact=4, residual_likelihood=4, residual_impact=4)
    before_the_period(risk)
    risk.refresh_from_db()
    made["moved_risk"] = risk_update(
        risk,
        actor=owner,
        expected_version=risk.version,
        fields={"residual_likelihood": 2, "residual_impact": 2},
    )
    made["high_risk"] = make_risk(
        title="Chatbot invents loan terms", inherent_likelihood=5, inherent_impact=5,
        residual_likelihood=4, residual_impact=4,
    )  # fmt: skip
    kpi = kpi_register.services.create(
        actor=owner,
        fields={"title": "Approval-rate ratio", "metric": "lowest over highest group", "unit": "ratio",
                "direction": "higher", "target": Decimal("0.9"), "warning": Decimal("0.85"), "breach": Decimal("0.8")},
    )  # fmt: skip
    for days, value in ((200, "0.91"), (100, "0.78"), (10, "0.86")):
        kpi_register.record_measurement(
            kpi,
            actor=owner,
            value=Decimal(value),
            measured_at=timezone.now() - dt.timedelta(days=days),
            source="ui",
        )
    made["kpi"] = kpi
    made["objective"] = objectives.services.create(
        actor=owner,
        fields={"title": "Fair credit decisions", "measure": "approval-rate ratio", "target": "≥ 0.8",
                "due_on": clock.today() + dt.timedelta(days=90), "status": "at_risk", "progress": 40},
    )  # fmt: skip
    made["incident"] = incident_register.services.create(
        actor=owner,
        fields={"title": "Chatbot quoted a wrong APR", "detected_on": clock.today() - dt.timedelta(days=20),
                "severity": "high", "description": "A customer was told 4.9% APR.", "serious": True,
                "serious_kind": "general"},
    )  # fmt: skip
    made["opportunity"] = opportunities.services.create(
        actor=owner, fields={"title": "Open-banking data for thin-file applicants", "status": "pursuing"}
    )
    statement = soa_register.services.create(actor=manager, fields={"title": "Statement of Applicability"})
    statement = publishing.submit(statement, actor=manager, expected_version=statement.version)
    made["statement"] = publishing.approve(
        statement, actor=board, expected_version=statement.version, change_summary="First approved SoA"
    )
    earlier = held(make_review(title="Last year's review"), manager)
    made["earlier_action"] = make_action(earlier, due_on=clock.today() - dt.timedelta(days=5))
    return made


def test_the_freeze_holds_every_section_compiled_from_real_records(
    registers_with_records, make_review, manager
):
    made = registers_with_records
    review = make_review(title="This year's review")
    review = freeze_inputs(review, actor=manager, expected_version=review.version)

    frozen = review.current_inputs
    assert review.status == "inputs_frozen"
    assert frozen.number == 1 and frozen.frozen_by == manager and frozen.since == review.period_from
    assert [s["key"] for s in frozen.sections] == [s.key for s in inputs.input_sources()]

    actions = section(review, "previous_actions")
    assert made["earlier_action"].reference in references(actions) and figure(actions, "Overdue") == "1"
    assert "overdue" in actions["items"][0]["detail"]

    context = section(review, "context_changes")
    assert {made["issue"].reference, made["party"].reference} <= references(context)
    assert figure(context, "Context issues added") == "1"

    monitoring = section(review, "monitoring")
    kpi_line = next(i for i in monitoring["items"] if i["reference"] == made["kpi"].reference)
    assert "latest 0.86 ratio" in kpi_line["detail"] and "1 breach in the period" in kpi_line["detail"]
    assert "falling (worsening)" in kpi_line["detail"]
    assert kpi_line["url"] == made["kpi"].get_absolute_url()

    risks = section(review, "risks")
    assert figure(risks, "High: now (at period start)") == "1 (1)"  # the new one now; the old one then
    assert figure(risks, "Low: now (at period start)") == "1 (0)"
    assert figure(risks, "New in the period") == "1"
    assert made["high_risk"].reference in references(risks)  # above the appetite
    moved = next(i for i in risks["items"] if i["reference"] == made["moved_risk"].reference)
    assert "moved from High to Low" in moved["detail"]

    objectives_section = section(review, "objectives")
    assert made["objective"].reference in references(objectives_section)
    assert figure(objectives_section, "At risk") == "1"

    incidents_section = section(review, "incidents")
    assert figure(incidents_section, "Serious (EU AI Act)") == "1"
    assert made["incident"].reference in references(incidents_section)

    soa = section(review, "soa_changes")
    assert figure(soa, "SoA versions approved") == "1"
    assert any("version 1 approved" in i["detail"] for i in soa["items"])

    assert made["opportunity"].reference in references(section(review, "opportunities"))

    for key in ("nonconformities", "audit_results", "feedback"):  # from the Check and Act registers
        assert section(review, key)["summary"]

    last = history(review).first()
    assert last.actor == manager and "#1" in frozen_change(last)["new"]


def test_frozen_inputs_keep_their_values_when_the_registers_change(
    registers_with_records, make_review, manager, owner
):
    kpi = registers_with_records["kpi"]
    review = make_review(title="This year's review")
    review = freeze_inputs(review, actor=manager, expected_version=review.version)
    kpi_register.record_measurement(
        kpi, actor=owner, value=Decimal("0.95"), measured_at=timezone.now(), source="ui"
    )
    objective = registers_with_records["objective"]
    objectives.services.update(
        objective, actor=owner, expected_version=objective.version, fields={"progress": 90}
    )

    review.refresh_from_db()
    line = next(i for i in section(review, "monitoring")["items"] if i["reference"] == kpi.reference)
    assert "latest 0.86 ratio" in line["detail"] and "0.95" not in line["detail"]
    goal = next(i for i in section(review, "objectives")["items"] if i["reference"] == objective.reference)
    assert "40% done" in goal["detail"]


def test_refreezing_before_the_meeting_keeps_the_earlier_freeze(make_review, manager, owner):
    review = make_review()
    review = freeze_inputs(review, actor=manager, expected_version=review.version)
    opportunities.services.create(
        actor=owner, fields={"title": "Reuse the fairness toolkit", "status": "identified"}
    )
    review = freeze_inputs(review, actor=manager, expected_version=review.version)

    first, second = sorted(review.freezes.all(), key=lambda f: f.number)
    assert (first.number, second.number) == (1, 2)
    assert next(s for s in first.sections if s["key"] == "opportunities")["items"] == []
    assert len(next(s for s in second.sections if s["key"] == "opportunities")["items"]) == 1
    assert review.current_inputs == second
    assert "#1" in frozen_change(history(review).first())["old"]


def test_inputs_cannot_be_refrozen_once_the_meeting_is_held(held_review, manager):
    with pytest.raises(ValidationError, match="stay as they were frozen"):
        freeze_inputs(held_review, actor=manager, expected_version=held_review.version)
    assert held_review.freezes.count() == 1


def test_the_meeting_needs_frozen_inputs_first(make_review, manager):
    review = make_review()
    with pytest.raises(ValidationError) as refused:
        record_meeting(
            review,
            actor=manager,
            expected_version=review.version,
            held_on=clock.today().isoformat(),
            minutes="x",
        )
    assert "freeze the inputs first" in refused.value.message_dict["held_on"][0]


def test_an_auditor_cannot_freeze_inputs(make_review, auditor):
    from django.core.exceptions import PermissionDenied

    review = make_review()
    with pytest.raises(PermissionDenied):
        freeze_inputs(review, actor=auditor, expected_version=review.version)
    assert not review.freezes.exists()


def test_another_app_adds_or_replaces_a_section(make_review, manager):
    def audit_results(since, until):
        return {"summary": "2 internal audits", "figures": [("Audits completed", 2)]}

    original = next(s for s in inputs.input_sources() if s.key == "audit_results")
    position = inputs.input_sources().index(original)
    inputs.add_input_source("audit_results", "Audit results", audit_results)
    try:
        review = make_review()
        review = freeze_inputs(review, actor=manager, expected_version=review.version)
        audits = review.current_inputs.sections[position]
        assert audits["key"] == "audit_results" and audits["available"] is True
        assert audits["figures"] == [["Audits completed", "2"]]
    finally:
        inputs.add_input_source(original.key, original.title, original.builder)


def test_a_failing_source_is_reported_in_its_section_not_as_an_error(make_review, manager):
    def broken(since, until):
        raise RuntimeError("database of feedback unreachable")

    inputs.add_input_source("test_broken", "Broken source", broken)
    try:
        review = make_review()
        review = freeze_inputs(review, actor=manager, expected_version=review.version)
        assert "Could not be compiled (RuntimeError)" in section(review, "test_broken")["summary"]
    finally:
        inputs._sources[:] = [s for s in inputs._sources if s.key != "test_broken"]


def test_compiling_takes_the_same_queries_however_many_records(registers_with_records, make_risk, owner,
                                                               django_assert_max_num_queries):  # fmt: skip
    since, until = clock.today() - dt.timedelta(days=365), clock.today()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        inputs.compile_inputs(since, until)
    for n in range(5):
        make_risk(title=f"Extra risk {n}")
        context_issues.services.create(
            actor=owner, fields={"title": f"Issue {n}", "side": "internal", "category": "social"}
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        inputs.compile_inputs(since, until)
    assert Change.objects.count() > 0

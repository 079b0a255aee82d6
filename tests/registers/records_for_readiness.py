"""Records built through the services, as people make them, for the certification readiness and
stakeholder report tests (not a test module itself)."""

import datetime as dt
from decimal import Decimal

from aims import publishing
from aims.models import Requirement
from lifecycle.standard import ai_systems, soa, soa_entries
from lifecycle.standard.impact_assessments import services as impact_assessments
from lifecycle.standard.impact_assessments.harms import add_harm
from lifecycle.standard.kpis import services as kpis
from registers.standard import documents, policies, scope
from tests import clock


def req(code):
    return Requirement.objects.mappable().get(code=code)


def published(record, owner, board):
    record = publishing.submit(record, actor=owner, expected_version=record.version)
    record = publishing.approve(record, actor=board, expected_version=record.version)
    return publishing.publish(record, actor=owner, expected_version=record.version)


def scope_statement(owner, board, publish=True, **overrides):
    fields = {
        "title": "AIMS scope: retail lending",
        "boundaries": "The retail lending division in Lisbon.",
        "systems_in_scope": "Credit scoring; chatbot",
        "ai_roles": ["producer"],
        "next_review_on": clock.today() + dt.timedelta(days=90),
        **overrides,
    }
    record = scope.services.create(actor=owner, fields=fields)
    return published(record, owner, board) if publish else record


def ai_policy(owner, board, publish=True, **overrides):
    fields = {
        "title": "AI policy",
        "kind": "ai_policy",
        "purpose": "We use AI lawfully, fairly and under human oversight.",
        "body": "1. Commitment\nWe use AI lawfully.",
        "next_review_on": clock.today() + dt.timedelta(days=90),
        **overrides,
    }
    record = policies.services.create(actor=owner, fields=fields)
    return published(record, owner, board) if publish else record


def document(owner, approver, *codes, status="approved", **overrides):
    fields = {
        "title": f"Procedure for {', '.join(codes) or 'the AIMS'}",
        "kind": "procedure",
        "status": status,
        "approver": approver if status == "approved" else None,
        "next_review_on": clock.today() + dt.timedelta(days=90),
        **overrides,
    }
    return documents.services.create(actor=owner, fields=fields, requirements=[req(c) for c in codes])


def system(owner, **overrides):
    fields = {
        "title": "Credit scoring",
        "purpose": "Scores applications for consumer loans.",
        "kind": "ml",
        "origin": "in_house",
        "ai_role": "producer",
        "automation": "in_loop",
        "criticality": 4,
        **overrides,
    }
    return ai_systems.services.create(actor=owner, fields=fields)


def approved_assessment(system, owner, board, *harms):
    record = impact_assessments.services.create(
        actor=owner, fields={"title": f"Impact of {system.title}", "system": system, "scope": "All uses."}
    )
    for affected in harms:
        record = add_harm(
            record, actor=owner, expected_version=record.version, description=f"Harm to {affected}",
            affected=affected, likelihood=2, severity=3, reversibility="reversible",
        )  # fmt: skip
    record = publishing.submit(record, actor=owner, expected_version=record.version)
    return impact_assessments.approve(record, actor=board, expected_version=record.version)


def approved_soa(owner, board, *, every_control=True):
    statement = soa.services.create(actor=owner, fields={"title": "Statement of Applicability"})
    if every_control:
        for control in Requirement.objects.mappable().filter(kind="control"):
            soa_entries.services.create(
                actor=owner,
                fields={"control": control, "applicable": True, "justification": "Needed for our risks."},
            )
    statement = publishing.submit(statement, actor=owner, expected_version=statement.version)
    return publishing.approve(statement, actor=board, expected_version=statement.version)


def kpi(owner, *, measured=True, **overrides):
    fields = {
        "title": "Approval-rate parity",
        "metric": "Ratio of approval rates",
        "direction": "higher",
        "target": Decimal("0.9"),
        "warning": Decimal("0.85"),
        "breach": Decimal("0.8"),
        "frequency_days": 30,
        **overrides,
    }
    record = kpis.services.create(actor=owner, fields=fields)
    if measured:
        kpis.record_measurement(record, actor=owner, value=Decimal("0.95"), source="ui")
    return record

"""The implementation roadmap is computed from the records: a step moves only when records say so."""

import datetime as dt

from aims import publishing
from registers import readiness
from registers.roadmap import DONE, IN_PROGRESS, NOT_STARTED, steps
from registers.standard import policies, scope
from tests.base import client_for


def by_title():
    return {s.title: s for s in steps()}


def test_an_empty_aims_has_not_started_anything_and_links_to_where_to_begin(auditor):
    assert {s.status for s in steps()} == {NOT_STARTED}
    page = client_for(auditor).get("/roadmap/").content.decode()
    assert "0 of 9 done" in page and "/readiness/new/" in page and "template=ai-policy" in page


def test_readiness_moves_from_started_to_done_with_the_records(owner):
    assessment = readiness.services.create(
        actor=owner, fields={"title": "Baseline", "assessed_on": dt.date(2026, 1, 10)}
    )
    assert by_title()["Readiness assessment"].status == IN_PROGRESS
    data = {f"maturity-{a.pk}": "3" for a in assessment.answers.all()}
    data[f"maturity-{assessment.answers.first().pk}"] = "1"
    assessment = readiness.save_answers(assessment, actor=owner, expected_version=1, data=data)
    assessment = readiness.services.update(
        assessment, actor=owner, expected_version=assessment.version, fields={"status": "complete"}
    )
    readiness.raise_actions(assessment, actor=owner)
    step = by_title()["Readiness assessment"]
    assert step.status == DONE and step.missing == []


def test_strategy_needs_a_published_ai_policy_not_a_draft(owner, board):
    policy = policies.services.create(
        actor=owner, fields={"title": "AI policy", "kind": "ai_policy", "body": "x"}
    )
    assert by_title()["Strategy and policy"].status == NOT_STARTED
    policy = publishing.submit(policy, actor=owner, expected_version=1)
    policy = publishing.approve(policy, actor=board, expected_version=policy.version)
    publishing.publish(policy, actor=owner, expected_version=policy.version)
    step = by_title()["Strategy and policy"]
    assert step.status == IN_PROGRESS and [w for w, _ in step.missing] == ["AI objectives"]


def test_governance_counts_a_published_scope(owner, board):
    record = scope.services.create(
        actor=owner, fields={"title": "Scope", "boundaries": "All", "systems_in_scope": "Chatbot"}
    )
    record = publishing.submit(record, actor=owner, expected_version=1)
    record = publishing.approve(record, actor=board, expected_version=record.version)
    publishing.publish(record, actor=owner, expected_version=record.version)
    steps_now = by_title()
    assert steps_now["Governance structure"].status == IN_PROGRESS
    assert steps_now["Prioritised AI systems"].status == IN_PROGRESS  # systems named, no risks yet

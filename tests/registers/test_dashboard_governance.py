"""The dashboard's governance panel (policies, acknowledgements, training) and the catalogue's
back-links for the clause 4-7 registers."""

import datetime as dt

from django.utils import timezone

from aims import publishing, roles
from aims.models import Requirement
from registers.models import Course, TrainingRecord
from registers.standard import policies, training
from tests.base import client_for, dashboard_html


def _published_policy(owner, board, **fields):
    policy = policies.services.create(
        actor=owner,
        fields={"title": "AI policy", "kind": "ai_policy", "body": "We use AI lawfully.", **fields},
    )
    policy = publishing.submit(policy, actor=owner, expected_version=1)
    policy = publishing.approve(policy, actor=board, expected_version=policy.version)
    return publishing.publish(policy, actor=owner, expected_version=policy.version)


def test_without_an_ai_policy_the_manager_is_told_and_pointed_to_the_template(manager):
    page = dashboard_html(client_for(manager))
    assert "No AI policy is published." in page and "/policies/new/?template=ai-policy" in page


def test_outstanding_acknowledgements_count_and_mine_are_listed(owner, board, auditor, manager):
    """The manager follows who has not acknowledged; each person asked finds theirs on their dashboard."""
    policy = _published_policy(owner, board, acknowledge_roles=[roles.AUDITOR, roles.BOARD])
    page = dashboard_html(client_for(manager))
    assert f'AI policy in force: <a href="/policies/{policy.reference}/">{policy.reference} v1</a>' in page
    outstanding = 'href="/policies/?acknowledgement=outstanding"><strong>1</strong> policy in force not yet'
    assert outstanding in page
    page = dashboard_html(client_for(auditor))
    assert 'Policies to acknowledge <small><a class="figure" id="acks-mine" data-count="1"' in page
    assert f'<a href="/policies/{policy.reference}/">{policy.reference}</a> AI policy v1' in page
    listed = client_for(auditor).get("/policies/?acknowledgement=mine").content.decode()
    assert policy.reference in listed and 'data-total="1"' in listed
    policies.acknowledge(policy, actor=auditor)
    assert "Policies to acknowledge" not in dashboard_html(client_for(auditor))  # nothing waits: no panel
    assert outstanding in dashboard_html(client_for(manager))  # the board has not acknowledged yet
    assert 'data-total="0"' in client_for(auditor).get("/policies/?acknowledgement=mine").content.decode()
    policies.acknowledge(policy, actor=board)
    assert "<strong>0</strong> policies in force not yet" in dashboard_html(client_for(manager))


def test_training_gaps_count_expired_and_expiring_with_links(manager, owner):
    course = Course.objects.create(
        reference="CRS-9001",
        title="Fairness testing",
        owner=manager,
        valid_months=12,
        created_by=manager,
        updated_by=manager,
    )
    today = timezone.localdate()
    for days_ago in (400, 330, 10):
        training.services.create(
            actor=manager,
            fields={"person": owner, "course": course, "completed_on": today - dt.timedelta(days=days_ago)},
        )
    assert TrainingRecord.objects.count() == 3
    page = dashboard_html(client_for(manager))
    assert 'data-count="1" href="/training/?expiry=expired"><strong>1</strong> expired' in page
    assert (
        'data-count="1" href="/training/?expiry=expiring"><strong>1</strong> expiring within 60 days' in page
    )


def test_the_governance_panel_query_count_does_not_grow_with_policies(
    owner, board, django_assert_max_num_queries
):
    client = client_for(board)
    url = "/dashboard/panels/governance_panel/"
    client.get(url)
    with django_assert_max_num_queries(12) as first:
        client.get(url)
    for n in range(5):
        _published_policy(owner, board, title=f"Policy {n}", acknowledge_roles=[roles.OWNER, roles.BOARD])
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_my_work_is_one_query_however_many_registers_hold_due_records(
    owner, make_risk, django_assert_num_queries
):
    from aims.views.core import my_due_records

    today = timezone.localdate()
    make_risk(title="Due risk", next_review_on=today - dt.timedelta(days=1))
    policies.services.create(
        actor=owner, fields={"title": "Due policy", "kind": "ethics", "body": "x", "next_review_on": today}
    )
    with django_assert_num_queries(1):
        found = my_due_records(owner, today)
    assert {info.label: ([r[1] for r in rows], total) for info, rows, total in found} == {
        "AI risks": (["Due risk"], 1),
        "Policies": (["Due policy"], 1),
    }
    page = client_for(owner).get("/").content.decode()
    assert "Policies I own that are due for review" in page and "Due policy" in page


def test_my_work_counts_every_due_record_and_links_to_all_of_them(owner, make_risk):
    """Five are shown; the figure counts all twelve, and the list it opens holds the same twelve."""
    today = timezone.localdate()
    for n in range(12):
        make_risk(title=f"Due risk {n}", next_review_on=today + dt.timedelta(days=n % 3 - 1))
    make_risk(title="Not due", next_review_on=today + dt.timedelta(days=200))
    client = client_for(owner)
    page = client.get("/").content.decode()
    link = 'data-count="12" href="/risks/?mine=true&amp;review=due_or_overdue">All 12 AI risks of mine'
    assert link in page and page.count("Due risk") == 5
    assert 'data-total="12"' in client.get("/risks/?mine=true&review=due_or_overdue").content.decode()


def test_an_unknown_panel_is_404(board):
    assert client_for(board).get("/dashboard/panels/nonsense/").status_code == 404


def test_a_clause_page_lists_the_policies_and_scope_mapped_to_it(owner, auditor):
    policy = policies.services.create(
        actor=owner,
        fields={"title": "AI ethics principles", "kind": "ethics", "body": "Fair."},
        requirements=[Requirement.objects.get(code="5.2", standard__key="iso42001")],
    )
    page = client_for(auditor).get("/catalogue/iso42001:5.2/").content.decode()
    assert policy.reference in page and "AI ethics principles" in page


def test_my_work_gives_the_same_answer_where_a_union_cannot_limit(owner, make_risk, monkeypatch):
    """SQLite (make run's embedded database) takes the one-query-per-register path."""
    from django.db import connection

    from aims.views.core import my_due_records

    today = timezone.localdate()
    make_risk(title="Due risk", next_review_on=today)
    union = [(info.label, rows, total) for info, rows, total in my_due_records(owner, today)]
    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", False)
    monkeypatch.setattr("aims.prepared._KEPT", {})  # not the UNION kept from the call above
    assert [(info.label, rows, total) for info, rows, total in my_due_records(owner, today)] == union

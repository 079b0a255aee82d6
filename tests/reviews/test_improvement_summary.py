"""Figures for the management review, the dashboard panel, queries that do not grow, and the demo."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.improvement import add_action, ca_services, check_effectiveness, pa_services
from reviews.models import CorrectiveAction, Feedback, Lesson, Nonconformity, PreventiveAction
from reviews.selectors import improvement_summary
from reviews.standard.feedback import services as feedback_services
from reviews.standard.feedback import triage
from tests import clock
from tests.base import client_for, dashboard_html

from .conftest import WHY, days


def test_summary_counts_the_period_in_plain_json(make_nc, make_ca, done_ca, owner, manager, other_owner):
    make_nc(grade="minor", source="audit", source_note="AUD-1")
    check_effectiveness(
        done_ca, actor=manager, expected_version=done_ca.version, result="effective", notes="ok"
    )
    late = ca_services.update(make_ca(), actor=owner, expected_version=1, fields=WHY)
    add_action(late, actor=owner, expected_version=late.version, description="Late", owner=owner.username,
               due_on=days(-4).isoformat())  # fmt: skip
    pa_services.create(actor=owner, fields={"title": "p", "source": "trend", "trend": "t", "description": "d",
                                            "due_on": days(-1)})  # fmt: skip
    item = feedback_services.create(actor=other_owner, fields={"title": "f", "channel": "email",
                                                               "received_on": clock.today(), "summary": "s"})  # fmt: skip
    triage(item, actor=manager, expected_version=1, outcome="lesson", reason="Explain declines plainly.")

    summary = improvement_summary(days(-7), clock.today())
    assert json.loads(json.dumps(summary)) == summary
    ncs = summary["nonconformities"]
    assert ncs["opened"] == 3 and ncs["opened_by_grade"] == {"major": 2, "minor": 1}
    assert ncs["opened_by_source"]["audit"] == 1 and ncs["opened_by_source"]["other"] == 2
    assert ncs["closed"] == 1 and ncs["closed_by_grade"]["major"] == 1 and ncs["open_now"] == 2
    assert summary["corrective_actions"]["overdue"] == 1
    assert summary["corrective_actions"]["effectiveness"] == {"effective": 1, "not_effective": 0}
    assert summary["preventive_actions"] == {"raised": 1, "done": 0, "open": 1, "overdue": 1}
    assert summary["lessons"]["recorded"] == 1
    assert summary["feedback"]["received"] == 1 and summary["feedback"]["by_outcome"]["lesson"] == 1

    before = improvement_summary(days(-30), days(-8))
    assert before["nonconformities"]["opened"] == 0 and before["feedback"]["received"] == 0
    with pytest.raises(ValueError):
        improvement_summary(clock.today(), days(-1))


def test_summary_takes_a_fixed_number_of_queries(make_nc):
    make_nc()
    with CaptureQueriesContext(connection) as few:
        improvement_summary(days(-7), clock.today())
    for _ in range(5):
        make_nc()
    with CaptureQueriesContext(connection) as many:
        improvement_summary(days(-7), clock.today())
    assert len(few) == len(many)


def test_dashboard_panel_shows_open_by_grade_overdue_and_checks_due(make_ca, done_ca, owner, board):
    late = ca_services.update(make_ca(title="Supplier clause"), actor=owner, expected_version=1, fields=WHY)
    add_action(late, actor=owner, expected_version=late.version, description="Late", owner=owner.username,
               due_on=days(-4).isoformat())  # fmt: skip
    html = dashboard_html(client_for(board))
    assert "Nonconformities and corrective actions" in html
    assert "<strong>2</strong> open major" in html
    assert "<strong>1</strong> corrective action overdue" in html and "Supplier clause" in html
    assert "<strong>1</strong> effectiveness check due" in html and done_ca.reference in html


def test_list_filters_find_overdue_and_due_checks(make_ca, done_ca, owner):
    late = ca_services.update(make_ca(title="Supplier clause"), actor=owner, expected_version=1, fields=WHY)
    add_action(late, actor=owner, expected_version=late.version, description="Late", owner=owner.username,
               due_on=days(-4).isoformat())  # fmt: skip
    client = client_for(owner)
    overdue = client.get("/api/v1/corrective-actions/?overdue=true").json()["results"]
    assert [r["reference"] for r in overdue] == [late.reference]
    due = client.get("/corrective-actions/?check_due=true").content.decode()
    assert done_ca.reference in due and late.reference not in due
    assert client.get("/corrective-actions/?overdue=maybe").status_code == 200


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/nonconformities/", "/api/v1/nonconformities/", "/corrective-actions/", "/api/v1/corrective-actions/",
     "/corrective-actions/?overdue=true", "/lessons/", "/api/v1/lessons/", "/feedback/", "/api/v1/feedback/",
     "/preventive-actions/", "/api/v1/preventive-actions/"],
)  # fmt: skip
def test_list_queries_do_not_grow_with_rows(url, make_ca, make_incident, owner, board):
    from reviews.standard.lessons import services as lessons

    def add(n):
        for _ in range(n):
            ca = make_ca()
            lessons.create(actor=owner, fields={"title": "l", "what_happened": "w", "learned": "x",
                                                "incidents": [make_incident()],
                                                "nonconformities": [ca.nonconformity]})  # fmt: skip
            feedback_services.create(actor=owner, fields={"title": "f", "channel": "email", "received_on": clock.today(),
                                                          "summary": "s"})  # fmt: skip
            pa_services.create(actor=owner, fields={"title": "p", "source": "trend", "trend": "t",
                                                    "description": "d", "due_on": days(3)})  # fmt: skip

    client = client_for(board)
    add(2)
    client.get(url)
    few = queries_for(client, url)
    add(12)
    many = queries_for(client, url)
    assert many == few, f"{url}: {few} queries with 2 rows, {many} with 14"
    assert many <= 14, f"{url}: {many} queries"


def test_record_pages_take_few_queries(done_ca, board):
    client = client_for(board)
    for url in (f"/corrective-actions/{done_ca.reference}/", f"/nonconformities/{done_ca.nonconformity.reference}/",
                f"/api/v1/corrective-actions/{done_ca.reference}/"):  # fmt: skip
        assert queries_for(client, url) <= 16, url


def test_the_demo_tells_the_improvement_story_and_runs_twice(db):
    call_command("seed_demo", verbosity=0)
    closed = Nonconformity.objects.get(grade="major", source="incident")
    assert closed.status == "closed" and closed.incident.serious
    ca = CorrectiveAction.objects.get(nonconformity=closed)
    assert len(ca.whys) == 4 and ca.check_result == "effective" and ca.checked_by != ca.owner
    still_open = Nonconformity.objects.get(grade="minor", source="kpi")
    assert still_open.is_open
    assert (
        still_open.corrective_actions.get().actions.filter(status="open", due_on__lt=clock.today()).exists()
    )
    # the internal audit's minor finding, carried into 10.2 (the certification body's has its own, untreated)
    from_audit = Nonconformity.objects.get(source="audit", audit__kind="internal")
    assert from_audit.finding.grade == "minor_nc" and from_audit.corrective_actions.get().whys
    assert PreventiveAction.objects.filter(risk__isnull=False).count() == 1
    assert Lesson.objects.count() >= 3 and Feedback.objects.count() == 2
    counts = [
        m.objects.count() for m in (Nonconformity, CorrectiveAction, PreventiveAction, Lesson, Feedback)
    ]
    call_command("seed_demo", verbosity=0)
    assert counts == [
        m.objects.count() for m in (Nonconformity, CorrectiveAction, PreventiveAction, Lesson, Feedback)
    ]
    assert (
        dt.date.fromisoformat(improvement_summary(days(-30), clock.today())["period"]["until"])
        == clock.today()
    )

"""Certification readiness, the framework: checks plugged in through the registry, percentages per clause
and overall, SoA exclusions, the page, the API, the board's dashboard panel, and constant query counts."""

import json

import pytest
from django.test import RequestFactory

from aims import certification
from aims.api.fields import absolute_links
from aims.certification import MET, MISSING, PARTIAL, met, missing, partial, readiness
from aims.registry import registry
from tests.base import client_for, dashboard_html
from tests.registers import records_for_readiness as build


@pytest.fixture(autouse=True)
def _no_snapshot():
    """The panel's snapshot lives in Redis, which outlives each test's rolled-back database."""
    from django.core.cache import cache

    cache.delete(certification.SNAPSHOT_KEY)
    yield
    cache.delete(certification.SNAPSHOT_KEY)


@pytest.fixture
def only(monkeypatch):
    """Replace every registered check by the ones a test names (the registry is restored after)."""
    monkeypatch.setattr(registry, "readiness_checks", {})
    monkeypatch.setattr(registry, "control_applicability", None)

    def add(*rows):
        for key, code, result in rows:
            registry.add_readiness_check(code, f"Check {key}", lambda today, r=result: r, key=key)

    return add


def test_percentages_per_clause_and_overall(db, only):
    only(
        ("4.3", "4.3", met("Scope published.")),
        ("4.4", "4.4", missing("No manual.", ("Documents", "/documents/"))),
        ("6.1.3-soa", "6.1.3", partial("SoA in review.")),
        ("6.1.3-plan", "6.1.3", met("Accepted.")),
        ("A.2.2", "A.2.2", met("Policy in force.")),
    )
    data = readiness()
    sections = {s["key"]: s for s in data["sections"]}
    assert [s["key"] for s in data["sections"]] == ["4", "6", "A"]
    assert sections["4"]["percent"] == 50 and sections["4"]["title"] == "Clause 4 Context of the organization"
    assert sections["6"]["percent"] == 75 and sections["A"]["percent"] == 100
    assert data["percent"] == 70  # (1 + 0 + 0.5 + 1 + 1) / 5
    assert data["counts"] == {MET: 3, PARTIAL: 1, MISSING: 1}
    assert [g["key"] for g in data["gaps"]] == ["4.4", "6.1.3-soa"]  # missing before partly met
    assert data["gaps"][0]["links"] == [{"label": "Documents", "url": "/documents/"}]
    assert data["gaps"][0]["requirement_url"] == "/catalogue/iso42001:4.4/"
    assert [w["key"] for w in data["worst"]] == ["4", "6"]  # a section at 100% is never "worst"
    assert data["worst"][0]["url"] == "/certification/readiness/#section-4"
    json.dumps(data)  # plain data: the API and the evidence pack's index take it as it is


def test_a_check_registered_again_under_its_key_replaces_the_old_one(db, only):
    only(("9.2.2", "9.2.2", missing("No register for this documented information yet.")))
    registry.add_readiness_check("9.2.2", "Audit programme", lambda today: met("Programme approved."))
    rows = readiness()["sections"][0]["checks"]
    assert len(rows) == 1 and rows[0]["status"] == MET and rows[0]["title"] == "Audit programme"


def test_controls_the_soa_excludes_are_not_counted(db, only, monkeypatch):
    only(("A.2.2", "A.2.2", met("ok")), ("A.10.4", "A.10.4", missing("no customers process")))
    monkeypatch.setattr(registry, "control_applicability", lambda today: {"A.10.4": False, "A.2.2": True})
    data = readiness()
    assert data["percent"] == 100 and data["excluded_controls"] == ["A.10.4"] and not data["gaps"]


def test_an_empty_organisation_is_missing_everything_with_a_link_to_start(db):
    data = readiness()
    keys = [c["key"] for s in data["sections"] for c in s["checks"]]
    clause_rows = [k for k in keys if not k.startswith("A.")]
    assert (
        len(clause_rows) >= 35 and "4.1-prohibited" in clause_rows
    )  # every documented item, the Art. 5 screen
    assert len([k for k in keys if k.startswith("A.")]) == 38  # no SoA yet: every control counts
    assert data["percent"] == 0 and data["counts"][MISSING] == len(keys)  # nothing is met or partly met
    assert [s["key"] for s in data["sections"]] == ["4", "5", "6", "7", "8", "9", "10", "A"]
    for row in data["gaps"]:
        assert row["reason"]
        assert row["links"], row["key"]  # every gap says where to fix it
    check_and_act = {r["key"]: r["reason"] for r in data["gaps"] if r["key"] in ("9.2.2", "9.3.3", "10.2")}
    assert check_and_act == {
        "9.2.2": "No internal audit programme has been planned.",
        "9.3.3": "No management review has been held.",
        "10.2": "No nonconformities recorded, and no internal audit reported to look for them.",
    }


def _org(manager, board, owner, n):
    """An organisation with `n` of most things, built through the services."""
    build.scope_statement(owner, board)
    build.ai_policy(owner, board)
    for i in range(n):
        system = build.system(owner, title=f"System {i}", intended_use="Loan decisions.")
        build.approved_assessment(system, owner, board, "groups", "society")
        build.document(owner, manager, "4.4", "A.8.2", title=f"Manual part {i}")
        build.kpi(owner, title=f"KPI {i}", system=system)


def test_queries_do_not_grow_with_the_records(manager, board, owner, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _org(manager, board, owner, 1)
    with CaptureQueriesContext(connection) as few:
        small = readiness()
    _org(manager, board, owner, 4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = readiness()
    # every clause judged from its register (7.2 person by person, 9.2.2 over the programme's cycle), the
    # SoA's judgement of each control and its evidence: about one query per row, however many records
    assert len(few.captured_queries) <= 70
    assert small["counts"] != large["counts"] or small["percent"] <= large["percent"]


@pytest.mark.parametrize(
    "role,status", [("manager", 200), ("board", 200), ("owner", 200), ("auditor", 200), ("outsider", 403)]
)
def test_the_page_by_role(db, request, role, status):
    response = client_for(request.getfixturevalue(role)).get("/certification/readiness/")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Certification readiness" in page and 'id="section-4"' in page and 'id="section-A"' in page
        assert "No scope statement recorded." in page and 'href="/scope/new/"' in page


def test_the_page_is_in_the_check_menu(owner):
    page = client_for(owner).get("/").content.decode()
    assert 'href="/certification/readiness/"' in page


@pytest.mark.parametrize(
    "role,shown", [("board", True), ("manager", True), ("auditor", False), ("owner", False)]
)
def test_the_dashboard_panel_by_role(db, request, role, shown):
    certification.refresh_snapshot()  # as Celery beat does every 15 minutes
    html = dashboard_html(client_for(request.getfixturevalue(role)))
    assert ("Certification readiness" in html and "Furthest from ready" in html) == shown


def test_the_panel_shows_the_overall_percentage_and_worst_clauses(manager, board, owner):
    build.scope_statement(owner, board)
    build.ai_policy(owner, board)
    data = certification.refresh_snapshot()
    panel = client_for(board).get("/dashboard/panels/readiness_panel/").content.decode()
    assert f">{data['percent']}%</a>" in panel
    assert data["worst"][0]["title"] in panel and data["worst"][0]["url"] in panel
    assert data["gaps"][0]["links"][0]["url"] in panel


def _row(data, key):
    return next(c for s in data["sections"] for c in s["checks"] if c["key"] == key)


def test_the_api_returns_the_same_structure(manager, board, owner):
    build.scope_statement(owner, board)
    client = client_for(board)
    data = client.get("/api/v1/certification-readiness/").json()
    # The same figures as the page; its links absolute, as every link of the API.
    expected = absolute_links(readiness(), RequestFactory().get("/"))
    assert data == json.loads(json.dumps(expected))
    assert _row(data, "4.3")["links"][0]["url"].startswith("http://testserver/")
    assert _row(data, "4.3")["status"] == MET


def test_the_api_judges_on_a_given_date_and_names_a_bad_one(manager, board, owner):
    build.scope_statement(owner, board)  # its review falls 90 days from today
    client = client_for(board)
    later = client.get("/api/v1/certification-readiness/?as_of=2099-01-01").json()
    assert later["as_of"] == "2099-01-01" and _row(later, "4.3")["status"] == PARTIAL
    bad = client.get("/api/v1/certification-readiness/?as_of=yesterday")
    assert bad.status_code == 400 and "as_of must be a date written YYYY-MM-DD" in json.dumps(bad.json())


def test_the_api_refuses_who_may_not_see_it(outsider):
    assert client_for(outsider).get("/api/v1/certification-readiness/").status_code == 403


def test_readiness_is_callable_outside_a_request_for_the_evidence_pack(db):
    data = certification.readiness()
    assert set(data) == {"as_of", "percent", "counts", "sections", "gaps", "worst", "excluded_controls"}
    assert set(data["sections"][0]["checks"][0]) == {
        "key", "code", "title", "status", "status_label", "reason", "links", "requirement_url",
    }  # fmt: skip


def test_the_panel_reads_the_snapshot_in_a_few_queries(board, django_assert_max_num_queries):
    client = client_for(board)
    client.get("/")  # warm the per-process caches (menu, permissions)
    with django_assert_max_num_queries(4):
        pending = client.get("/dashboard/panels/readiness_panel/").content.decode()
    assert "Not worked out yet" in pending and 'href="/certification/readiness/"' in pending
    client.get("/certification/readiness/")  # opening the page refreshes the snapshot
    with django_assert_max_num_queries(4):
        panel = client.get("/dashboard/panels/readiness_panel/").content.decode()
    assert 'data-testid="readiness-overall" data-key="readiness" data-percent="0">0%</a>' in panel
    assert "As of" in panel


def test_the_beat_task_refreshes_the_snapshot(db):
    from aims.tasks import readiness_snapshot

    assert certification.snapshot() is None
    readiness_snapshot()
    assert certification.snapshot()["percent"] == 0 and certification.snapshot()["computed_at"]

"""The management review API: bad input is a 400 naming the field and changes nothing; actions, the
frozen inputs and history through the API; query counts that do not grow with rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import ManagementReview, ReviewAction
from tests import clock
from tests.base import client_for
from tests.reviews.management_review_helpers import *  # noqa: F403  fixtures
from tests.reviews.management_review_helpers import api_review, held

API = "/api/v1/management-reviews/"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"cadence_months": 24}, "cadence_months"),
        ({"cadence_months": -1}, "cadence_months"),
        ({"period_to": "2001-01-01"}, "period_to"),  # ends before the period begins
        ({"scheduled_on": "next Tuesday"}, "scheduled_on"),
        ({"chair": "nobody-by-that-name"}, "chair"),
        ({"attendees": ["boris", "ghost"]}, "attendees"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(change, field, manager, board):
    response = post(client_for(manager), API, {**api_review(), **change})
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ManagementReview.objects.exists()


def test_a_good_review_is_created_with_people_by_username(manager, board, owner):
    response = post(client_for(manager), API, {**api_review(), "attendees": ["olivia"]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["chair"] == "boris" and body["attendees"] == ["olivia"] and body["status"] == "planned"
    assert body["cadence_months"] == 12 and body["owner"] == "maria"


def test_status_and_sign_off_cannot_be_written_directly(make_review, manager):
    review = make_review()
    response = client_for(manager).patch(
        f"{API}{review.reference}/",
        {"status": "signed_off", "signed_off_by": "boris", "version": review.version},
        content_type="application/json",
    )
    review.refresh_from_db()
    assert response.status_code == 200 and review.status == "planned" and review.signed_off_by is None


def test_freeze_record_meeting_and_read_inputs_through_the_api(make_review, manager):
    review = make_review()
    client = client_for(manager)
    frozen = post(client, f"{API}{review.reference}/freeze/", {"version": review.version})
    assert frozen.status_code == 200 and frozen.json()["status"] == "inputs_frozen"
    bad_date = post(
        client, f"{API}{review.reference}/record-meeting/",
        {"version": frozen.json()["version"], "held_on": "31/12/2025", "minutes": "Done."},
    )  # fmt: skip
    assert bad_date.status_code == 400 and "held_on" in bad_date.json()
    unknown = post(
        client, f"{API}{review.reference}/record-meeting/",
        {"version": frozen.json()["version"], "held_on": clock.today().isoformat(), "minutes": "Done.", "present": "ghost"},
    )  # fmt: skip
    assert unknown.status_code == 400 and "ghost" in unknown.json()["present"][0]
    no_minutes = post(
        client, f"{API}{review.reference}/record-meeting/",
        {"version": frozen.json()["version"], "held_on": clock.today().isoformat()},
    )  # fmt: skip
    assert no_minutes.status_code == 400 and "minutes" in no_minutes.json()
    review.refresh_from_db()
    assert review.status == "inputs_frozen" and review.held_on is None
    held_now = post(
        client, f"{API}{review.reference}/record-meeting/",
        {"version": frozen.json()["version"], "held_on": clock.today().isoformat(), "minutes": "All inputs reviewed."},
    )  # fmt: skip
    assert held_now.status_code == 200, held_now.content
    assert held_now.json()["status"] == "held" and sorted(held_now.json()["attendees_present"]) == [
        "boris",
        "maria",
    ]
    inputs = client.get(f"{API}{review.reference}/inputs/").json()["results"]
    assert inputs[0]["number"] == 1 and inputs[0]["sections"][0]["key"] == "previous_actions"
    history = client.get(f"{API}{review.reference}/history/").json()["results"]
    assert [h["version"] for h in history] == [3, 2, 1]


def test_an_action_with_a_bad_due_date_or_kind_is_refused(held_review, owner):
    client = client_for(owner)
    base = {
        "title": "Fund the analyst",
        "review": held_review.reference,
        "kind": "resources",
        "due_on": "2026-13-01",
    }
    assert "due_on" in post(client, "/api/v1/review-actions/", base).json()
    assert (
        "kind"
        in post(
            client, "/api/v1/review-actions/", {**base, "due_on": clock.today().isoformat(), "kind": "x"}
        ).json()
    )
    wrong = post(
        client, "/api/v1/review-actions/", {**base, "due_on": clock.today().isoformat(), "review": "MR-9999"}
    )
    assert wrong.status_code == 400 and "review" in wrong.json()
    assert not ReviewAction.objects.exists()


def test_actions_filter_by_review_and_overdue(held_review, make_action, auditor):
    import datetime as dt

    late = make_action(held_review, due_on=clock.today() - dt.timedelta(days=2))
    make_action(held_review, title="Not late")
    client = client_for(auditor)
    found = client.get(f"/api/v1/review-actions/?review={held_review.reference}&overdue=true").json()[
        "results"
    ]
    assert [a["reference"] for a in found] == [late.reference]
    assert client.get("/review-actions/?overdue=maybe").status_code == 200  # bad filter input is not a 500


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


PAGES = [
    "/management-reviews/",
    "/management-reviews/?export=csv",
    API,
    "/review-actions/",
    "/api/v1/review-actions/",
]


@pytest.mark.parametrize("url", PAGES)
def test_queries_do_not_grow_with_rows(url, make_review, make_action, manager, owner, board):
    client = client_for(board)

    def add(n):
        for i in range(n):
            review = held(make_review(title=f"Review {i}", attendees=[manager, owner]), manager)
            make_action(review)

    add(2)
    client.get(url)
    few = queries_for(client, url)
    add(6)
    many = queries_for(client, url)
    assert many == few, f"{url}: {few} queries with 2 reviews, {many} with 8"
    assert many <= 14, f"{url}: {many} queries"


def test_the_review_page_takes_a_bounded_number_of_queries(held_review, make_action, board):
    for n in range(5):
        make_action(held_review, title=f"Action {n}")
    client = client_for(board)
    for tab in ("details", "history", "links"):
        assert queries_for(client, f"/management-reviews/{held_review.reference}/?tab={tab}") <= 25, tab


@pytest.mark.slow
def test_no_input_to_the_review_endpoints_gives_a_server_error(held_review, make_action, manager):
    """The schemathesis run of tests/test_api_fuzz.py, only over this app's endpoints and with a held
    review and an action to find, so the detail routes and actions are exercised too."""
    import schemathesis
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections
    from hypothesis import HealthCheck, given, settings

    from aims.models import ApiToken

    make_action(held_review)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        headers = {"Authorization": f"Bearer {ApiToken.issue(user=manager, name='fuzz')[1]}"}
        schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), headers=headers)
        schema = schema.include(path_regex="management-reviews|review-actions")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 15

        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            def check(case):
                case.call_and_validate(headers=headers, checks=[schemathesis.checks.not_a_server_error])

            check()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

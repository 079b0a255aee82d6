"""Management reviews and their actions (ISO/IEC 42001 9.3): every role against every page and the API,
and the rules of scheduling (cadence at least yearly, a period that ends after it starts)."""

import pytest
from django.core.exceptions import ValidationError

from reviews.models import ManagementReview, ReviewAction
from tests import base, clock
from tests.base import RegisterRoleMatrix, client_for, form_data_for
from tests.reviews.management_review_helpers import *  # noqa: F403  fixtures
from tests.reviews.management_review_helpers import api_review

# The AIMS manager schedules management reviews; owners see them and change only those they own.
REVIEW_EXPECT = {
    "view": base.EXPECT["view"],
    "change": base.EXPECT["change"],
    "create": {**{role: 403 for role in base.ROLES}, "manager": 201},
}


class TestManagementReviewRoles(RegisterRoleMatrix):
    model = ManagementReview
    url_prefix = "management-reviews"
    api_prefix = "/api/v1/management-reviews/"
    expect = REVIEW_EXPECT

    @pytest.fixture
    def record(self, make_review, owner):
        return make_review(owner=owner)

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return api_review("Half-year management review")


class TestReviewActionRoles(RegisterRoleMatrix):
    model = ReviewAction
    url_prefix = "review-actions"
    api_prefix = "/api/v1/review-actions/"

    @pytest.fixture
    def record(self, held_review, make_action):
        return make_action(held_review)

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self, held_review):
        return {
            "title": "Add the fraud model to the SoA review",
            "review": held_review.reference,
            "kind": "change",
            "due_on": clock.today().isoformat(),
        }


def test_an_owner_may_not_schedule_a_review_and_is_told_who_may(owner):
    response = client_for(owner).get("/management-reviews/new/")
    assert response.status_code == 403
    assert "Only the AIMS manager may create a management review" in response.content.decode()


def test_a_cadence_longer_than_a_year_is_refused_with_a_message(make_review, manager, board):
    with pytest.raises(ValidationError) as refused:
        make_review(cadence_months=18)
    assert "at least once a year" in refused.value.message_dict["cadence_months"][0]
    assert not ManagementReview.objects.exists()

    response = client_for(manager).post(
        "/management-reviews/new/",
        {"title": "Every eighteen months", "scheduled_on": clock.today().isoformat(), "period_from": clock.days(-365).isoformat(),
         "period_to": clock.today().isoformat(), "cadence_months": 18, "chair": board.pk, "owner": manager.pk,
         "review_cadence": 365},
    )  # fmt: skip
    assert response.status_code == 400
    assert "at least once a year" in response.content.decode()
    assert not ManagementReview.objects.exists()


def test_a_yearly_cadence_is_the_default_and_a_quarterly_one_is_accepted(make_review):
    assert make_review().cadence_months == 12
    assert make_review(title="Quarterly review", cadence_months=3).cadence_months == 3


def test_the_period_must_end_after_it_starts(make_review):
    with pytest.raises(ValidationError) as refused:
        make_review(period_from=clock.today(), period_to=clock.days(-365))
    assert "period_to" in refused.value.message_dict


def test_an_output_waits_for_the_meeting(make_review, make_action):
    review = make_review()
    with pytest.raises(ValidationError) as refused:
        make_action(review)
    assert "record the meeting first" in refused.value.message_dict["review"][0]
    assert not ReviewAction.objects.exists()


def test_the_list_exports_csv_and_xlsx(held_review, auditor):
    client = client_for(auditor)
    csv = client.get("/management-reviews/?export=csv")
    assert csv.status_code == 200 and held_review.reference in csv.content.decode()
    xlsx = client.get("/management-reviews/?export=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_an_empty_list_says_what_to_do_first(manager):
    body = client_for(manager).get("/management-reviews/").content.decode()
    assert "Schedule the first one" in body

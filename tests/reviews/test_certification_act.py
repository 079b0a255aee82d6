"""Certification readiness rows of the Act registers, computed from the records: 9.3.3 (management
reviews held and signed off) and 10.2 (nonconformities with their corrective actions); the stakeholder
report's latest review date."""

import datetime as dt

from aims.certification import readiness
from aims.registry import registry
from reviews.certification_checks import latest_review_held, management_review, nonconformities
from reviews.models import Nonconformity
from reviews.services import sign_off
from tests import clock
from tests.reviews.management_review_helpers import *  # noqa: F403  fixtures
from tests.reviews.management_review_helpers import held


def test_the_act_registers_replace_the_placeholder_rows():
    assert registry.readiness_checks["9.3.3"].check is management_review
    assert registry.readiness_checks["10.2"].check is nonconformities
    assert registry.latest_management_review is latest_review_held


def test_management_review_row_from_none_to_held_to_signed_off(
    make_review, make_action, manager, second_board
):
    assert management_review(clock.today()).status == "missing" and latest_review_held() is None
    review = held(make_review(), manager)
    result = management_review(clock.today())
    assert result.status == "partial" and "not signed off" in result.reason
    assert latest_review_held() == clock.today()

    make_action(review)
    review.refresh_from_db()
    sign_off(review, actor=second_board, expected_version=review.version)
    assert management_review(clock.today()).status == "met"
    a_year_later = management_review(clock.today() + dt.timedelta(days=400))
    assert a_year_later.status == "partial" and "over a year ago" in a_year_later.reason


def test_an_empty_nonconformity_log_with_no_audit_to_look_for_them_is_missing(db):
    empty = nonconformities(clock.today())
    assert empty.status == "missing" and "no internal audit reported" in empty.reason


def test_nonconformity_row_met_then_one_left_without_action(make_nc, done_ca):
    assert (
        nonconformities(clock.today()).status == "met"
    )  # done_ca: a nonconformity whose corrective action is done

    old = make_nc(title="Model card missing for the chatbot")
    Nonconformity.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=45))
    late = nonconformities(clock.today())
    assert late.status == "partial" and "1 without a corrective action after 30 days" in late.reason


def test_readiness_shows_the_rows_with_their_reasons(make_nc):
    rows = {c["key"]: c for s in readiness()["sections"] for c in s["checks"]}
    assert (
        rows["9.3.3"]["status"] == "missing"
        and rows["9.3.3"]["reason"] == "No management review has been held."
    )
    assert "No register" not in rows["10.2"]["reason"] and "No register" not in rows["9.2.2"]["reason"]


# -- 9.3.1 planned intervals, 9.3.2 inputs, 10.1 continual improvement ---------------------------------------
def test_9_3_1_reviews_at_planned_intervals_with_the_next_one_planned(make_review, manager):
    from reviews.certification_checks import reviews_at_intervals

    assert reviews_at_intervals(clock.today()).status == "missing"
    held(make_review(), manager)
    result = reviews_at_intervals(clock.today())
    assert result.status == "partial" and "no next review is planned" in result.reason
    upcoming = make_review(title="Next review", scheduled_on=clock.today() + dt.timedelta(days=300))
    result = reviews_at_intervals(clock.today())
    assert result.status == "met" and upcoming.reference in result.reason
    late = reviews_at_intervals(clock.today() + dt.timedelta(days=400))  # the 12-month cadence has passed
    assert late.status == "partial" and "every 12 months" in late.reason


def test_9_3_2_the_latest_review_considered_every_input(make_review, manager):
    from reviews.certification_checks import review_inputs
    from reviews.models import ReviewInputs

    assert review_inputs(clock.today()).status == "missing"
    review = held(make_review(), manager)
    assert (
        review_inputs(clock.today()).status == "met"
        and review.reference in review_inputs(clock.today()).reason
    )
    frozen = ReviewInputs.objects.get(review=review)
    sections = [{**frozen.sections[0], "available": False}, *frozen.sections[1:]]
    ReviewInputs.objects.filter(pk=frozen.pk).update(sections=sections)
    result = review_inputs(clock.today())
    assert result.status == "partial" and sections[0]["title"] in result.reason


def test_10_1_continual_improvement_from_the_improvement_registers(owner, manager):
    from reviews.certification_checks import continual_improvement
    from reviews.improvement import pa_services
    from reviews.standard import feedback, lessons

    assert continual_improvement(clock.today()).status == "missing"
    feedback.services.create(actor=owner, fields={
        "title": "Declines feel random", "channel": "email", "received_on": clock.today() - dt.timedelta(days=45),
        "summary": "Two customers asked why.",
    })  # fmt: skip
    result = continual_improvement(clock.today())
    assert result.status == "partial" and "1 feedback item waiting over 30 days" in result.reason
    assert "no lesson learned" in result.reason
    lessons.services.create(actor=owner, fields={"title": "Explain declines", "what_happened": "Complaints.",
                                                 "learned": "Reason codes matter."})  # fmt: skip
    pa_services.create(actor=owner, fields={
        "title": "Watch drift", "source": "trend", "trend": "PSI rising.", "description": "Retrain.",
        "due_on": clock.today() - dt.timedelta(days=1),
    })  # fmt: skip
    result = continual_improvement(clock.today())
    assert "1 preventive action past the due date" in result.reason and "no lesson" not in result.reason
    assert (
        continual_improvement(clock.today() - dt.timedelta(days=40)).status == "met"
    )  # before either was late

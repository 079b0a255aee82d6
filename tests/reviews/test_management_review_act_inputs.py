"""A management review's inputs from the improvement registers (9.3.2): nonconformities and corrective
actions, and feedback from interested parties, frozen with the references behind the figures."""

import datetime as dt

from django.utils import timezone

from reviews.services import freeze_inputs
from reviews.standard import feedback as feedback_register
from tests.reviews.management_review_helpers import *  # noqa: F403  fixtures


def section(review, key) -> dict:
    return next(s for s in review.current_inputs.sections if s["key"] == key)


def test_open_nonconformities_and_feedback_are_frozen_into_the_review(make_review, make_nc, manager, owner):
    major = make_nc(title="Bureau data used past its freshness limit")
    minor = make_nc(title="Chatbot answers not logged for a week", grade="minor")
    note = feedback_register.services.create(
        actor=owner,
        fields={"title": "Broker asks why a decline has no reason", "channel": "email",
                "received_on": timezone.localdate() - dt.timedelta(days=3), "summary": "No reason given.",
                "owner": owner},
    )  # fmt: skip

    review = make_review()
    review = freeze_inputs(review, actor=manager, expected_version=review.version)

    ncs = section(review, "nonconformities")
    assert ncs.get("available", True) is True
    assert ncs["summary"].startswith("2 nonconformities raised")
    figures = dict(map(tuple, ncs["figures"]))
    assert (figures["Raised: Major"], figures["Raised: Minor"], figures["Open now"]) == ("1", "1", "2")
    assert {i["reference"] for i in ncs["items"]} == {major.reference, minor.reference}

    heard = section(review, "feedback")
    assert heard["summary"] == "1 piece of feedback received in the period."
    assert [i["reference"] for i in heard["items"]] == [note.reference]


def test_a_period_without_feedback_says_so(make_review, manager):
    review = make_review()
    review = freeze_inputs(review, actor=manager, expected_version=review.version)
    assert (
        section(review, "feedback")["summary"]
        == "No feedback from interested parties was received in the period."
    )
    assert section(review, "nonconformities")["summary"].startswith("0 nonconformities raised")

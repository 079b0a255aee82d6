"""The Management Review Report PDF (9.3): made by a Celery job, read back as text; it shows the inputs
as they were FROZEN, not the registers as they are when the report is made."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from aims.jobs import JobError
from aims.models import Job
from aims.registry import registry
from lifecycle.standard.kpis import services as kpi_register
from reviews.report import KIND, management_review_pdf
from reviews.services import freeze_inputs, record_meeting, sign_off
from tests import clock
from tests.base import client_for
from tests.reviews.management_review_helpers import *  # noqa: F403  fixtures


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def kpi(owner):
    kpi = kpi_register.services.create(
        actor=owner,
        fields={"title": "Chatbot answer accuracy", "metric": "share of sampled answers correct", "unit": "%",
                "direction": "higher", "target": Decimal("98"), "warning": Decimal("95"), "breach": Decimal("90")},
    )  # fmt: skip
    kpi_register.record_measurement(
        kpi,
        actor=owner,
        value=Decimal("96.5"),
        measured_at=timezone.now() - dt.timedelta(days=3),
        source="ui",
    )
    return kpi


def test_the_report_has_cover_attendees_frozen_inputs_actions_and_sign_off(
    make_review, make_action, kpi, manager, owner, second_board
):
    assert registry.job_runners[KIND] is management_review_pdf
    review = make_review(title="Annual management review 2026", attendees=[manager, owner])
    review = freeze_inputs(review, actor=manager, expected_version=review.version)
    # After the freeze the KPI moves: the report must still say what the meeting reviewed.
    kpi_register.record_measurement(
        kpi, actor=owner, value=Decimal("88.25"), measured_at=timezone.now(), source="ui"
    )
    review = record_meeting(
        review, actor=manager, expected_version=review.version, held_on=clock.today().isoformat(),
        minutes="The board reviewed the chatbot accuracy trend.", present="boris, maria",
    )  # fmt: skip
    action = make_action(review, title="Hire a second fairness analyst")
    review = sign_off(review, actor=second_board, expected_version=review.version)

    response = client_for(owner).post(f"/management-reviews/{review.reference}/report/")
    job = Job.objects.get(kind=KIND)
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert job.params == {"reference": review.reference} and job.requested_by == owner

    name, data = management_review_pdf(job, lambda percent: None)
    assert name == f"management-review-{review.reference}.pdf" and data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in (
        "Management review report", review.reference, "Annual management review 2026",
        f"{review.period_from:%Y-%m-%d} to {review.period_to:%Y-%m-%d}",  # the period
        "Chair", "Boris", "Olivia",  # attendees
        "Status of actions from previous management reviews", "AI risks and their movement",
        "Monitoring and measurement results", kpi.reference, "latest 96.5 %",  # frozen inputs
        "0 internal audits completed in the period",  # the Check and Act registers' sections
        "The board reviewed the chatbot accuracy trend.", action.reference, "Hire a second fairness analyst",
        "Resource need", "Signed off for the governance board by Bianca",
    ):  # fmt: skip
        assert expected in text, expected
    assert "88.25" not in text  # the value measured after the freeze


def test_a_report_for_a_review_the_requester_cannot_see_fails_clearly(make_review, outsider):
    review = make_review()
    job = Job.objects.create(
        kind=KIND, title="MR", params={"reference": review.reference}, requested_by=outsider
    )
    with pytest.raises(JobError, match="that you can see"):
        management_review_pdf(job, lambda percent: None)


def test_the_review_page_offers_the_report_and_shows_the_frozen_inputs(make_review, manager, auditor):
    review = make_review()
    page = client_for(auditor).get(f"/management-reviews/{review.reference}/").content.decode()
    assert "Inputs not compiled yet" in page and "Download the report (PDF)" in page
    review = freeze_inputs(review, actor=manager, expected_version=review.version)
    page = client_for(auditor).get(f"/management-reviews/{review.reference}/").content.decode()
    assert "Frozen #1" in page and "Status of actions from previous management reviews" in page

"""Every role against every page and the API of the improvement registers with rules of their own (10.1,
10.2); preventive actions and lessons keep the default roles, which the contract suite checks
(tests/test_register_contract.py)."""

import pytest

from reviews.models import CorrectiveAction, Feedback, Nonconformity
from reviews.standard.feedback import services as feedback_services
from tests import base
from tests.base import RegisterRoleMatrix, client_for, form_data_for

from .conftest import days


class TestNonconformityRoles(RegisterRoleMatrix):
    model = Nonconformity
    url_prefix = "nonconformities"
    api_prefix = "/api/v1/nonconformities/"

    @pytest.fixture
    def record(self, make_nc):
        return make_nc()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {"title": "Model card missing", "source": "audit", "source_note": "AUD-2026-03 finding 4",
                "description": "No model card for the fraud model.", "grade": "minor", "requirements": ["A.6.2.7"]}  # fmt: skip


class TestCorrectiveActionRoles(RegisterRoleMatrix):
    model = CorrectiveAction
    url_prefix = "corrective-actions"
    api_prefix = "/api/v1/corrective-actions/"

    @pytest.fixture
    def record(self, make_ca):
        return make_ca()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    # A corrective action acts on its nonconformity (owned by `owner` here): another owner may not start one.
    expect = {**base.EXPECT, "create": {**base.EXPECT["create"], "other_owner": 403}}

    @pytest.fixture
    def api_create_payload(self, make_nc):
        return {"title": "Supplier freshness clause", "nonconformity": make_nc().reference}


class TestFeedbackRoles(RegisterRoleMatrix):
    model = Feedback
    url_prefix = "feedback"
    api_prefix = "/api/v1/feedback/"
    # Owners and the AIMS manager record feedback (reviews.policies.FeedbackPolicy): the default matrix.

    @pytest.fixture
    def record(self, owner):
        return feedback_services.create(
            actor=owner,
            fields={"title": "Broker asks for reasons", "channel": "meeting", "received_on": days(-1),
                    "summary": "Reason codes on declines, please."},
        )  # fmt: skip

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {"title": "Complaint by phone", "channel": "phone", "received_on": days(0).isoformat(),
                "summary": "The chatbot was rude."}  # fmt: skip


def test_the_board_and_auditors_pass_feedback_on_rather_than_record_it(auditor, board):
    for person in (auditor, board):
        response = client_for(person).post(
            "/feedback/new/",
            {"title": "Regulator question", "channel": "email", "received_on": days(0).isoformat(),
             "summary": "How are declines explained?", "review_cadence": 91},
        )  # fmt: skip
        assert response.status_code == 403
        assert "Only owners and the AIMS manager may create a feedback" in response.content.decode()
    assert not Feedback.objects.exists()

import pytest

from registers.models import Risk
from tests.base import RegisterRoleMatrix, client_for


def risk_form_data(risk):
    """The edit form as a browser would post it, unchanged."""
    data = {
        "version": risk.version,
        "title": risk.title,
        "description": risk.description,
        "system_note": risk.system_note,
        "category": risk.category_id,
        "risk_source": risk.risk_source,
        "inherent_likelihood": risk.inherent_likelihood,
        "inherent_impact": risk.inherent_impact,
        "existing_controls": risk.existing_controls,
        "treatment": risk.treatment,
        "treatment_plan": risk.treatment_plan,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "target_likelihood": risk.target_likelihood or "",
        "target_impact": risk.target_impact or "",
        "status": risk.status,
        "owner": risk.owner_id,
        "review_cadence": risk.review_cadence,
        "next_review_on": risk.next_review_on.isoformat() if risk.next_review_on else "",
        "requirements": [r.pk for r in risk.requirements.all()],
    }
    data.update({f: "on" for f in Risk.AFFECTED if getattr(risk, f)})
    return data


class TestRiskRoles(RegisterRoleMatrix):
    model = Risk
    url_prefix = "risks"
    api_prefix = "/api/v1/risks/"

    @pytest.fixture
    def record(self, make_risk):
        return make_risk()

    @pytest.fixture
    def form_data(self):
        return risk_form_data

    @pytest.fixture
    def api_create_payload(self, owner):
        return {
            "title": "Chatbot invents loan terms",
            "category": "transparency-and-explainability",
            "risk_source": "C.3.2",
            "affects_individuals": True,
            "inherent_likelihood": 4,
            "inherent_impact": 3,
            "residual_likelihood": 2,
            "residual_impact": 3,
            "treatment": "mitigate",
            "treatment_plan": "Ground answers in the product catalogue; human hand-off.",
            "requirements": ["6.1.2", "A.8.2"],
            "owner": owner.username,
        }


def test_board_accepts_through_the_page_and_history_records_it(make_risk, board):
    risk = make_risk()
    response = client_for(board).post(
        f"/risks/{risk.reference}/accept/", {"version": risk.version, "rationale": "Within tolerance"}
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.accepted_by == board and risk.status == "accepted"
    page = client_for(board).get(f"/risks/{risk.reference}/?tab=history").content.decode()
    assert "Accepted by Boris" in page and "Within tolerance" in page


def test_an_owner_cannot_accept_their_own_risk_in_the_api(make_risk, owner):
    risk = make_risk()
    response = client_for(owner).post(
        f"/api/v1/risks/{risk.reference}/accept/",
        {"version": 1, "rationale": "mine"},
        content_type="application/json",
    )
    assert response.status_code == 403 and "Four eyes" in response.json()["detail"]


def test_api_validation_names_the_field(owner):
    response = client_for(owner).post(
        "/api/v1/risks/",
        {"title": "x", "category": "nope", "risk_source": "C.9", "inherent_likelihood": 7},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert {"category", "risk_source", "inherent_likelihood", "residual_likelihood"} <= set(body)


def test_service_rules_reach_the_api_as_field_errors(owner):
    response = client_for(owner).post(
        "/api/v1/risks/",
        {
            "title": "Residual above inherent",
            "category": "safety",
            "risk_source": "C.3.1",
            "affects_society": True,
            "inherent_likelihood": 2,
            "inherent_impact": 2,
            "residual_likelihood": 5,
            "residual_impact": 5,
            "treatment": "accept",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "cannot exceed inherent" in response.json()["residual_impact"][0]


def test_the_owner_delegates_and_the_delegate_may_then_edit(make_risk, owner, other_owner, auditor):
    risk = make_risk()
    client_for(owner).post(f"/risks/{risk.reference}/delegates/", {"delegates": [other_owner.pk]})
    page = client_for(auditor).get(f"/risks/{risk.reference}/?tab=history").content.decode()
    assert "Delegates" in page and "Oscar" in page
    response = client_for(other_owner).patch(
        f"/api/v1/risks/{risk.reference}/",
        {"title": "By the delegate", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200
    # ... and cannot hand the right on; the owner withdraws it.
    refused = client_for(other_owner).post(f"/risks/{risk.reference}/delegates/", {"delegates": [auditor.pk]})
    assert refused.status_code == 403 and "choose its delegates" in refused.content.decode()
    client_for(owner).post(f"/risks/{risk.reference}/delegates/", {})
    again = client_for(other_owner).patch(
        f"/api/v1/risks/{risk.reference}/", {"title": "Again", "version": 2}, content_type="application/json"
    )
    assert again.status_code == 403


def test_only_owners_and_managers_can_be_delegates(make_risk, owner, auditor):
    risk = make_risk()
    response = client_for(owner).post(
        f"/risks/{risk.reference}/delegates/", {"delegates": [auditor.pk]}, follow=True
    )
    assert "must be active owners" in response.content.decode()

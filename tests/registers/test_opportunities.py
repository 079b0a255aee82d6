import datetime as dt

import pytest

from aims.records import history
from registers.models import Opportunity
from registers.standard import objectives
from registers.standard.opportunities import services
from tests.base import client_for, form_data_for


@pytest.fixture
def make_opportunity(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Automate fairness monitoring",
            "description": "Run the bias metrics nightly instead of quarterly.",
            "expected_benefit": "Drift found in days, not months.",
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


@pytest.fixture
def objective(owner):
    fields = {
        "title": "Fair approval rates",
        "measure": "Approval-rate ratio across protected groups",
        "target": "≥ 0.8",
        "due_on": dt.date(2030, 6, 30),
    }
    return objectives.services.create(actor=owner, fields=fields)


def test_linking_an_objective_is_history(make_opportunity, objective, owner, auditor):
    opportunity = make_opportunity()
    services.update(opportunity, actor=owner, expected_version=1, fields={"objectives": [objective]})
    change = history(opportunity).first()
    assert change.changes == [
        {"field": "objectives", "label": "AI objectives it serves", "old": "", "new": str(objective)}
    ]
    page = client_for(auditor).get(f"/opportunities/{opportunity.reference}/").content.decode()
    assert objective.reference in page


def test_the_api_links_objectives_by_reference(objective, owner):
    response = client_for(owner).post(
        "/api/v1/opportunities/",
        {"title": "Share the bias toolkit", "objectives": [objective.reference]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["objectives"] == [objective.reference]
    assert list(Opportunity.objects.get(title="Share the bias toolkit").objectives.all()) == [objective]


def test_an_unknown_status_is_refused_on_the_field(make_opportunity, owner):
    opportunity = make_opportunity()
    data = {**form_data_for(opportunity), "status": "dreaming"}
    response = client_for(owner).post(f"/opportunities/{opportunity.reference}/edit/", data)
    assert response.status_code == 400 and "status" in response.context["form"].errors
    response = client_for(owner).patch(
        f"/api/v1/opportunities/{opportunity.reference}/",
        {"status": "dreaming", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400 and "status" in response.json()


def test_list_filters_by_status(make_opportunity, auditor):
    make_opportunity(title="Cheaper GPU hosting", status="realised")
    client = client_for(auditor)
    page = client.get("/opportunities/?status=realised").content.decode()
    assert "Cheaper GPU hosting" in page and "Automate fairness" not in page
    page = client.get("/opportunities/?status=identified&status=evaluating").content.decode()
    assert "Cheaper GPU hosting" not in page
    api = client.get("/api/v1/opportunities/?status=realised").json()["results"]
    assert [r["title"] for r in api] == ["Cheaper GPU hosting"]


def test_export_lists_what_the_filter_shows(make_opportunity, auditor):
    make_opportunity(title="=HYPERLINK evil", status="declined")
    make_opportunity()
    response = client_for(auditor).get("/opportunities/?export=csv&status=declined")
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "'=HYPERLINK evil" in text and "Automate fairness" not in text


def test_empty_register_says_what_to_do(owner):
    assert "No opportunities yet" in client_for(owner).get("/opportunities/").content.decode()

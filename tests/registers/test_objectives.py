import datetime as dt

import pytest
from django.utils import timezone

from registers.standard.objectives import services
from tests.base import client_for, form_data_for

ACHIEVED_AT_100 = "An achieved objective is at 100%."


@pytest.fixture
def make_objective(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Fair approval rates",
            "measure": "Approval-rate ratio across protected groups",
            "target": "≥ 0.8",
            "due_on": dt.date(2030, 6, 30),
            "status": "on_track",
            "progress": 40,
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


def test_achieved_below_100_is_refused_on_progress(make_objective, owner):
    objective = make_objective()
    data = {**form_data_for(objective), "status": "achieved", "progress": 90}
    response = client_for(owner).post(f"/objectives/{objective.reference}/edit/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["progress"] == [ACHIEVED_AT_100]
    assert ACHIEVED_AT_100 in response.content.decode()

    response = client_for(owner).patch(
        f"/api/v1/objectives/{objective.reference}/",
        {"status": "achieved", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json() == {"progress": [ACHIEVED_AT_100]}
    objective.refresh_from_db()
    assert objective.status == "on_track" and objective.version == 1

    response = client_for(owner).patch(
        f"/api/v1/objectives/{objective.reference}/",
        {"status": "achieved", "progress": 100, "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["version"] == 2


def test_the_list_shows_progress_and_due_date(make_objective, auditor):
    make_objective()
    page = client_for(auditor).get("/objectives/").content.decode()
    assert ">40%</td>" in page and "2030-06-30" in page


def test_list_filters_by_status_and_overdue(make_objective, auditor):
    past = timezone.localdate() - dt.timedelta(days=1)
    make_objective(title="Late and open", due_on=past, status="at_risk")
    make_objective(title="Late but missed", due_on=past, status="missed")
    make_objective(title="Late but achieved", due_on=past, status="achieved", progress=100)
    make_objective(title="Due later")
    client = client_for(auditor)
    page = client.get("/objectives/?overdue=true").content.decode()
    assert "Late and open" in page
    assert not any(t in page for t in ("Late but missed", "Late but achieved", "Due later"))
    page = client.get("/objectives/?overdue=false").content.decode()
    assert "Late and open" not in page and "Late but missed" in page and "Due later" in page
    page = client.get("/objectives/?status=achieved").content.decode()
    assert "Late but achieved" in page and "Due later" not in page
    api = client.get("/api/v1/objectives/?overdue=true").json()["results"]
    assert [r["title"] for r in api] == ["Late and open"]


def test_export_lists_what_the_filter_shows(make_objective, auditor):
    make_objective(title="=HYPERLINK evil", status="at_risk")
    make_objective()
    response = client_for(auditor).get("/objectives/?export=csv&status=at_risk")
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "'=HYPERLINK evil" in text and "Fair approval rates" not in text


def test_empty_register_says_what_to_do(owner):
    assert "No AI objectives yet" in client_for(owner).get("/objectives/").content.decode()

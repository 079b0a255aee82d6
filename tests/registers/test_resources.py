import pytest

from registers.standard.resources import services
from tests.base import client_for


@pytest.fixture
def make_resource(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "ML engineers for model validation",
            "process": "lifecycle",
            "kind": "people",
            "quantity": "2 FTE",
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


def test_open_gap_filter_and_badge(make_resource, auditor):
    make_resource(title="Fairness tooling", kind="tooling", gap="No bias-testing library licensed.")
    make_resource(title="Audit budget", process="audit", kind="budget")
    closed = make_resource(title="Data stewards", kind="people", gap="One steward short.")
    services.update(
        closed, actor=closed.owner, expected_version=1, fields={"gap_closed_on": closed.created_at.date()}
    )
    client = client_for(auditor)
    page = client.get("/resources/?open_gap=true").content.decode()
    assert "Fairness tooling" in page and "Audit budget" not in page and "Data stewards" not in page
    assert "Open gap</span> No bias-testing library licensed." in page
    page = client.get("/resources/?open_gap=false").content.decode()
    assert "Fairness tooling" not in page and "Audit budget" in page and "Data stewards" in page
    assert "Closed</span>" in page
    api = client.get("/api/v1/resources/?open_gap=true").json()["results"]
    assert [r["title"] for r in api] == ["Fairness tooling"]


def test_filter_by_process_and_kind(make_resource, auditor):
    make_resource(title="Audit budget", process="audit", kind="budget")
    make_resource(title="Labelled data", process="data", kind="data")
    page = client_for(auditor).get("/resources/?process=audit").content.decode()
    assert "Audit budget" in page and "Labelled data" not in page
    page = client_for(auditor).get("/resources/?kind=data").content.decode()
    assert "Labelled data" in page and "Audit budget" not in page


def test_empty_register_says_what_to_do(owner):
    assert "No resources yet" in client_for(owner).get("/resources/").content.decode()

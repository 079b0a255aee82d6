import pytest

from aims.records import history
from registers.standard.context_issues import services
from tests.base import client_for, form_data_for


@pytest.fixture
def make_issue(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "EU AI Act obligations for credit scoring",
            "side": "external",
            "category": "legal",
            "description": "High-risk system rules apply from August 2026.",
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


def test_linking_a_risk_is_history(make_issue, make_risk, owner, auditor):
    issue = make_issue()
    risk = make_risk()
    services.update(issue, actor=owner, expected_version=1, fields={"risks": [risk]})
    change = history(issue).first()
    assert change.changes == [{"field": "risks", "label": "Risks it raises", "old": "", "new": str(risk)}]
    page = client_for(auditor).get(f"/context-issues/{issue.reference}/").content.decode()
    assert risk.reference in page


def test_list_filters_by_category_and_climate(make_issue, auditor):
    make_issue(title="Heat waves strain the data centre", category="environmental", climate_relevant=True)
    make_issue(title="Competitors ship AI underwriting", category="threat", side="external")
    client = client_for(auditor)
    page = client.get("/context-issues/?climate_relevant=true").content.decode()
    assert "Heat waves" in page and "Competitors" not in page
    page = client.get("/context-issues/?category=threat").content.decode()
    assert "Competitors" in page and "Heat waves" not in page


def test_export_lists_what_the_filter_shows(make_issue, auditor):
    make_issue(title="=HYPERLINK evil", category="threat")
    response = client_for(auditor).get("/context-issues/?export=csv&category=threat")
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "'=HYPERLINK evil" in text and "EU AI Act" not in text


def test_empty_register_says_what_to_do(owner):
    assert "No context issues yet" in client_for(owner).get("/context-issues/").content.decode()


def test_an_archived_risk_stays_linked_through_later_edits(make_issue, make_risk, owner, manager):
    from registers.services import risk_archive

    risk = make_risk()
    issue = make_issue()
    issue = services.update(issue, actor=owner, expected_version=1, fields={"risks": [risk]})
    risk_archive(risk, actor=manager, expected_version=risk.version)
    data = {**form_data_for(issue), "title": "EU AI Act obligations, revised"}
    response = client_for(owner).post(f"/context-issues/{issue.reference}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    issue.refresh_from_db()
    assert issue.title.endswith("revised") and list(issue.risks.all()) == [risk]
    new_form = client_for(owner).get("/context-issues/new/").content.decode()
    assert risk.reference not in new_form  # archived records are not offered for new links

"""Every role against the audit programme, audits and findings, pages and API (tests/base.py): the AIMS
manager plans; auditors change only the audits they are on; owners answer findings on their records;
the board reads."""

import datetime as dt

import pytest
from django.utils import timezone

from aims import roles
from audits import checklist
from audits.models import Audit, AuditProgramme, Finding
from audits.standard.programmes import services as programme_services
from tests.audits.conftest import ONLY_MANAGER_CREATES
from tests.base import EXPECT, RegisterRoleMatrix, client_for, form_data_for
from tests.conftest import make_user


class TestProgrammeRoles(RegisterRoleMatrix):
    model = AuditProgramme
    url_prefix = "audit-programmes"
    api_prefix = "/api/v1/audit-programmes/"
    expect = {**EXPECT, "create": ONLY_MANAGER_CREATES}

    @pytest.fixture
    def record(self, manager, owner):
        return programme_services.create(
            actor=manager, fields={"title": "Audit programme 2026", "year": 2026, "owner": owner}
        )

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {"title": "Audit programme 2027", "year": 2027}

    def test_api_create_with_a_bad_year_names_the_field(self, manager):
        response = client_for(manager).post(
            self.api_prefix, {"title": "Cycle", "year": 1900}, content_type="application/json"
        )
        assert response.status_code == 400 and "year" in response.json()
        assert not AuditProgramme.objects.exists()


AUDITOR_EDITS_THEIRS = {**EXPECT["change"], "auditor": 200}


class TestAuditRoles(RegisterRoleMatrix):
    """The `auditor` fixture leads the audit, so it may change it; another auditor may not."""

    model = Audit
    url_prefix = "audits"
    api_prefix = "/api/v1/audits/"
    expect = {**EXPECT, "change": AUDITOR_EDITS_THEIRS, "create": ONLY_MANAGER_CREATES}

    @pytest.fixture
    def record(self, make_audit, owner):
        return make_audit(owner=owner)

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self, auditor):
        today = timezone.localdate()
        return {
            "title": "AI risk audit", "criteria": "Clause 6.1", "lead_auditor": auditor.username,
            "scope": ["6.1.2"], "starts_on": (today + dt.timedelta(days=10)).isoformat(),
            "ends_on": (today + dt.timedelta(days=11)).isoformat(),
        }  # fmt: skip

    def test_a_refusal_says_why(self, people, record):
        stranger = make_user("arne", roles.AUDITOR)
        response = client_for(stranger).get(f"/audits/{record.reference}/edit/")
        assert response.status_code == 403 and "read-only" in response.content.decode()
        page = client_for(stranger).get(f"/audits/{record.reference}/checklist/new/")
        assert page.status_code == 403 and "Only the lead auditor" in page.content.decode()

    def test_api_create_with_bad_input_names_the_fields(self, manager, api_create_payload):
        bad = {**api_create_payload, "ends_on": "2000-01-01", "scope": ["99.9"]}
        response = client_for(manager).post(self.api_prefix, bad, content_type="application/json")
        assert response.status_code == 400 and "scope" in response.json()
        response = client_for(manager).post(
            self.api_prefix, {**api_create_payload, "ends_on": "2000-01-01"}, content_type="application/json"
        )
        assert response.status_code == 400 and "cannot end before it starts" in response.json()["ends_on"][0]
        no_lead = {k: v for k, v in api_create_payload.items() if k != "lead_auditor"}
        response = client_for(manager).post(self.api_prefix, no_lead, content_type="application/json")
        assert response.status_code == 400 and "lead_auditor" in response.json()
        assert not Audit.objects.exists()

    def test_only_the_audits_auditors_see_checklist_buttons(self, people, record):
        checklist.generate(record, actor=people["auditor"])
        lead_page = client_for(people["auditor"]).get(f"/audits/{record.reference}/").content.decode()
        assert "Record item 1" in lead_page and "Generate questions" in lead_page
        for role in ("manager", "board", "owner"):
            page = client_for(people[role]).get(f"/audits/{record.reference}/").content.decode()
            assert "Record item 1" not in page and record.checklist.first().question[:40] in page


def _finding(make_audit, auditor, owner):
    audit = make_audit()
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    checklist.save_item(item, actor=auditor, expected_version=1, question=item.question, result="major_nc",
                        notes="No risk assessment for the new model.", auditee=owner)  # fmt: skip
    return Finding.objects.get()


@pytest.mark.parametrize("role", ["manager", "board", "other_owner", "auditor", "owner"])
def test_only_the_auditee_answers_a_finding(role, make_audit, manager, board, owner, other_owner, auditor):
    people = {
        "manager": manager,
        "board": board,
        "owner": owner,
        "other_owner": other_owner,
        "auditor": auditor,
    }
    finding = _finding(make_audit, auditor, owner)
    client = client_for(people[role])
    assert client.get(f"/findings/{finding.reference}/").status_code == 200
    response = client.post(
        f"/findings/{finding.reference}/answer/",
        {"version": finding.version, "response": "Agreed", "proposed_action": "Assess it this week."},
    )
    finding.refresh_from_db()
    if role == "owner":
        assert response.status_code == 302 and finding.status == "answered" and finding.answered_by == owner
    else:
        assert response.status_code == 403 and finding.status == "open"


@pytest.mark.parametrize("role", ["manager", "owner", "auditor"])
def test_only_the_audits_auditors_change_a_findings_wording(role, make_audit, manager, owner, auditor):
    people = {"manager": manager, "owner": owner, "auditor": auditor}
    finding = _finding(make_audit, auditor, owner)
    response = client_for(people[role]).patch(
        f"/api/v1/findings/{finding.reference}/", {"title": "Reworded", "version": finding.version},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == (200 if role == "auditor" else 403)


def test_the_api_answer_names_a_missing_response(make_audit, auditor, owner):
    finding = _finding(make_audit, auditor, owner)
    response = client_for(owner).post(
        f"/api/v1/findings/{finding.reference}/answer/", {"version": finding.version},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400 and "response" in response.json()


def test_nobody_creates_a_finding_directly(manager, auditor):
    for person in (manager, auditor):
        response = client_for(person).post(
            "/api/v1/findings/", {"title": "x", "description": "y"}, content_type="application/json"
        )
        assert response.status_code == 403 and "checklist item" in response.json()["detail"]
    assert client_for(auditor).get("/findings/new/").status_code == 403
    assert not Finding.objects.exists()

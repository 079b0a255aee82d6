"""The certification body's audits (ISO/IEC 17021-1 9.3 initial certification in two stages, 9.6.2
surveillance, 9.6.3 recertification): recorded on the same Audit as internal ones, with the body, its lead
auditor, the stage and the body's outcome; its findings recorded the one way every audit records them
(the checklist), so a minor nonconformity the body finds raises a nonconformity (10.2) like an internal
audit's, linked both ways."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits import checklist
from audits.models import Audit, Finding
from audits.services import audit_services, report_audit, start_audit
from reviews.models import Nonconformity
from reviews.raising import nc_from_finding
from tests.audits.conftest import BODY, ONLY_MANAGER_CREATES, reqs
from tests.base import EXPECT, RegisterRoleMatrix, client_for, form_data_for


def _body_finding(audit, actor, auditee, grade="minor_nc"):
    item = checklist.add_item(audit, actor=actor, question=f"What did {BODY} find on 7.5.3?",
                              requirement=reqs("7.5.3")[0])  # fmt: skip
    checklist.save_item(item, actor=actor, expected_version=item.version, question=item.question, result=grade,
                        notes="Superseded procedure versions still on the intranet.", auditee=auditee)  # fmt: skip
    return Finding.objects.get(checklist_item=item)


def test_a_body_audit_names_its_stage_body_and_lead_auditor_17021_9_3(make_body_audit, auditor):
    with pytest.raises(ValidationError) as missing:
        make_body_audit(stage="", certification_body="", body_auditor="")
    assert {"stage", "certification_body", "body_auditor"} <= set(missing.value.message_dict)
    with pytest.raises(ValidationError) as ours:
        make_body_audit(lead_auditor=auditor)
    assert "led by the body's auditor" in ours.value.message_dict["lead_auditor"][0]
    with pytest.raises(ValidationError) as outcome:
        make_body_audit(stage="stage_1", outcome="recommended")
    assert outcome.value.message_dict["outcome"] == [
        "A stage 1 audit concludes ready for stage 2, not ready for stage 2."
    ]
    audit = make_body_audit(stage="stage_1", outcome="ready_for_stage_2")
    assert audit.kind_label == f"Stage 1 audit by {BODY}" and audit.lead_auditor is None


def test_an_internal_audit_has_no_stage_nor_outcome_of_a_body(make_audit):
    with pytest.raises(ValidationError) as exc:
        make_audit(stage="stage_2", outcome="recommended")
    assert "Only a certification body's audit records the stage" in exc.value.message_dict["stage"][0]
    assert "outcome" in exc.value.message_dict


def test_the_bodys_minor_finding_raises_a_nonconformity_like_an_internal_one_10_2(make_body_audit, manager,
                                                                                  owner):  # fmt: skip
    audit = make_body_audit()
    audit = start_audit(audit, actor=manager, expected_version=audit.version)
    finding = _body_finding(audit, manager, owner)
    assert (finding.audit, finding.grade, finding.owner) == (audit, "minor_nc", owner)

    finding = nc_from_finding(finding, actor=owner, expected_version=finding.version)

    nc = Nonconformity.objects.get()
    assert (nc.finding, nc.audit, nc.grade) == (finding, audit, "minor")
    finding_page = client_for(owner).get(finding.get_absolute_url()).content.decode()
    assert nc.reference in finding_page and audit.reference in finding_page
    audit_page = client_for(owner).get(audit.get_absolute_url()).content.decode()
    assert nc.reference in audit_page and BODY in audit_page and "Dr. Helena Varga" in audit_page
    nc_page = client_for(owner).get(nc.get_absolute_url()).content.decode()
    assert f'href="{finding.get_absolute_url()}"' in nc_page


def test_the_manager_and_the_audits_owner_record_it_not_our_auditors(make_body_audit, manager, owner,
                                                                    other_owner, auditor, board):  # fmt: skip
    audit = make_body_audit(owner=owner)
    for person in (auditor, other_owner, board):
        with pytest.raises(PermissionDenied):
            checklist.add_item(audit, actor=person, question="Anything?")
    refused = client_for(auditor).get(f"/audits/{audit.reference}/checklist/new/")
    assert (
        refused.status_code == 403
        and "record what Meridian Certification Ltd found" in refused.content.decode()
    )
    finding = _body_finding(audit, owner, other_owner)  # the audit's owner transcribes the report
    assert finding.owner == other_owner
    page = client_for(manager).get(audit.get_absolute_url()).content.decode()
    assert (
        "Add a question" in page
        and "Add a question" not in client_for(auditor).get(audit.get_absolute_url()).content.decode()
    )


def test_reporting_needs_the_bodys_outcome_not_a_checklist_17021_9_4_8(make_body_audit, manager):
    audit = make_body_audit(stage="surveillance")
    audit = start_audit(audit, actor=manager, expected_version=audit.version)
    with pytest.raises(ValidationError) as exc:
        report_audit(audit, actor=manager, expected_version=audit.version)
    assert "Record what Meridian Certification Ltd concluded" in exc.value.message_dict["outcome"][0]
    audit = audit_services.update(audit, actor=manager, expected_version=audit.version,
                                  fields={"outcome": "maintained"})  # fmt: skip
    audit = report_audit(audit, actor=manager, expected_version=audit.version)
    assert audit.status == "reported" and audit.get_outcome_display() == "Certification maintained"


def test_the_list_filters_by_kind_and_stage_in_a_fixed_number_of_queries(make_audit, make_body_audit, manager,
                                                                         django_assert_max_num_queries):  # fmt: skip
    make_audit()
    make_body_audit(stage="stage_1")
    client = client_for(manager)
    client.get("/audits/?kind=certification")
    with django_assert_max_num_queries(40) as few:
        page = client.get("/audits/?kind=certification").content.decode()
    assert 'data-total="1"' in page and f"Stage 1 audit by {BODY}" in page
    for stage in ("stage_2", "surveillance", "recertification"):
        make_body_audit(stage=stage)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/audits/?kind=certification").content.decode()
    assert 'data-total="4"' in page
    assert 'data-total="2"' in client.get("/audits/?stage=stage_1&stage=stage_2").content.decode()
    assert 'data-total="1"' in client.get("/audits/?kind=internal").content.decode()
    api = client.get("/api/v1/audits/?kind=certification&stage=surveillance").json()["results"]
    assert [(a["stage"], a["certification_body"]) for a in api] == [("surveillance", BODY)]


def test_the_empty_list_says_how_to_record_a_body_audit(manager):
    page = client_for(manager).get("/audits/").content.decode()
    assert "A certification body&#x27;s audit is recorded here too" in page


class TestCertificationAuditRoles(RegisterRoleMatrix):
    """A certification body's audit owned by `owner`: the manager and its owner record it; our auditors,
    who do not lead it, read it like the board."""

    model = Audit
    url_prefix = "audits"
    api_prefix = "/api/v1/audits/"
    expect = {**EXPECT, "create": ONLY_MANAGER_CREATES}

    @pytest.fixture
    def record(self, make_body_audit, owner):
        return make_body_audit(owner=owner)

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        today = timezone.localdate()
        return {
            "title": "Certification stage 1", "kind": "certification", "stage": "stage_1",
            "certification_body": BODY, "body_auditor": "Dr. Helena Varga", "criteria": "ISO/IEC 42001",
            "scope": ["4.3", "9.2.2"], "starts_on": (today + dt.timedelta(days=20)).isoformat(),
            "ends_on": (today + dt.timedelta(days=21)).isoformat(),
        }  # fmt: skip

    def test_api_names_the_field_of_a_wrong_outcome(self, manager, api_create_payload):
        response = client_for(manager).post(
            self.api_prefix, {**api_create_payload, "outcome": "maintained"}, content_type="application/json"
        )
        assert response.status_code == 400 and "stage 1 audit concludes" in response.json()["outcome"][0]
        assert not Audit.objects.exists()

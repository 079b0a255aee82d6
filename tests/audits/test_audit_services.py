"""Audits through their services: independence of the auditors, the checklist generated for the scope, a
joint audit's mapped requirements, findings from non-conforming items, answered only by their auditee."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aims import roles
from aims.records import history
from audits import checklist
from audits.checklist_questions import GENERIC, QUESTIONS
from audits.models import Audit, ChecklistItem, Finding
from audits.services import answer_finding, close_audit, close_finding, report_audit, start_audit
from tests.audits.conftest import reqs
from tests.conftest import make_user


def test_an_auditor_who_owns_records_in_scope_is_refused_naming_them(make_audit, make_system, make_risk, db):
    grace = make_user("grace", roles.AUDITOR, roles.OWNER)
    grace.display_name = "Grace Lindqvist"
    grace.save(update_fields=["display_name"])
    risk = make_risk(actor=grace, owner=grace)
    risk.requirements.set(reqs("6.1.2"))
    system = make_system(actor=grace, owner=grace)
    before = Audit.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_audit(lead=grace, systems=[system])
    message = " ".join(exc.value.message_dict["lead_auditor"])
    assert (
        f"Grace Lindqvist owns {risk.reference} and {system.reference}, which are in this audit's scope"
        in message
    )
    assert Audit.objects.count() == before


def test_a_team_member_who_owns_a_system_in_scope_is_refused(make_audit, make_system, auditor, db):
    owning = make_user("otto", roles.AUDITOR, roles.OWNER)
    system = make_system(actor=owning, owner=owning)
    with pytest.raises(ValidationError) as exc:
        make_audit(team=[owning], systems=[system], codes=())
    assert f"Otto owns {system.reference}" in " ".join(exc.value.message_dict["team"])


def test_only_auditors_lead_or_join_an_audit(make_audit, owner):
    with pytest.raises(ValidationError) as exc:
        make_audit(lead=owner)
    assert "not an auditor" in " ".join(exc.value.message_dict["lead_auditor"])


def test_the_checklist_asks_the_question_bank_for_each_requirement_and_system(
    make_audit, make_system, auditor
):
    system = make_system()
    audit = make_audit(codes=("6.1.2", "4.4", "9.2.1"), systems=[system])
    made = checklist.generate(audit, actor=auditor)
    items = list(audit.checklist.select_related("requirement", "system"))
    assert made == len(items) == len(QUESTIONS["6.1.2"]) + len(QUESTIONS["4.4"]) + len(QUESTIONS["9.2.1"]) + 1
    assert {i.requirement.code for i in items if i.requirement} == {"6.1.2", "4.4", "9.2.1"}
    assert items[-1].system == system and system.reference in items[-1].question
    assert checklist.generate(audit, actor=auditor) == 0  # nothing twice
    assert history(audit).first().changes[0]["label"] == "Checklist"


def test_a_requirement_without_questions_gets_the_generic_one(make_audit, auditor, iso27001):
    audit = make_audit(scope=[iso27001["9.2"]])
    checklist.generate(audit, actor=auditor)
    assert audit.checklist.get().question == GENERIC.format(title="internal audit", code="9.2")


def test_only_the_lead_and_team_edit_the_checklist(make_audit, auditor, manager, owner):
    other_auditor = make_user("arne", roles.AUDITOR)
    audit = make_audit()
    for person in (manager, owner, other_auditor):
        with pytest.raises(PermissionDenied) as exc:
            checklist.generate(audit, actor=person)
        assert "Only the lead auditor" in str(exc.value)
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    with pytest.raises(PermissionDenied):
        checklist.save_item(
            item, actor=manager, expected_version=1, question=item.question, result="conforming"
        )
    member = make_user("tess", roles.AUDITOR)
    audit.team.add(member)
    saved = checklist.save_item(
        item, actor=member, expected_version=1, question=item.question, result="conforming"
    )
    assert saved.version == 2 and saved.assessed_by == member


def test_a_joint_audit_item_shows_the_other_standards_requirement(make_audit, auditor, iso27001):
    audit = make_audit(scope=[*reqs("6.1.2"), iso27001["6.1.2"], iso27001["9.2"]], joint=True)
    checklist.generate(audit, actor=auditor)
    codes = [
        (i.requirement.standard.key, i.requirement.code)
        for i in audit.checklist.select_related("requirement__standard")
    ]
    # 27001 6.1.2 is covered by the crosswalked 42001 item; 27001 9.2 has no partner, so it gets its own.
    assert ("test27001", "6.1.2") not in codes and ("test27001", "9.2") in codes
    mapping = checklist.joint_mapping(audit)
    assert mapping[reqs("6.1.2")[0].pk] == [iso27001["6.1.2"]]
    audit.joint = False
    assert checklist.joint_mapping(audit) == {}


def test_a_non_conforming_item_becomes_a_finding_the_auditee_answers(make_audit, auditor, owner, other_owner):
    audit = make_audit()
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    with pytest.raises(ValidationError) as exc:
        checklist.save_item(item, actor=auditor, expected_version=1, question=item.question, result="minor_nc",
                            notes="Two risks past review.")  # fmt: skip
    assert "auditee" in exc.value.message_dict
    checklist.save_item(item, actor=auditor, expected_version=1, question=item.question, result="minor_nc",
                        notes="Two risks past their review date.", auditee=owner)  # fmt: skip
    finding = Finding.objects.get()
    assert (finding.grade, finding.owner, finding.status, finding.requirement) == (
        "minor_nc",
        owner,
        "open",
        item.requirement,
    )
    assert finding.reference.startswith("FND-")
    for person in (auditor, other_owner):  # auditors grade but do not answer; others cannot either
        with pytest.raises(PermissionDenied):
            answer_finding(finding, actor=person, expected_version=finding.version, response="x")
    with pytest.raises(ValidationError):
        answer_finding(finding, actor=owner, expected_version=finding.version, response=" ")
    finding = answer_finding(finding, actor=owner, expected_version=finding.version, response="Agreed.",
                             proposed_action="Review both by Friday.")  # fmt: skip
    assert finding.status == "answered" and finding.grade == "minor_nc"
    with pytest.raises(PermissionDenied):  # the auditee cannot change the grade or wording
        from audits.standard.findings import finding_services

        finding_services.update(
            finding, actor=owner, expected_version=finding.version, fields={"title": "Nothing"}
        )
    finding = close_finding(finding, actor=auditor, expected_version=finding.version)
    assert finding.status == "closed"


def test_back_to_conforming_archives_the_finding(make_audit, auditor, owner):
    audit = make_audit()
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    item = checklist.save_item(item, actor=auditor, expected_version=1, question=item.question, result="ofi",
                               notes="Could automate reminders.", auditee=owner)  # fmt: skip
    checklist.save_item(item, actor=auditor, expected_version=2, question=item.question, result="conforming")
    assert Finding.objects.get().is_archived


def test_a_stale_checklist_save_is_refused(make_audit, auditor):
    audit = make_audit()
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    checklist.save_item(item, actor=auditor, expected_version=1, question="First", result="conforming")
    with pytest.raises(checklist.StaleItem):
        checklist.save_item(item, actor=auditor, expected_version=1, question="Second", result="conforming")
    assert ChecklistItem.objects.get(pk=item.pk).question == "First"


def test_the_audit_moves_from_planned_to_closed(make_audit, auditor, owner, manager):
    audit = make_audit(codes=("4.4",))
    audit = start_audit(audit, actor=auditor, expected_version=audit.version)
    with pytest.raises(ValidationError, match="no checklist"):
        report_audit(audit, actor=auditor, expected_version=audit.version)
    checklist.generate(audit, actor=auditor)
    audit.refresh_from_db()
    with pytest.raises(ValidationError, match="no result yet"):
        report_audit(audit, actor=auditor, expected_version=audit.version)
    item = audit.checklist.get()
    checklist.save_item(item, actor=auditor, expected_version=1, question=item.question, result="observation",
                        notes="Processes are described only on the wiki.", auditee=owner)  # fmt: skip
    audit.refresh_from_db()
    audit = report_audit(audit, actor=auditor, expected_version=audit.version)
    with pytest.raises(ValidationError, match="wait"):
        close_audit(audit, actor=manager, expected_version=audit.version)
    finding = Finding.objects.get()
    answer_finding(finding, actor=owner, expected_version=finding.version, response="We will move them.")
    audit = close_audit(audit, actor=manager, expected_version=audit.version)
    assert audit.status == "closed"


def test_records_sampled_must_name_real_records(make_audit, make_system, auditor):
    system = make_system()
    audit = make_audit()
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    with pytest.raises(ValidationError) as exc:
        checklist.save_item(item, actor=auditor, expected_version=1, question=item.question, result="conforming",
                            records_sampled=f"{system.reference}, RSK-9999")  # fmt: skip
    assert exc.value.message_dict["records_sampled"] == ["No record has the reference RSK-9999."]
    with pytest.raises(ValidationError, match="Give record references"):
        checklist.save_item(item, actor=auditor, expected_version=1, question=item.question, result="conforming",
                            records_sampled="the risk register")  # fmt: skip
    saved = checklist.save_item(item, actor=auditor, expected_version=1, question=item.question,
                                result="conforming", records_sampled=system.reference)  # fmt: skip
    assert saved.records_sampled == system.reference


def test_independence_is_checked_when_the_plan_changes(make_audit, make_system, manager):
    from audits.services import audit_services

    owning = make_user("otto", roles.AUDITOR, roles.OWNER)
    system = make_system(actor=owning, owner=owning)
    audit = make_audit(team=[owning], codes=("4.4",))
    with pytest.raises(ValidationError, match=f"Otto owns {system.reference}"):
        audit_services.update(
            audit, actor=manager, expected_version=audit.version, fields={"systems": [system]}
        )
    assert not audit.systems.exists()


def test_the_auditors_record_the_conclusion_but_the_plan_is_the_planners(make_audit, auditor, manager):
    from audits.services import audit_services

    colleague = make_user("tess", roles.AUDITOR)
    audit = make_audit()
    with pytest.raises(ValidationError) as exc:
        audit_services.update(audit, actor=auditor, expected_version=audit.version,
                              fields={"team": [colleague], "conclusion": "Fine."})  # fmt: skip
    assert "changes the plan" in " ".join(exc.value.message_dict["team"])
    audit = audit_services.update(audit, actor=auditor, expected_version=audit.version,
                                  fields={"conclusion": "Risk assessment is sound."})  # fmt: skip
    audit = audit_services.update(audit, actor=manager, expected_version=audit.version,
                                  fields={"team": [colleague]})  # fmt: skip
    assert audit.conclusion == "Risk assessment is sound." and list(audit.team.all()) == [colleague]


def test_the_checklist_page_shows_what_a_joint_audit_item_also_covers(make_audit, auditor, iso27001):
    from tests.base import client_for

    audit = make_audit(scope=[*reqs("6.1.2"), iso27001["6.1.2"]], joint=True)
    checklist.generate(audit, actor=auditor)
    client = client_for(auditor)
    page = client.get(f"/audits/{audit.reference}/").content.decode()
    assert "Also covers ISO/IEC 27001:2022 6.1.2" in page
    item = audit.checklist.first()
    form = client.get(f"/audits/{audit.reference}/checklist/{item.pk}/").content.decode()
    assert "this item also covers ISO/IEC 27001:2022 6.1.2 Information security risk assessment" in form


def test_sampled_evidence_is_linked_and_shown(make_audit, auditor, owner):
    from aims.records import create_record
    from audits.models import Evidence
    from tests.base import client_for

    evidence = create_record(
        Evidence, actor=owner,
        fields={"title": "Risk review minutes", "kind": "link", "url": "https://intranet.example/minutes", "owner": owner},
    )  # fmt: skip
    audit = make_audit()
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    client = client_for(auditor)
    response = client.post(
        f"/audits/{audit.reference}/checklist/{item.pk}/",
        {"question": item.question, "requirement": item.requirement_id, "result": "conforming",
         "notes": "Minutes show the review.", "evidence": [evidence.pk], "version": 1},
    )  # fmt: skip
    assert response.status_code == 302
    assert list(ChecklistItem.objects.get(pk=item.pk).evidence.all()) == [evidence]
    page = client.get(f"/audits/{audit.reference}/").content.decode()
    assert f'Evidence <a href="{evidence.get_absolute_url()}">{evidence.reference}</a>' in page
    stale = client.post(
        f"/audits/{audit.reference}/checklist/{item.pk}/",
        {"question": "Changed", "result": "conforming", "version": 1},
    )
    assert stale.status_code == 409 and "changed since you opened it" in stale.content.decode()


def test_the_lead_adds_and_removes_questions_on_the_page(make_audit, auditor, owner):
    from tests.base import client_for

    audit = make_audit()
    client = client_for(auditor)
    bad = client.post(f"/audits/{audit.reference}/checklist/new/", {"question": " "})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    response = client.post(
        f"/audits/{audit.reference}/checklist/new/", {"question": "Who signs off model releases?"}
    )
    assert response.status_code == 302
    item = audit.checklist.get()
    checklist.save_item(item, actor=auditor, expected_version=1, question=item.question, result="minor_nc",
                        notes="Nobody signs them off.", auditee=owner)  # fmt: skip
    assert client.post(f"/audits/{audit.reference}/checklist/{item.pk}/remove/").status_code == 302
    assert not audit.checklist.exists() and Finding.objects.get().is_archived
    assert "Who signs off model releases?" in history(audit).first().changes[0]["old"]
    assert (
        client_for(owner).post(f"/audits/{audit.reference}/checklist/new/", {"question": "x"}).status_code
        == 403
    )

"""What audits give others: reminders (once each), the results summary for the management review, the
report PDF read back as text, and pages whose query count does not grow with the checklist."""

import datetime as dt
import io
import json

from django.utils import timezone
from pypdf import PdfReader

from aims.models import Job, Notification
from aims.reminders import sweep
from audits import checklist
from audits.models import Finding
from audits.report import KIND, audit_report_pdf
from audits.selectors import audit_results
from audits.services import answer_finding, report_audit, start_audit
from tests.base import client_for


def _fill(audit, auditor, owner, results):
    audit = start_audit(audit, actor=auditor, expected_version=audit.version)
    checklist.generate(audit, actor=auditor)
    for item, result in zip(audit.checklist.all(), results, strict=False):
        checklist.save_item(item, actor=auditor, expected_version=item.version, question=item.question,
                            result=result, notes=f"Found: {result} on {item.question[:30]}", auditee=owner)  # fmt: skip
    audit.refresh_from_db()
    return audit


def test_reminders_go_to_the_lead_and_the_auditee_once(make_audit, auditor, owner):
    today = timezone.localdate()
    soon = make_audit(starts_on=today + dt.timedelta(days=10), ends_on=today + dt.timedelta(days=11))
    make_audit(title="Later", starts_on=today + dt.timedelta(days=40), ends_on=today + dt.timedelta(days=41))
    sweep(today)
    lead = Notification.objects.filter(user=auditor, key__startswith="audit-start:")
    assert [n.message for n in lead] == [
        f"You lead {soon.reference} {soon.title}, starting on {soon.starts_on:%Y-%m-%d}."
    ]
    _fill(soon, auditor, owner, ["minor_nc"])
    finding = Finding.objects.get()
    Finding.objects.filter(pk=finding.pk).update(created_at=timezone.now() - dt.timedelta(days=15))
    sweep(today)
    sweep(today)
    assert Notification.objects.filter(user=owner, key=f"finding-unanswered:{finding.pk}:1").count() == 1
    assert Notification.objects.filter(user=auditor, key__startswith="audit-start:").count() == 1


def test_answered_findings_remind_nobody(make_audit, auditor, owner):
    audit = _fill(make_audit(), auditor, owner, ["observation"])
    finding = Finding.objects.get()
    answer_finding(finding, actor=owner, expected_version=finding.version, response="Noted.")
    Finding.objects.update(created_at=timezone.now() - dt.timedelta(days=30))
    sweep(timezone.localdate())
    assert not Notification.objects.filter(key__startswith="finding-unanswered").exists()
    assert audit.reference


def test_audit_results_for_the_management_review(make_audit, auditor, owner, django_assert_max_num_queries):
    today = timezone.localdate()
    audit = _fill(make_audit(codes=("6.1.2", "4.4", "A.6.2.4")), auditor, owner,
                  ["minor_nc", "conforming", "ofi", "major_nc", "conforming"])  # fmt: skip
    report_audit(audit, actor=auditor, expected_version=audit.version)
    make_audit(title="Still planned")
    finding = Finding.objects.get(grade="ofi")
    answer_finding(finding, actor=owner, expected_version=finding.version, response="Will consider.")
    with django_assert_max_num_queries(3):
        results = audit_results(today, today + dt.timedelta(days=60))
    assert json.loads(json.dumps(results)) == results
    assert results["audits_completed"] == 1 and results["audits"][0]["reference"] == audit.reference
    assert results["findings_per_grade"] == {"minor_nc": 1, "major_nc": 1, "observation": 0, "ofi": 1}
    assert results["open_findings_count"] == 3  # the answered one still waits for the auditors to close it
    assert audit_results(today - dt.timedelta(days=60), today - dt.timedelta(days=1))["audits_completed"] == 0


def test_the_report_pdf_holds_scope_team_summary_findings_and_checklist(make_audit, auditor, owner):
    audit = _fill(make_audit(), auditor, owner, ["minor_nc", "conforming", "conforming", "conforming"])
    finding = Finding.objects.get()
    answer_finding(finding, actor=owner, expected_version=finding.version, response="Agreed, fixing now.",
                   proposed_action="Weekly review of overdue risks.")  # fmt: skip
    response = client_for(auditor).post(f"/audits/{audit.reference}/report-pdf/")
    job = Job.objects.get(kind=KIND)
    assert response.status_code == 302 and job.params == {"reference": audit.reference}
    name, data = audit_report_pdf(job, lambda p: None)
    assert name.endswith(".pdf")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
    assert "Internal audit report" in text and audit.reference in text
    assert "6.1.2 AI risk assessment" in text and "Audrey" in text and audit.criteria in text
    assert "Minor nonconformity 1" in text and "Conforming 3" in text
    assert (
        finding.reference in text
        and "Agreed, fixing now." in text
        and "Weekly review of overdue risks." in text
    )
    assert "Sample three risks" in text  # a checklist question from the bank


def test_the_audit_page_and_list_do_not_grow_in_queries(
    make_audit, auditor, owner, django_assert_max_num_queries
):
    audit = _fill(make_audit(codes=("6.1.2",)), auditor, owner, ["minor_nc", "ofi"])
    client = client_for(auditor)
    client.get(f"/audits/{audit.reference}/")
    with django_assert_max_num_queries(40) as small:
        client.get(f"/audits/{audit.reference}/")
    more = make_audit(codes=("6.1.2", "6.1.3", "8.1", "A.6.2.4", "A.7.4", "9.1"))
    _fill(more, auditor, owner, ["ofi", "minor_nc", "observation", "ofi", "conforming", "ofi", "minor_nc"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(f"/audits/{more.reference}/")
    assert page.status_code == 200 and "Also covers" not in page.content.decode()
    with django_assert_max_num_queries(30) as listing:
        client.get("/audits/")
    make_audit(title="Third")
    with django_assert_max_num_queries(len(listing.captured_queries)):
        client.get("/audits/")
    with django_assert_max_num_queries(30) as findings:
        client.get("/findings/")
    assert findings.captured_queries


def test_the_dashboard_panel_counts_findings_and_shows_mine(make_audit, auditor, owner, board,
                                                            django_assert_max_num_queries):  # fmt: skip
    from tests.base import dashboard_html

    _fill(make_audit(), auditor, owner, ["major_nc", "ofi"])
    board_page = dashboard_html(client_for(board))
    assert "<strong>1</strong> open major nonconformity" in board_page
    assert "Findings waiting for your answer" not in board_page
    assert "No audit programme whose cycle takes in this year yet" in board_page
    assert "No certificate in force" in board_page  # the board sees where certification stands
    client = client_for(owner)
    with django_assert_max_num_queries(12):
        panel = client.get("/dashboard/panels/audits_panel/").content.decode()
    assert (
        "Findings waiting for your answer" in panel
        and 'id="findings-mine" data-count="2"' in panel
        and Finding.objects.filter(grade="ofi").get().reference in panel
    )

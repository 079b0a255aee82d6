"""Certification readiness for 9.2.2, from the audit registers: a programme whose cycle takes in the year
and reaches every clause and applicable control, an internal audit reported within twelve months, its
findings answered; and 10.2 missing while a nonconforming finding was never raised as a nonconformity."""

import datetime as dt

from aims.models import Requirement
from audits import checklist
from audits import programme as planning
from audits.certification_checks import internal_audits
from audits.models import AuditProgramme, Finding
from audits.services import answer_finding, report_audit, start_audit
from reviews.certification_checks import nonconformities
from reviews.raising import nc_from_finding
from tests import clock


def _reported(make_audit, auditor, owner, result):
    audit = make_audit(
        starts_on=clock.today() - dt.timedelta(days=5), ends_on=clock.today() - dt.timedelta(days=2)
    )
    audit = start_audit(audit, actor=auditor, expected_version=audit.version)
    checklist.generate(audit, actor=auditor)
    for n, item in enumerate(audit.checklist.all()):
        checklist.save_item(item, actor=auditor, expected_version=item.version, question=item.question,
                            result=result if n == 0 else "conforming", notes="Sampled.", auditee=owner)  # fmt: skip
    audit.refresh_from_db()
    return report_audit(audit, actor=auditor, expected_version=audit.version)


def test_internal_audit_row_from_no_programme_to_met(make_audit, auditor, owner, manager):
    assert internal_audits(clock.today()).status == "missing"
    from audits.standard.programmes import services as programme_services

    programme = programme_services.create(actor=manager, fields={"title": f"Audit programme {clock.today().year}",
                                                                 "year": clock.today().year, "owner": manager})  # fmt: skip
    assert AuditProgramme.objects.count() == 1
    planned = internal_audits(clock.today())
    assert planned.status == "partial" and "no internal audit has been reported yet" in planned.reason
    assert "has not reached 70 clauses and controls" in planned.reason  # 9.2.2: nothing planned in the cycle
    for requirement in Requirement.objects.mappable():
        planning.save_item(programme, actor=manager, requirement=requirement, planned_month=6)

    _reported(make_audit, auditor, owner, "minor_nc")
    waiting = internal_audits(clock.today())
    assert waiting.status == "partial" and "1 finding of reported audits not answered" in waiting.reason
    assert nonconformities(clock.today()).status == "missing"  # 10.2: the finding is not a nonconformity yet

    finding = Finding.objects.get()
    finding = answer_finding(finding, actor=owner, expected_version=finding.version, response="Agreed.")
    assert internal_audits(clock.today()).status == "met"
    nc_from_finding(finding, actor=owner, expected_version=finding.version)
    assert nonconformities(clock.today()).status != "missing"


def test_an_empty_nonconformity_log_counts_once_an_audit_has_reported_and_found_none(
    make_audit, auditor, owner
):
    assert nonconformities(clock.today()).status == "missing"
    _reported(make_audit, auditor, owner, "conforming")
    result = nonconformities(clock.today())
    assert (
        result.status == "met"
        and result.reason == "No nonconformities recorded; the 1 internal audit reported found none."
    )

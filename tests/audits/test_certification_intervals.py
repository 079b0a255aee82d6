"""Certification readiness for ISO/IEC 42001 9.2.1: internal audits carried out at planned intervals --
one reported within the last twelve months, none left behind its planned dates."""

import datetime as dt

from audits import checklist
from audits.certification_intervals import audits_at_intervals
from audits.services import audit_services, report_audit, start_audit
from tests import clock


def test_9_2_1_from_no_audit_to_one_reported_within_the_year(make_audit, auditor):
    assert audits_at_intervals(clock.today()).status == "missing"
    audit = make_audit(
        starts_on=clock.today() - dt.timedelta(days=50), ends_on=clock.today() - dt.timedelta(days=40)
    )
    late = audits_at_intervals(clock.today())
    assert late.status == "partial" and "none has been reported yet" in late.reason
    assert "1 ended over 30 days ago and is not reported" in late.reason
    audit = start_audit(audit, actor=auditor, expected_version=audit.version)
    checklist.generate(audit, actor=auditor)
    for item in audit.checklist.all():
        checklist.save_item(item, actor=auditor, expected_version=item.version, question=item.question,
                            result="conforming", notes="Sampled.")  # fmt: skip
    audit.refresh_from_db()
    report_audit(audit, actor=auditor, expected_version=audit.version)
    assert audits_at_intervals(clock.today()).status == "met"
    a_year_on = audits_at_intervals(clock.today() + dt.timedelta(days=400))
    assert a_year_on.status == "partial" and "over a year ago" in a_year_on.reason


def test_9_2_1_counts_internal_audits_not_the_certification_bodys(make_body_audit, manager):
    """A stage 2 audit the certification body reported does not show that internal audits run (9.2.1)."""
    audit = make_body_audit(
        stage="stage_2",
        starts_on=clock.today() - dt.timedelta(days=50),
        ends_on=clock.today() - dt.timedelta(days=40),
    )
    audit = start_audit(audit, actor=manager, expected_version=audit.version)
    audit = audit_services.update(
        audit, actor=manager, expected_version=audit.version, fields={"outcome": "recommended"}
    )
    report_audit(audit, actor=manager, expected_version=audit.version)
    result = audits_at_intervals(clock.today())
    assert result.status == "missing" and result.reason == "No internal audit is planned or recorded."

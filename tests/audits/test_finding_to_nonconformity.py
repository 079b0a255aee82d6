"""What audits hand to the Act registers: a finding graded a nonconformity becomes a nonconformity (9.2 to
10.2), one per finding, with its grade and requirement, linked both ways, on the finding's page and in the
API; and a management review's inputs hold the audits completed and their open findings (9.3.2 d 3)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits import checklist
from audits.models import Finding
from reviews.models import Nonconformity
from reviews.raising import nc_from_finding
from tests.base import client_for


def _finding(make_audit, auditor, owner, result):
    audit = make_audit()
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    checklist.save_item(item, actor=auditor, expected_version=1, question=item.question, result=result,
                        notes="No risk assessment for the new model.", auditee=owner)  # fmt: skip
    return Finding.objects.get()


def test_a_major_finding_raises_one_major_nonconformity_linked_to_it(make_audit, auditor, owner):
    finding = _finding(make_audit, auditor, owner, "major_nc")

    finding = nc_from_finding(finding, actor=owner, expected_version=finding.version)

    nc = Nonconformity.objects.get()
    assert nc.finding == finding and nc.source == "audit" and nc.grade == "major"
    assert list(nc.requirements.all()) == [finding.requirement]
    assert nc.audit == finding.audit and nc.source_note == ""  # links, not a copy of their references
    # The finding is its auditors' to change, not the auditee's: raising it leaves the finding as it was,
    # and the nonconformity's link is what the finding's page lists (reviews.policies, "raising").
    assert finding.version == 1
    with pytest.raises(ValidationError, match="already has its nonconformity"):
        nc_from_finding(finding, actor=owner, expected_version=finding.version)
    assert Nonconformity.objects.count() == 1


def test_an_observation_is_not_raised_as_a_nonconformity(make_audit, auditor, owner):
    finding = _finding(make_audit, auditor, owner, "observation")
    with pytest.raises(ValidationError, match="not a nonconformity"):
        nc_from_finding(finding, actor=owner, expected_version=finding.version)
    assert not Nonconformity.objects.exists()


def test_the_finding_page_and_api_raise_it_and_an_auditor_may_not(make_audit, auditor, owner):
    finding = _finding(make_audit, auditor, owner, "minor_nc")
    assert (
        "Raise a nonconformity" in client_for(owner).get(f"/findings/{finding.reference}/").content.decode()
    )
    assert (
        "Raise a nonconformity"
        not in client_for(auditor).get(f"/findings/{finding.reference}/").content.decode()
    )

    refused = client_for(auditor).post(
        f"/api/v1/findings/{finding.reference}/raise-nonconformity/",
        {"version": finding.version},
        content_type="application/json",
    )
    assert refused.status_code == 403 and not Nonconformity.objects.exists()

    made = client_for(owner).post(
        f"/api/v1/findings/{finding.reference}/raise-nonconformity/",
        {"version": finding.version},
        content_type="application/json",
    )
    assert made.status_code == 200, made.content
    nc = Nonconformity.objects.get()
    listed = client_for(owner).get(f"/api/v1/nonconformities/?finding={finding.reference}").json()
    assert [r["reference"] for r in listed["results"]] == [nc.reference] and nc.grade == "minor"
    assert finding.reference in client_for(owner).get(f"/nonconformities/{nc.reference}/").content.decode()


def test_a_management_review_freezes_the_audits_completed_and_their_open_findings(make_audit, auditor, owner, manager,
                                                                                 board):  # fmt: skip
    from audits.services import report_audit, start_audit
    from reviews.services import freeze_inputs, review_services

    today = timezone.localdate()
    audit = make_audit(starts_on=today - dt.timedelta(days=3), ends_on=today - dt.timedelta(days=1))
    audit = start_audit(audit, actor=auditor, expected_version=audit.version)
    checklist.generate(audit, actor=auditor)
    for item in audit.checklist.all():
        checklist.save_item(item, actor=auditor, expected_version=item.version, question=item.question,
                            result="minor_nc" if item == audit.checklist.first() else "conforming",
                            notes="Checked.", auditee=owner)  # fmt: skip
    audit.refresh_from_db()
    report_audit(audit, actor=auditor, expected_version=audit.version)
    finding = Finding.objects.get()

    review = review_services.create(
        actor=manager,
        fields={"title": "Annual management review", "scheduled_on": today, "period_from": today - dt.timedelta(days=365),
                "period_to": today, "chair": board, "attendees": [manager], "owner": manager},
    )  # fmt: skip
    review = freeze_inputs(review, actor=manager, expected_version=review.version)

    section = next(s for s in review.current_inputs.sections if s["key"] == "audit_results")
    assert section["summary"] == "1 internal audit completed in the period; 1 finding still open."
    figures = dict(map(tuple, section["figures"]))
    assert figures["Findings: Minor nonconformity"] == "1" and figures["Audits completed"] == "1"
    assert {i["reference"] for i in section["items"]} == {audit.reference, finding.reference}

"""No report cuts a title with "…": a finding drawn from long checklist notes keeps its whole first
sentence, and the audit report (real WeasyPrint output, read back with pdftotext) wraps it."""

import subprocess

from aims.models import Job
from audits import checklist
from audits.models import Finding
from audits.report import KIND, audit_report_pdf
from audits.services import start_audit
from tests.base import client_for

LONG = (
    "The fraud model's false-positive rate is reported every month to the risk committee, but no threshold "
    "says when a rise calls for action, and two months above the usual rate were never discussed"
)


def test_a_long_finding_title_is_whole_in_the_audit_report(make_audit, auditor, owner, tmp_path):
    audit = start_audit(make_audit(), actor=auditor, expected_version=1)
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    checklist.save_item(item, actor=auditor, expected_version=item.version, question=item.question,
                        result="minor_nc", notes=f"{LONG}. Two samples of three.", auditee=owner)  # fmt: skip

    finding = Finding.objects.get()
    assert finding.title.endswith(LONG) and "…" not in finding.title
    client_for(auditor).post(f"/audits/{audit.reference}/report-pdf/")
    _, data = audit_report_pdf(Job.objects.get(kind=KIND), lambda percent: None)
    pdf = tmp_path / "audit.pdf"
    pdf.write_bytes(data)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "…" not in text and "..." not in text
    assert f"{finding.reference} {finding.title[:40]}" in text
    # The cover is not a page of blank: the results and the findings are summed up beside the audit's facts.
    cover = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Summary of results" in cover and "Findings: 1" in cover and finding.reference in cover

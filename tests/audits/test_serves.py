"""Registers whose records serve a clause by their nature keep that link (BaseRecord.serves): an audit is
9.2's record whatever its scope, so the clause's folder in an evidence pack holds it."""

import csv
import io

from audits.services import audit_services
from tests.audits.pack_helpers import build, read


def codes(record) -> set[str]:
    return set(record.requirements.values_list("code", flat=True))


def test_an_audit_keeps_9_2_among_its_links_even_when_they_are_cleared(make_audit, manager):
    audit = make_audit()
    assert {"9.2.1", "9.2.2"} <= codes(audit)
    audit = audit_services.update(
        audit, actor=manager, expected_version=audit.version, fields={}, requirements=[]
    )
    assert codes(audit) == {"9.2.1", "9.2.2"}


def test_the_9_2_2_folder_of_a_pack_holds_the_audits(make_audit, auditor, tmp_path):
    audit = make_audit()
    path, _ = build(auditor, {"requirements": ["iso42001:9.2.2"]}, tmp_path=tmp_path)
    rows = csv.DictReader(
        io.StringIO(read(path, "clauses/9.2.2 Internal audit programme/records.csv").decode())
    )
    assert audit.reference in [r["Reference"] for r in rows]

"""One judgement per control (lifecycle.controls): the rules that weigh the SoA's declaration, the records
and the evidence; evidence shown only to those who may see it while counted for everyone; and the
migration that turned the SoA's free-text evidence into links to the evidence library."""

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from aims.certification import MET, MISSING, PARTIAL, CheckResult, readiness
from aims.models import Change, Requirement
from audits.evidence_services import services as evidence_services
from audits.models import EvidenceLink
from lifecycle.controls import EXCLUDED, judge_controls, verdict
from lifecycle.models import SoAEntry
from lifecycle.standard import soa_entries
from tests.base import client_for


def control(code):
    return Requirement.objects.get(standard__key="iso42001", code=code)


def entry_for(owner, code, **fields):
    return soa_entries.services.create(
        actor=owner, fields={"control": control(code), "justification": "Needed here.", **fields}
    )


def piece(owner, title, *codes, **fields):
    return evidence_services.create(
        actor=owner,
        fields={"title": title, "kind": "link", "url": "https://intranet.example/e", **fields},
        requirements=[control(c) for c in codes],
    )


RECORDS = {s: CheckResult(s, f"records {s}.") for s in (MET, PARTIAL, MISSING)}


@pytest.mark.parametrize(
    "declared,records,evidence,expected",
    [
        ("implemented", MET, 0, MET),  # the records are the evidence
        ("implemented", MET, 2, MET),
        ("implemented", PARTIAL, 1, PARTIAL),
        ("implemented", MISSING, 1, PARTIAL),  # evidence, but the records do not show it
        ("implemented", MISSING, 0, MISSING),  # an "OK" in the SoA that nothing shows
        ("partial", MET, 0, PARTIAL),
        ("partial", MISSING, 0, MISSING),
        ("planned", MET, 0, PARTIAL),  # the records show it: the SoA is behind
        ("planned", MISSING, 3, MISSING),
    ],
)
def test_the_verdict_weighs_declaration_records_and_evidence(db, declared, records, evidence, expected):
    entry = SoAEntry(reference="SOAE-0001", applicable=True, implementation=declared, justification="Why.")
    status, reason = verdict(entry, RECORDS[records], evidence)
    assert status == expected and "SOAE-0001" in reason and f"records {records}." in reason


def test_excluded_unjustified_and_absent_entries(db):
    excluded = SoAEntry(reference="SOAE-0002", applicable=False, justification="No customers.")
    assert verdict(excluded, None, 0) == (EXCLUDED, "Excluded in SOAE-0002: No customers.")
    bare = SoAEntry(reference="SOAE-0003", applicable=True, implementation="implemented", justification="")
    assert verdict(bare, RECORDS[MET], 0)[0] == PARTIAL  # met, but the SoA gives no reason for it
    assert verdict(None, RECORDS[MET], 0)[0] == PARTIAL  # nothing declared yet: never met
    assert verdict(None, RECORDS[MISSING], 0)[0] == MISSING


def test_the_soa_and_readiness_read_the_same_judgement(owner, auditor):
    """Declared implemented with nothing to show: missing on both pages (the SoA once said "OK")."""
    entry = entry_for(owner, "A.6.2.7", implementation="implemented", evidence_note="Model cards")
    judged = judge_controls()["A.6.2.7"]
    assert judged.status == MISSING and judged.entry == entry
    [row] = [c for s in readiness()["sections"] for c in s["checks"] if c["code"] == "A.6.2.7"]
    assert row["status"] == MISSING and row["reason"] == judged.reason
    page = client_for(auditor).get(entry.get_absolute_url()).content.decode()
    shown = re.sub(r"<[^>]+>", "", page)  # the reason's references are links
    assert f'data-status="{MISSING}"' in page and judged.reason in shown and "Not yet in the library" in page


def test_evidence_mapped_to_the_control_counts_for_everyone_and_shows_only_to_who_may_see_it(
    owner, other_owner, manager
):
    entry = entry_for(owner, "A.6.2.7", implementation="implemented")
    secret = piece(manager, "Model risk committee pack", "A.6.2.7", confidentiality="confidential")
    for person in (manager, other_owner):
        judged = judge_controls(user=person)["A.6.2.7"]
        assert judged.status == PARTIAL and len(judged.evidence) == 1  # one piece, whoever asks
    assert [e.reference for e in judge_controls(user=manager)["A.6.2.7"].visible_evidence] == [
        secret.reference
    ]
    page = client_for(other_owner).get(entry.get_absolute_url()).content.decode()
    assert "1 evidence item you may not see" in page
    assert secret.reference not in page and "Model risk committee pack" not in page
    assert secret.reference in client_for(manager).get(entry.get_absolute_url()).content.decode()


def test_the_systems_a_control_applies_to_are_links_or_the_whole_aims(owner, auditor):
    from tests.registers import records_for_readiness as build

    system = build.system(owner)
    scoped = entry_for(owner, "A.6.2.4", systems=[system])
    wide = entry_for(owner, "A.2.2")
    page = client_for(auditor).get(scoped.get_absolute_url()).content.decode()
    assert f'<a href="{system.get_absolute_url()}">{system.reference}</a>' in page
    assert "The whole AIMS" in client_for(auditor).get(wide.get_absolute_url()).content.decode()


def test_the_migration_links_named_evidence_and_keeps_the_rest_as_a_note(owner, manager):
    migration = importlib.import_module("audits.migrations.0006_soa_evidence_links")
    by_reference = piece(owner, "Validation report, Score v3", "A.6.2.4")
    by_title = piece(owner, "Internal audit plan 2026")
    entry = entry_for(
        owner,
        "A.6.2.4",
        evidence_note=f"{by_reference.reference} the validation; Internal audit plan 2026\n"
        "Minutes of the board; EVD-9999",
    )
    migration.link_references(apps, None)
    entry.refresh_from_db()
    assert entry.evidence_note == "Minutes of the board; EVD-9999"  # unmatched text stays, visible
    linked = EvidenceLink.objects.filter(
        content_type=ContentType.objects.get_for_model(SoAEntry), object_id=entry.pk
    )
    assert {link.evidence for link in linked} == {by_reference, by_title}
    change = Change.objects.filter(object_id=entry.pk, content_type__model="soaentry").first()
    assert change.version == entry.version and "Internal audit plan 2026" in change.changes[1]["new"]
    judged = judge_controls()["A.6.2.4"]
    assert {e.reference for e in judged.evidence} == {by_reference.reference, by_title.reference}
    migration.link_references(apps, None)  # a second run links nothing again
    assert linked.count() == 2
    migration.write_references_back(apps, None)
    entry.refresh_from_db()
    assert by_title.reference in entry.evidence_note and "EVD-9999" in entry.evidence_note

"""A record someone may not open is never named where it is linked from (DESIGN.md "One permission choke
point"): a confidential piece of evidence sampled in an audit and attached to a risk and an AI system,
and concerns triaged into a risk and an incident. For each role, walk the pages, API and reports of every
record that links to them: their references appear to those who may open them, and to nobody else."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from aims.links import HIDDEN
from aims.models import Requirement
from aims.permissions import restrict
from audits import checklist
from audits.evidence_services import evidence_attach
from audits.evidence_services import services as evidence_services
from audits.models import Evidence, Finding
from audits.report import report_context as audit_report_context
from audits.services import audit_services
from lifecycle.dossier import dossier_context
from lifecycle.standard.ai_systems import services as system_services
from lifecycle.standard.incidents import services as incidents
from registers.models import Concern
from registers.standard.concerns import services as concerns
from registers.standard.concerns import triage
from tests.base import ROLES, client_for

TABS = ("", "?tab=links", "?tab=evidence", "?tab=history")


@pytest.fixture
def people(manager, board, owner, other_owner, auditor, outsider):
    return {"manager": manager, "board": board, "owner": owner, "other_owner": other_owner,
            "auditor": auditor, "outsider": outsider}  # fmt: skip


@pytest.fixture
def world(manager, owner, other_owner, auditor, make_risk):
    """`owner`'s AI system, risk and incident; `other_owner`'s confidential evidence attached to them and
    sampled by the audit of the system; two concerns `other_owner` raised, triaged by the AIMS manager into
    a risk and into the incident. `owner` may open neither the evidence nor the concerns."""
    system = system_services.create(
        actor=owner,
        fields={"title": "Claims triage", "purpose": "Sorts claims by urgency.", "kind": "ml",
                "origin": "in_house", "ai_role": "producer", "automation": "advisory"},
    )  # fmt: skip
    risk = make_risk(systems=[system])
    incident = incidents.services.create(
        actor=owner,
        fields={"title": "Urgent claims sorted last", "detected_on": timezone.localdate(), "severity": "high",
                "system": system, "description": "A feed change reversed the order.",
                "containment": "Manual sorting."},
    )  # fmt: skip
    evidence_services.create(  # EVD-0001, the example the evidence tab's input shows: an open piece
        actor=other_owner,
        fields={"title": "Model card", "kind": "link", "url": "https://docs.example.org/card"},
    )
    evidence = evidence_services.create(
        actor=other_owner,
        fields={"title": "Vendor penetration test", "kind": "link", "url": "https://docs.example.org/pentest",
                "confidentiality": Evidence.Confidentiality.CONFIDENTIAL},
    )  # fmt: skip
    for record in (risk, system):
        evidence_attach(evidence, record, actor=manager)
    today = timezone.localdate()
    audit = audit_services.create(
        actor=manager,
        fields={"title": "Claims triage audit", "criteria": "Clause 6.1.", "lead_auditor": auditor,
                "scope": list(Requirement.objects.filter(standard__key="iso42001", code="6.1.2")),
                "systems": [system], "starts_on": today + dt.timedelta(days=3),
                "ends_on": today + dt.timedelta(days=4), "owner": owner},
    )  # fmt: skip
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    checklist.save_item(item, actor=auditor, expected_version=1, question=item.question, result="minor_nc",
                        notes="The pen test is older than a year.", evidence=[evidence], auditee=owner)  # fmt: skip
    to_risk = concerns.create(
        actor=other_owner,
        fields={"title": "Triage ignores vulnerable claimants", "systems": [system], "description": "Seen."},
    )  # fmt: skip
    triage(to_risk, actor=manager, expected_version=1, outcome="risk", reason="A fairness risk.")
    to_incident = concerns.create(
        actor=other_owner,
        fields={"title": "Urgent claims were delayed", "systems": [system], "description": "Seen too."},
    )  # fmt: skip
    triage(to_incident, actor=manager, expected_version=1, outcome="incident", reason="It happened.",
           incident=incident.reference)  # fmt: skip
    to_risk.refresh_from_db()
    return {
        "system": system, "risk": risk, "incident": incident, "evidence": evidence, "audit": audit,
        "finding": Finding.objects.get(), "concern_risk": to_risk.risk, "concerns": [to_risk, to_incident],
    }  # fmt: skip


def _hidden(world, person) -> dict[str, bool]:
    """Each confidential reference, and whether `person` may open it."""
    records = [world["evidence"], *world["concerns"]]
    return {r.reference: restrict(type(r).objects.filter(pk=r.pk), person, "view").exists() for r in records}


def _walk(world, person) -> dict[str, str]:
    """What `person` is shown of every record that links to the confidential ones: page tabs, API
    details, history, the audit's checklist, the lists, and the audit report and system dossier."""
    client = client_for(person)
    shown = {}
    for key, api in (("system", "systems"), ("risk", "risks"), ("concern_risk", "risks"),
                     ("incident", "incidents"), ("audit", "audits"), ("finding", "findings")):  # fmt: skip
        record = world[key]
        for tab in TABS:
            shown[f"{record.get_absolute_url()}{tab}"] = client.get(f"{record.get_absolute_url()}{tab}")
        for path in ("", "history/"):
            url = f"/api/v1/{api}/{record.reference}/{path}"
            shown[url] = client.get(url)
    for url in (f"/api/v1/audits/{world['audit'].reference}/checklist/", "/risks/", "/api/v1/risks/",
                "/incidents/", "/api/v1/incidents/", "/notifications/"):  # fmt: skip
        shown[url] = client.get(url)
    pages = {url: response.content.decode() for url, response in shown.items()}
    if restrict(type(world["audit"]).objects.filter(pk=world["audit"].pk), person, "view").exists():
        # The reports' HTML, as their job renders it for the person who asked (aims.record_reports).
        pages["audit report"] = render_to_string(
            "reports/audit_report.html", audit_report_context(world["audit"], viewer=person)
        )
        pages["system dossier"] = render_to_string(
            "reports/system_dossier.html", dossier_context(world["system"], viewer=person)
        )
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_a_record_is_named_where_it_is_linked_only_to_those_who_may_open_it(role, people, world):
    person = people[role]
    hidden = _hidden(world, person)
    pages = _walk(world, person)
    for reference, may_open in hidden.items():
        if not may_open:
            leaks = [where for where, body in pages.items() if reference in body]
            assert not leaks, f"{role} may not open {reference} but sees it on {leaks}"
    if role == "owner":  # the one person with a role who may open neither: it is what this test is about
        assert not any(hidden.values())
        # The audit's page and report say that a record was sampled, not which (aims.links.HIDDEN).
        assert HIDDEN in pages[world["audit"].get_absolute_url()] and HIDDEN in pages["audit report"]
    if role in ("manager", "board", "auditor", "other_owner"):  # and the links are there for the others
        evidence, (to_risk, to_incident) = world["evidence"].reference, world["concerns"]
        assert all(hidden.values())
        assert evidence in pages[world["audit"].get_absolute_url()]
        assert evidence in pages[f"/api/v1/audits/{world['audit'].reference}/checklist/"]
        assert evidence in pages[f"{world['risk'].get_absolute_url()}?tab=evidence"]
        assert evidence in pages["audit report"]
        assert to_risk.reference in pages[world["concern_risk"].get_absolute_url()]
        assert to_incident.reference in pages[world["incident"].get_absolute_url()]
        assert to_risk.reference in pages[world["system"].get_absolute_url()]
        assert to_risk.reference in pages["system dossier"]


def test_the_related_groups_count_only_what_the_viewer_may_open(world, owner, board):
    """The system page's "Concerns raised" says how many there are: those the viewer may open."""
    import re

    def concerns_raised(person):
        page = client_for(person).get(world["system"].get_absolute_url()).content.decode()
        return re.search(r'Concerns raised <span class="count">(\d+)</span>', page).group(1)

    assert concerns_raised(board) == "2"
    assert concerns_raised(owner) == "0"
    assert Concern.objects.count() == 2

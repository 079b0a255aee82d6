"""Risks and concerns link the AI systems of the inventory; text the inventory does not match stays on
the record, visible, and is reported; a concern triaged as an incident links it."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aims.records import history
from aims.system_names import SystemIndex
from lifecycle.models import AISystem
from lifecycle.standard.ai_systems import services as system_services
from lifecycle.standard.incidents.services import draft_incident
from lifecycle.system_links import link_named_systems, named_in_text
from registers.models import Concern, Risk
from registers.standard.concerns import services as concerns
from registers.standard.concerns import triage
from tests.base import client_for

SYSTEM = {
    "title": "Credit scoring (Northbank Score v3)",
    "purpose": "Scores loan applications.",
    "kind": "ml",
    "origin": "in_house",
    "ai_role": "producer",
    "automation": "advisory",
}


@pytest.fixture
def credit(owner):
    return system_services.create(actor=owner, fields=SYSTEM)


@pytest.fixture
def fraud(owner):
    return system_services.create(actor=owner, fields={**SYSTEM, "title": "Fraud detection"})


# -- the matcher ------------------------------------------------------------------------------------
class Named:
    def __init__(self, reference, title):
        self.reference, self.title = reference, title


INVENTORY = [Named("SYS-0001", "Credit scoring (Northbank Score v3)"), Named("SYS-0002", "Fraud detection")]


@pytest.mark.parametrize(
    "text, references, leftover",
    [
        ("Credit scoring (Northbank Score v3)", ["SYS-0001"], ""),
        ("  credit   SCORING (northbank score v3) ", ["SYS-0001"], ""),
        ("Credit scoring", ["SYS-0001"], ""),  # the title without its bracketed part
        ("sys-0002", ["SYS-0002"], ""),
        ("Credit scoring; Fraud detection", ["SYS-0001", "SYS-0002"], ""),
        ("Fraud detection, Credt scoring", ["SYS-0002"], "Credt scoring"),  # a typo is kept, not lost
        ("The model behind SYS-0002", ["SYS-0002"], ""),
        ("All AI systems", [], ""),  # AIMS-wide: no link, nothing to keep
        ("Chatbot", [], "Chatbot"),
        ("", [], ""),
    ],
)
def test_text_matches_by_reference_title_or_title_stem_and_keeps_the_rest(text, references, leftover):
    match = SystemIndex(INVENTORY).match(text)
    assert [s.reference for s in match.systems] == references and match.leftover == leftover


def test_a_stem_two_systems_share_names_neither():
    index = SystemIndex([Named("SYS-0001", "Chatbot (web)"), Named("SYS-0002", "Chatbot (app)")])
    assert index.match("Chatbot").leftover == "Chatbot"
    assert [s.reference for s in index.match("Chatbot (app)").systems] == ["SYS-0002"]


# -- the data migration ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_migration_links_what_it_matches_keeps_the_rest_and_notes_it_in_history(owner):
    executor = MigrationExecutor(connection)
    before = [("registers", "0008_readiness"), ("lifecycle", "0004_stakeholder_publishing")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    System, Risk0, Concern0 = (old.get_model(*m) for m in [("lifecycle", "AISystem"), ("registers", "Risk"),
                                                           ("registers", "Concern")])  # fmt: skip
    Incident = old.get_model("lifecycle", "Incident")
    category = old.get_model("registers", "RiskCategory").objects.first()
    base = {"owner_id": owner.pk, "created_by_id": owner.pk, "updated_by_id": owner.pk}
    credit = System.objects.create(reference="SYS-0001", title="Credit scoring (v3)", **base)
    System.objects.create(reference="SYS-0002", title="Fraud detection", **base)
    incident = Incident.objects.create(
        reference="INC-0001", title="Wrong score", system=credit, detected_on=dt.date(2026, 11, 1), **base
    )
    scores = {f"{k}_{s}": 2 for k in ("inherent", "residual") for s in ("likelihood", "impact")}
    risks = {
        text: Risk0.objects.create(reference=f"RSK-{n:04d}", title=text or "none", ai_system=text,
                                   category=category, risk_source="C.3.4", **scores, **base)
        for n, text in enumerate(["Credit scoring", "Fraud detection; Credt scoring", "All AI systems", ""], 1)
    }  # fmt: skip
    concern = Concern0.objects.create(reference="CON-0001", title="t", ai_system="SYS-0002", description="d",
                                      raised_by_id=owner.pk, incident_reference="inc-0001", **base)  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # forward to today's schema, for the tests after

    def linked(reference):
        risk = Risk.objects.get(reference=reference)
        return [s.reference for s in risk.systems.all()], risk.system_note, risk.version

    assert linked(risks["Credit scoring"].reference) == (["SYS-0001"], "", 2)
    assert linked(risks["Fraud detection; Credt scoring"].reference) == (["SYS-0002"], "Credt scoring", 2)
    assert linked(risks["All AI systems"].reference) == ([], "", 2)
    assert linked(risks[""].reference) == ([], "", 1)  # named nothing: untouched
    note = history(Risk.objects.get(reference=risks["Fraud detection; Credt scoring"].reference)).first().note
    assert "'Fraud detection; Credt scoring'" in note and "SYS-0002" in note and "'Credt scoring'" in note
    concern = Concern.objects.get(pk=concern.pk)
    assert [s.reference for s in concern.systems.all()] == ["SYS-0002"]
    assert concern.incident.reference == incident.reference and concern.incident_reference == ""

    out = io.StringIO()
    call_command("unmatched_systems", stdout=out)
    assert "1 record(s)" in out.getvalue() and "'Credt scoring'" in out.getvalue()


# -- in the app ----------------------------------------------------------------------------------------
def test_the_risk_page_links_its_systems_and_shows_text_the_inventory_lacks(make_risk, credit, auditor):
    risk = make_risk(systems=[credit], system_note="Pricing engine")
    page = client_for(auditor).get(risk.get_absolute_url()).content.decode()
    assert f'<a href="{credit.get_absolute_url()}">{credit.reference}</a>' in page
    assert "Named in text, not in the inventory: Pricing engine" in page
    aims_wide = make_risk(title="Shadow AI", system_note="")
    assert (
        "None: a risk to the whole AIMS"
        in client_for(auditor).get(aims_wide.get_absolute_url()).content.decode()
    )


def test_the_system_page_counts_its_risks_and_the_list_filter_finds_exactly_those(
    make_risk, credit, fraud, auditor
):
    make_risk(title="Mine", systems=[credit])
    make_risk(title="Both", systems=[credit, fraud])
    make_risk(title="Theirs", systems=[fraud])
    make_risk(title="Closed", systems=[credit], status="closed")
    client = client_for(auditor)
    page = client.get(credit.get_absolute_url()).content.decode()
    assert 'AI risks <span class="count">3</span></dt>' in page  # the hub: every live risk naming the system
    listed = client.get(f"/risks/?system={credit.reference}").content.decode()
    assert "Mine" in listed and "Both" in listed and "Closed" in listed and "Theirs" not in listed
    api = client.get(f"/api/v1/risks/?system={credit.reference}").json()
    assert sorted(r["title"] for r in api["results"]) == ["Both", "Closed", "Mine"]
    assert all(credit.reference in r["systems"] for r in api["results"])


def test_a_concern_names_a_system_from_the_inventory_or_in_text(other_owner, manager, credit):
    client = client_for(other_owner)
    refused = client.post("/concerns/new/", {"title": "Odd", "description": "Why?"})
    assert refused.status_code == 400 and "Choose the AI system it is about" in refused.content.decode()
    api = client.post(
        "/api/v1/concerns/", {"title": "Odd", "description": "Why?"}, content_type="application/json"
    )
    assert api.status_code == 400 and "systems" in api.json()
    assert not Concern.objects.exists()
    made = client.post(
        "/api/v1/concerns/", {"title": "Odd", "description": "Why?", "systems": [credit.reference]},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201 and made.json()["systems"] == [credit.reference]


def test_a_concern_triaged_as_an_incident_links_it_and_an_unknown_one_is_refused(
    other_owner, manager, owner, credit
):
    concern = concerns.create(
        actor=other_owner, fields={"title": "t", "description": "d", "systems": [credit]}
    )
    with pytest.raises(ValidationError) as refused:
        triage(
            concern,
            actor=manager,
            expected_version=1,
            outcome="incident",
            reason="Real harm",
            incident="INC-9999",
        )
    assert "incident" in refused.value.message_dict
    incident = draft_incident(actor=owner, system=credit, title="Wrong score", description="d", severity="medium",
                              drafted_from="a concern")  # fmt: skip
    concern = triage(concern, actor=manager, expected_version=1, outcome="incident", reason="Real harm",
                     incident=incident.reference.lower())  # fmt: skip
    assert concern.incident == incident and list(incident.concerns.all()) == [concern]
    assert (
        client_for(manager).get("/api/v1/concerns/" + concern.reference + "/").json()["incident"]
        == incident.reference
    )


def test_linking_names_later_goes_through_the_services_and_the_report_says_what_is_left(
    make_risk, owner, manager, credit
):
    risk = make_risk(system_note="Credit scoring; Chatbot")
    AISystem.objects.filter(pk=credit.pk)  # in the inventory already: the note can be linked now
    assert [n.leftover for n in named_in_text()] == ["Chatbot"]
    assert link_named_systems(manager) == 1
    risk.refresh_from_db()
    assert list(risk.systems.all()) == [credit] and risk.system_note == "Chatbot"
    last = history(risk).first()
    assert last.actor == manager and {c["field"] for c in last.changes} >= {"systems", "system_note"}
    out = io.StringIO()
    call_command("unmatched_systems", stdout=out)
    assert f"{risk.reference}" in out.getvalue() and "'Chatbot'" in out.getvalue()


def test_the_risk_export_names_systems_by_reference_and_the_import_reads_them_back(make_risk, owner, credit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from registers.io import export_csv, import_risks
    from registers.models import RiskCriteria

    risk = make_risk(systems=[credit])
    exported = export_csv(Risk.objects.filter(pk=risk.pk), RiskCriteria.current()).decode("utf-8-sig")
    assert credit.reference in exported
    wrong = exported.replace(credit.reference, "SYS-9999")
    report = import_risks(SimpleUploadedFile("r.csv", wrong.encode()), actor=owner)
    assert not report.ok and "SYS-9999" in str(report.errors[0]) and report.errors[0].column == "ai_systems"
    unchanged = import_risks(SimpleUploadedFile("r.csv", exported.encode()), actor=owner)
    assert unchanged.ok and unchanged.unchanged == [risk.reference], unchanged.errors


def test_the_system_page_is_the_hub_of_its_records_in_constant_queries(
    make_risk, credit, fraud, owner, auditor
):
    """Every register that concerns a system shows on its page, with counts and links; adding records
    adds no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(auditor)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(credit.get_absolute_url())
        assert page.status_code == 200
        return len(captured), page.content.decode()

    def add(n):
        for k in range(n):
            make_risk(title=f"Risk {k}", systems=[credit])
            draft_incident(actor=owner, system=credit, title=f"Incident {k}", description="d", severity="low",
                           drafted_from="test")  # fmt: skip

    # A section asks one query while its records fit on the page, and one more for its count beyond.
    add(11)
    client.get(credit.get_absolute_url())  # warm per-process caches
    few, _ = queries()
    add(13)
    make_risk(title="Not this system", systems=[fraud])
    many, page = queries()
    assert many == few, f"{few} queries with 22 records, {many} with 48"
    for title in ("AI risks", "Impact assessments", "Datasets", "Model versions", "Bias assessments", "KPIs",
                  "Incidents", "Statement of Applicability controls", "Concerns raised",
                  "Audits that covered it", "Nonconformities"):  # fmt: skip
        assert f"<dt>{title} <span" in page, title
    assert (
        'AI risks <span class="count">24</span>' in page and 'Incidents <span class="count">24</span>' in page
    )
    assert f'href="/risks/?system={credit.reference}">All 24</a>' in page
    assert "Not this system" not in page


def test_a_linked_system_the_viewer_may_not_see_is_counted_never_named(
    make_risk, credit, fraud, auditor, monkeypatch
):
    from aims.policies import policy_of

    policy = type(policy_of(AISystem))
    view = policy.view

    def narrowed(self, queryset, user):
        queryset = view(self, queryset, user)
        return queryset.exclude(pk=credit.pk) if queryset.model is AISystem else queryset

    monkeypatch.setattr(policy, "view", narrowed)
    risk = make_risk(systems=[credit, fraud])
    page = client_for(auditor).get(risk.get_absolute_url()).content.decode()
    assert fraud.reference in page and "a record you may not see" in page
    assert credit.reference not in page and credit.title not in page


def test_a_hub_section_too_long_for_the_page_links_the_list_of_exactly_those(credit, fraud, owner, auditor):
    """The SoA controls applying to a system: the page shows 10, and "All N" opens the list of those N."""
    from aims.models import Requirement
    from lifecycle.standard.soa_entries import services as entries

    controls = list(Requirement.objects.mappable().filter(kind="control").order_by("position"))
    for n, control in enumerate(controls[:14]):
        systems = [credit] if n < 12 else [fraud]
        entries.create(actor=owner, fields={"control": control, "applicable": True, "justification": "Needed.",
                                            "systems": systems})  # fmt: skip
    client = client_for(auditor)
    page = client.get(credit.get_absolute_url()).content.decode()
    assert f'href="/soa-entries/?system={credit.reference}">All 12</a>' in page
    listed = client.get(f"/soa-entries/?system={credit.reference}")
    assert listed.context["page_obj"].paginator.count == 12

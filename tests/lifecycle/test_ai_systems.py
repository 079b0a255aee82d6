"""The AI system inventory (A.4): roles, rules, classification through page and API, and priority."""

import pytest

from aims.records import history
from lifecycle import eu_ai_act
from lifecycle.models import AISystem, Supplier
from lifecycle.standard.ai_systems import services
from tests.base import client_for

SYSTEM = {
    "title": "Credit scoring (Northbank Score v3)",
    "purpose": "Scores applications for consumer loans.",
    "kind": "ml",
    "origin": "in_house",
    "ai_role": "producer",
    "automation": "in_loop",
    "criticality": 5,
}


@pytest.fixture
def make_system(owner):
    def make(actor=None, **overrides):
        return services.create(actor=actor or owner, fields={**SYSTEM, **overrides})

    return make


def test_a_supplied_system_names_its_supplier(owner):
    response = client_for(owner).post(
        "/api/v1/systems/", {**SYSTEM, "origin": "supplied"}, content_type="application/json"
    )
    assert response.status_code == 400 and "supplier" in response.json()
    assert not AISystem.objects.exists()


def test_oversight_is_required_when_no_person_approves_each_decision(owner):
    data = {**SYSTEM, "automation": "autonomous", "owner": owner.pk, "review_cadence": 365}
    page = client_for(owner).post("/systems/new/", data)
    assert page.status_code == 400 and "Say who can intervene" in page.content.decode()


def full_answers(area="none", *yes):
    return {**{k: k in yes for k in eu_ai_act.yes_no_keys()}, "annex_iii": area}


def test_classifying_from_the_page_stores_tier_reasons_and_history(make_system, owner, board, auditor):
    system = make_system()
    data = {k: "yes" if k in ("profiling", "t_interacts") else "no" for k in eu_ai_act.yes_no_keys()}
    response = client_for(owner).post(
        f"/systems/{system.reference}/classify/",
        {**data, "version": system.version, "annex_iii": "essential_credit"},
        follow=True,
    )
    assert "proposing High-risk" in response.content.decode()
    system.refresh_from_db()
    assert system.eu_tier == "unclassified" and system.proposed_tier == "high"
    client_for(board).post(f"/systems/{system.reference}/classification/decide/",
                           {"version": system.version, "decision": "confirm"})  # fmt: skip
    system.refresh_from_db()
    assert system.eu_tier == "high" and system.classified_by == board
    assert system.eu_classification["answers"]["annex_iii"] == "essential_credit"
    page = client_for(auditor).get(f"/systems/{system.reference}/").content.decode()
    assert (
        "Art. 6(3), last subparagraph" in page
        and "Put a quality management system in place (Art. 17)" in page
    )
    answered = history(system).order_by("version")[1]
    assert {c["field"] for c in answered.changes} >= {
        "classification_status",
        "proposed_tier",
        "eu_classification",
    }
    assert answered.note.startswith("EU AI Act questions answered by")


def test_an_auditor_cannot_classify(make_system, auditor):
    system = make_system()
    assert client_for(auditor).get(f"/systems/{system.reference}/classify/").status_code == 403
    response = client_for(auditor).post(
        f"/api/v1/systems/{system.reference}/classification/",
        {"version": 1, "answers": {"annex_iii": "none"}},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_the_api_classifies_and_refuses_an_unknown_area(make_system, owner):
    system = make_system(ai_role="customer")
    api = client_for(owner)
    url = f"/api/v1/systems/{system.reference}/classification/"
    bad = api.post(url, {"version": 1, "answers": full_answers("astrology")}, content_type="application/json")
    assert bad.status_code == 400 and "annex_iii" in bad.json()
    done = api.post(
        url,
        {"version": 1, "answers": full_answers("employment", "x_preparatory")},
        content_type="application/json",
    )
    proposal = done.json()["proposal"]
    assert done.status_code == 200 and proposal["tier"] == "minimal" and done.json()["tier"] == "unclassified"
    assert proposal["articles"] == ["Art. 4"]  # Art. 6(4) is the provider's to document, not the deployer's
    assert any("its provider documents that assessment (Art. 6(4))" in r for r in proposal["reasons"])
    stale = api.post(url, {"version": 1, "answers": full_answers()}, content_type="application/json")
    assert stale.status_code == 409


def test_priority_puts_high_risk_and_critical_first(make_system, make_risk, auditor, owner):
    chatbot = make_system(title="Support chatbot", criticality=2)
    credit = make_system(title="Credit scoring", criticality=5)
    ocr = make_system(title="Document OCR", criticality=4)
    AISystem.objects.filter(pk=chatbot.pk).update(eu_tier="limited")
    AISystem.objects.filter(pk=credit.pk).update(eu_tier="high")
    make_risk(systems=[ocr])
    page = client_for(auditor).get("/systems/priority/").content.decode()
    assert page.index("Credit scoring") < page.index("Document OCR") < page.index("Support chatbot")
    assert ocr.reference in page


def test_priority_is_one_query_for_the_systems(make_system, auditor, django_assert_max_num_queries):
    for n in range(3):
        make_system(title=f"System {n}")
    client = client_for(auditor)
    with django_assert_max_num_queries(8) as few:
        client.get("/systems/priority/")
    for n in range(3, 10):
        make_system(title=f"System {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/systems/priority/")


def test_filters_by_tier_and_supplier(make_system, owner, auditor):
    supplier = Supplier.objects.create(
        reference="SUP-9001", title="OCR vendor", kind="model", supplies="OCR", owner=owner, created_by=owner,
        updated_by=owner,
    )  # fmt: skip
    make_system(title="Document OCR", origin="supplied", supplier=supplier)
    make_system(title="Credit scoring")
    page = client_for(auditor).get("/systems/?supplier=SUP-9001").content.decode()
    assert "Document OCR" in page and "Credit scoring" not in page


def test_empty_inventory_says_what_to_do(owner):
    assert "No AI systems yet" in client_for(owner).get("/systems/").content.decode()

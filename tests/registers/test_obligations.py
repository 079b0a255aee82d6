import pytest

from aims.records import history
from registers.models import Obligation
from registers.standard import interested_parties
from registers.standard.obligations import services
from tests.base import client_for, form_data_for

NOTE_NEEDED = "Say why it does not (fully) apply: an auditor will ask."


@pytest.fixture
def make_party(owner):
    def make(title="EU AI Office", **overrides):
        fields = {"title": title, "side": "external", **overrides}
        return interested_parties.services.create(actor=owner, fields=fields)

    return make


@pytest.fixture
def make_obligation(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "EU AI Act: deployer duties for high-risk systems",
            "kind": "law",
            "source": "EU AI Act Art. 26",
            "applicability": "applies",
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


def test_not_applicable_without_a_note_is_refused_on_the_note(make_obligation, owner):
    obligation = make_obligation()
    data = {**form_data_for(obligation), "applicability": "not_applicable", "applicability_note": " "}
    response = client_for(owner).post(f"/obligations/{obligation.reference}/edit/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["applicability_note"] == [NOTE_NEEDED]
    assert NOTE_NEEDED in response.content.decode()

    response = client_for(owner).post(
        "/api/v1/obligations/",
        {"title": "Client contract §7", "kind": "contract", "applicability": "partly"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json() == {"applicability_note": [NOTE_NEEDED]}
    assert not Obligation.objects.filter(title="Client contract §7").exists()

    response = client_for(owner).patch(
        f"/api/v1/obligations/{obligation.reference}/",
        {"applicability": "not_applicable", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["applicability_note"] == [NOTE_NEEDED]
    obligation.refresh_from_db()
    assert obligation.applicability == "applies" and obligation.version == 1


def test_with_a_note_it_may_not_apply(make_obligation, owner):
    obligation = make_obligation()
    data = {
        **form_data_for(obligation),
        "applicability": "not_applicable",
        "applicability_note": "We deploy no high-risk system in the EU.",
    }
    response = client_for(owner).post(f"/obligations/{obligation.reference}/edit/", data)
    assert response.status_code == 302
    obligation.refresh_from_db()
    assert obligation.applicability == "not_applicable" and obligation.version == 2


def test_changing_the_interested_party_is_history(make_obligation, make_party, owner, auditor):
    party = make_party()
    obligation = make_obligation()
    services.update(obligation, actor=owner, expected_version=1, fields={"interested_party": party})
    change = history(obligation).first()
    assert [c["field"] for c in change.changes] == ["interested_party"]
    assert change.changes[0]["old"] == "" and party.reference in change.changes[0]["new"]
    page = client_for(auditor).get(f"/obligations/{obligation.reference}/").content.decode()
    assert party.reference in page


def test_the_api_links_a_party_by_reference(make_party, owner):
    party = make_party()
    response = client_for(owner).post(
        "/api/v1/obligations/",
        {
            "title": "Regulator's guidance on explanations",
            "kind": "code",
            "interested_party": party.reference,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["interested_party"] == party.reference


def test_list_filters_by_kind_applicability_and_party(make_obligation, make_party, auditor):
    party = make_party("Acme Bank (client)")
    make_obligation(title="Acme master services agreement", kind="contract", interested_party=party)
    make_obligation(title="ISO/IEC 42001 certification", kind="code", applicability="assessing")
    client = client_for(auditor)
    page = client.get("/obligations/?kind=contract").content.decode()
    assert "Acme master" in page and "ISO/IEC 42001 certification" not in page
    page = client.get("/obligations/?applicability=assessing").content.decode()
    assert "ISO/IEC 42001 certification" in page and "Acme master" not in page
    page = client.get(f"/obligations/?interested_party={party.reference}").content.decode()
    assert "Acme master" in page and "ISO/IEC 42001 certification" not in page
    api = client.get(f"/api/v1/obligations/?interested_party={party.reference}").json()["results"]
    assert [r["title"] for r in api] == ["Acme master services agreement"]


def test_export_lists_what_the_filter_shows(make_obligation, auditor):
    make_obligation(title="=HYPERLINK evil", kind="internal")
    make_obligation()
    response = client_for(auditor).get("/obligations/?export=csv&kind=internal")
    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "'=HYPERLINK evil" in text and "deployer duties" not in text


def test_empty_register_says_what_to_do(owner):
    assert "No compliance obligations yet" in client_for(owner).get("/obligations/").content.decode()

"""Datasets (A.7): roles, the legal-basis rule on page and API, filters, empty states, and the
reassessment rule: a changed dataset marks its systems' risks and impact assessments and tells each owner
once (the same rule a new model version triggers, lifecycle.standard.model_versions)."""

import pytest
from django.utils import timezone

from aims import reminders
from aims.models import Notification
from aims.records import history
from lifecycle.models import Dataset, ImpactAssessment
from lifecycle.standard import ai_systems
from lifecycle.standard.datasets import services
from lifecycle.standard.impact_assessments import services as impact_assessments
from registers.models import Risk
from tests.base import client_for

SYSTEM = {"title": "Credit scoring (Northbank Score v3)", "purpose": "Scores loan applications.", "kind": "ml",
          "origin": "in_house", "ai_role": "producer", "automation": "in_loop", "criticality": 5}  # fmt: skip
DATASET = {
    "title": "Loan applications 2015-2024",
    "provenance": "Loan origination system.",
    "quality_checks": "Completeness checks on each extract.",
}


@pytest.fixture
def system(owner):
    return ai_systems.services.create(actor=owner, fields=SYSTEM)


@pytest.fixture
def make_dataset(owner):
    def make(actor=None, **overrides):
        return services.create(actor=actor or owner, fields={**DATASET, **overrides})

    return make


# -- personal data needs a legal basis --------------------------------------------------------------------
def test_personal_data_without_legal_basis_is_refused_on_the_page(owner):
    data = {**DATASET, "personal_data": "on", "legal_basis": "", "owner": owner.pk, "review_cadence": 365}
    response = client_for(owner).post("/datasets/new/", data)
    assert response.status_code == 400
    body = response.content.decode()
    field = body[body.index('for="id_legal_basis"') - 200 :]
    assert "Personal data needs a legal basis" in field[:1500] and "has-error" in field[:300]
    assert not Dataset.objects.exists()


def test_personal_data_without_legal_basis_is_refused_by_the_api_on_that_field(owner, make_dataset):
    api = client_for(owner)
    response = api.post(
        "/api/v1/datasets/", {**DATASET, "personal_data": True}, content_type="application/json"
    )
    assert response.status_code == 400 and "legal_basis" in response.json()
    record = make_dataset()
    patch = api.patch(
        f"/api/v1/datasets/{record.reference}/",
        {"personal_data": True, "version": 1},
        content_type="application/json",
    )
    assert patch.status_code == 400 and "legal_basis" in patch.json()
    ok = api.patch(
        f"/api/v1/datasets/{record.reference}/",
        {"personal_data": True, "legal_basis": "Contract (Art. 6(1)(b))", "version": 1},
        content_type="application/json",
    )
    assert ok.status_code == 200


# -- reassessment ------------------------------------------------------------------------------------------
@pytest.fixture
def dependants(owner, other_owner, system, make_risk):
    """A system's live risks of two owners, a closed risk, another system's risk, and its assessment."""
    mine = make_risk(systems=[system])
    theirs = make_risk(actor=other_owner, systems=[system], title="Drift after retraining")
    closed = make_risk(systems=[system], title="Old risk", status="closed")
    elsewhere = make_risk(system_note="CV screening", title="Unrelated")
    assessment = impact_assessments.services.create(
        actor=owner, fields={"title": "Credit AIA", "system": system, "scope": "Consumer loans."}
    )
    return {
        "mine": mine,
        "theirs": theirs,
        "closed": closed,
        "elsewhere": elsewhere,
        "assessment": assessment,
    }


def test_a_changed_dataset_marks_risks_and_assessments_and_tells_each_owner_once(
    make_dataset, system, dependants, manager, owner, other_owner, board
):
    record = make_dataset(systems=[system])
    services.update(
        record,
        actor=manager,
        expected_version=record.version,
        fields={"quality_checks": "Drift report added."},
    )
    note = f"Reassessment due: dataset {record.reference} changed (quality checks done)"
    today = timezone.localdate()
    for key in ("mine", "theirs"):
        risk = Risk.objects.get(pk=dependants[key].pk)
        assert risk.next_review_on == today
        assert history(risk).first().note == note and history(risk).first().actor == manager
    for key in ("closed", "elsewhere"):
        risk = Risk.objects.get(pk=dependants[key].pk)
        assert risk.next_review_on > today and risk.version == 1
    assessment = ImpactAssessment.objects.get()
    assert assessment.reassessment_due and history(assessment).first().note == note
    assert Notification.objects.filter(user=owner).count() == 1
    assert Notification.objects.filter(user=other_owner).count() == 1
    assert not Notification.objects.filter(user=board).exists()
    message = Notification.objects.get(user=owner).message
    assert dependants["mine"].reference in message and assessment.reference in message
    page = client_for(owner).get(f"/impact-assessments/{assessment.reference}/").content.decode()
    assert "Reassessment due" in page and record.reference in page
    reminders.sweep(today)  # the daily sweep now reminds the risk owners of the review due today
    assert Notification.objects.filter(user=other_owner, key__startswith="review:registers.risk:").exists()


def test_a_title_change_or_an_unlinked_dataset_marks_nothing(make_dataset, system, dependants, owner):
    linked = make_dataset(systems=[system])
    services.update(linked, actor=owner, expected_version=linked.version, fields={"title": "Renamed"})
    unlinked = make_dataset(title="Unlinked")
    services.update(unlinked, actor=owner, expected_version=1, fields={"provenance": "Elsewhere."})
    assert not ImpactAssessment.objects.get().reassessment_due
    assert not Notification.objects.exists()


# -- filters and empty states ------------------------------------------------------------------------------
def test_filters(make_dataset, system, owner):
    personal = make_dataset(title="Personal", personal_data=True, legal_basis="Consent", systems=[system])
    plain = make_dataset(title="Plain")
    client = client_for(owner)

    def refs(query):
        return {r["reference"] for r in client.get(f"/api/v1/datasets/?{query}").json()["results"]}

    assert refs("personal_data=true") == {personal.reference}
    assert refs("personal_data=false") == {plain.reference}
    assert refs(f"system={system.reference}") == {personal.reference}
    page = client.get(f"/datasets/?system={system.reference}").content.decode()
    assert personal.reference in page and plain.reference not in page


def test_empty_list_says_what_to_do(owner):
    assert "No datasets yet." in client_for(owner).get("/datasets/").content.decode()

"""Model versions (A.6.2): roles, four-eyes approval, the unique version rule on page and API, and the key
rule: a new model version marks the system's live risks and impact assessments for reassessment and
tells each owner once."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from aims.models import Notification
from aims.records import history
from lifecycle.models import ImpactAssessment, ModelVersion
from lifecycle.standard import ai_systems
from lifecycle.standard.impact_assessments import services as impact_assessments
from lifecycle.standard.model_versions import approve, mark_reassessment_due, services
from registers.models import Risk
from tests.base import RegisterRoleMatrix, client_for, form_data_for

SYSTEM = {"title": "Credit scoring (Northbank Score v3)", "purpose": "Scores loan applications.", "kind": "ml",
          "origin": "in_house", "ai_role": "producer", "automation": "in_loop", "criticality": 5}  # fmt: skip


@pytest.fixture
def system(owner):
    return ai_systems.services.create(actor=owner, fields=SYSTEM)


@pytest.fixture
def make_version(owner, system):
    def make(actor=None, label="3.1", **overrides):
        fields = {
            "title": f"Northbank Score {label}", "system": system, "model_version": label,
            "released_on": dt.date(2025, 3, 1), "change_description": "Retrained with 2024 data.",
        }  # fmt: skip
        return services.create(actor=actor or owner, fields={**fields, **overrides})

    return make


class TestModelVersionRoles(RegisterRoleMatrix):
    model = ModelVersion
    url_prefix = "model-versions"
    api_prefix = "/api/v1/model-versions/"

    @pytest.fixture
    def record(self, make_version):
        return make_version()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self, system):
        return {"title": "Score 4.0", "system": system.reference, "model_version": "4.0", "released_on": "2025-06-01",
                "change_description": "New features."}  # fmt: skip


# -- four-eyes approval ------------------------------------------------------------------------------------
def test_the_owner_never_approves_the_board_or_the_manager_does(make_version, owner, board, manager, auditor):
    record = make_version()
    with pytest.raises(PermissionDenied, match="Four eyes"):
        approve(record, actor=owner, expected_version=record.version)
    with pytest.raises(PermissionDenied, match="governance board or the AIMS manager"):
        approve(record, actor=auditor, expected_version=record.version)
    assert (
        "Approve release"
        not in client_for(owner).get(f"/model-versions/{record.reference}/").content.decode()
    )
    assert (
        "Approve release" in client_for(manager).get(f"/model-versions/{record.reference}/").content.decode()
    )
    response = client_for(board).post(
        f"/model-versions/{record.reference}/approve/", {"version": record.version}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.approved_by == board and record.approved_on == timezone.localdate()
    change = history(record).first()
    assert change.action == "approved" and {c["field"] for c in change.changes} == {
        "approved_by",
        "approved_on",
    }
    other = make_version(label="3.2")
    api = client_for(manager).post(
        f"/api/v1/model-versions/{other.reference}/approve/", {"version": other.version},
        content_type="application/json",
    )  # fmt: skip
    assert api.status_code == 200


def test_an_approved_version_is_a_400_not_a_403_and_offers_no_button(make_version, board, manager):
    """One guard (ModelVersionPolicy.can_approve) for the service and the button: who may approve is a
    403, a version already approved a 400, and neither shows the button."""
    record = approve(make_version(), actor=board, expected_version=1)
    with pytest.raises(ValidationError, match="already approved"):
        approve(record, actor=manager, expected_version=record.version)
    page = client_for(manager).get(f"/model-versions/{record.reference}/").content.decode()
    assert "Approve release" not in page
    api = client_for(manager).post(
        f"/api/v1/model-versions/{record.reference}/approve/", {"version": record.version},
        content_type="application/json",
    )  # fmt: skip
    assert api.status_code == 400 and "already approved" in api.content.decode()


def test_changed_content_withdraws_the_approval(make_version, owner, board):
    record = make_version()
    record = approve(record, actor=board, expected_version=record.version)
    record = services.update(
        record, actor=owner, expected_version=record.version, fields={"title": "Renamed"}
    )
    assert record.approved_by == board
    record = services.update(
        record, actor=owner, expected_version=record.version, fields={"evaluation": "AUC 0.79"}
    )
    assert record.approved_by is None and record.approved_on is None


# -- one version per system --------------------------------------------------------------------------------
def test_a_version_is_recorded_once_per_system_named_on_its_field(make_version, owner, system):
    make_version()
    data = {"title": "Again", "system": system.pk, "model_version": "3.1", "released_on": "2025-03-02",
            "change_description": "Again.", "owner": owner.pk, "review_cadence": 365}  # fmt: skip
    page = client_for(owner).post("/model-versions/new/", data)
    assert page.status_code == 400 and "already has a model version 3.1" in page.content.decode()
    api = client_for(owner).post(
        "/api/v1/model-versions/", {**data, "system": system.reference, "owner": owner.username},
        content_type="application/json",
    )  # fmt: skip
    assert api.status_code == 400 and "model_version" in api.json()
    assert ModelVersion.objects.count() == 1


# -- the key rule ----------------------------------------------------------------------------------------
@pytest.fixture
def dependants(owner, other_owner, system, make_risk):
    mine = make_risk(systems=[system])
    theirs = make_risk(actor=other_owner, systems=[system], title="Drift after retraining")
    elsewhere = make_risk(system_note="CV screening", title="Unrelated")
    assessment = impact_assessments.services.create(
        actor=owner, fields={"title": "Credit AIA", "system": system, "scope": "Consumer loans."}
    )
    return {"mine": mine, "theirs": theirs, "elsewhere": elsewhere, "assessment": assessment}


def test_a_new_model_version_marks_the_systems_risks_and_assessments(
    make_version, dependants, owner, other_owner, manager
):
    record = make_version(actor=manager)
    note = f"Reassessment due: model version 3.1 of {record.system.reference}"
    for key in ("mine", "theirs"):
        risk = Risk.objects.get(pk=dependants[key].pk)
        assert risk.next_review_on == timezone.localdate() and history(risk).first().note == note
    assert Risk.objects.get(pk=dependants["elsewhere"].pk).version == 1
    assessment = ImpactAssessment.objects.get()
    assert assessment.reassessment_due and history(assessment).first().note == note
    assert Notification.objects.filter(user=owner).count() == 1
    assert Notification.objects.filter(user=other_owner).count() == 1


def test_marking_works_on_its_own_and_each_owner_hears_once(system, dependants, owner, other_owner, manager):
    """The rule itself, independent of how a model version is stored: two runs for the same change
    (the same key) notify nobody twice."""
    for _ in range(2):
        marked = mark_reassessment_due(
            [system], actor=manager, reason="model version 3.1 of SYS-0001", key="reassess:test", url="/"
        )
        assert marked == 3
    assert Notification.objects.filter(user=owner).count() == 1
    assert Notification.objects.filter(user=other_owner).count() == 1
    notified = Notification.objects.get(user=other_owner)
    assert notified.kind == Notification.Kind.REVIEW_DUE
    assert notified.url == dependants["theirs"].get_absolute_url()  # one record: a link straight to it
    risk = Risk.objects.get(pk=dependants["mine"].pk)
    assert history(risk).first().note == "Reassessment due: model version 3.1 of SYS-0001"


def test_an_approved_assessment_marked_due_is_cleared_by_its_next_approval(system, owner, board, manager):
    from aims import publishing

    record = impact_assessments.services.create(
        actor=owner, fields={"title": "Credit AIA", "system": system, "scope": "Consumer loans."}
    )
    record = publishing.submit(record, actor=owner, expected_version=record.version)
    record = impact_assessments.approve(record, actor=board, expected_version=record.version)
    mark_reassessment_due([system], actor=manager, reason="model version 3.1", key="k", url="/")
    record.refresh_from_db()
    assert record.reassessment_due
    record = publishing.revise(record, actor=owner, expected_version=record.version)
    record = publishing.submit(record, actor=owner, expected_version=record.version)
    record = impact_assessments.approve(record, actor=board, expected_version=record.version)
    assert not record.reassessment_due and record.version_number == 2


# -- page ----------------------------------------------------------------------------------------------
def test_empty_list_says_what_to_do(owner):
    assert "No model versions yet." in client_for(owner).get("/model-versions/").content.decode()


def test_a_risk_due_for_reassessment_says_so_on_its_page_in_its_list_and_until_it_is_reassessed(
    make_version, dependants, owner, manager
):
    from registers.services import risk_mark_reviewed, risk_update

    make_version(actor=manager)
    mine, theirs = (Risk.objects.get(pk=dependants[k].pk) for k in ("mine", "theirs"))
    assert mine.reassessment_due.startswith("model version 3.1 of")
    client = client_for(owner)
    page = client.get(mine.get_absolute_url()).content.decode()
    assert "Reassessment due:</strong> model version 3.1 of" in page
    listed = client.get("/risks/?reassessment_due=true").content.decode()
    assert mine.reference in listed and dependants["elsewhere"].reference not in listed
    from tests.base import dashboard_html

    dashboard = dashboard_html(client)  # the owner's: one of theirs to reassess, linked to the list of it
    assert 'data-count="1" href="/risks/?mine=true&amp;reassessment_due=true"' in dashboard
    assert client.get("/risks/?mine=true&reassessment_due=true").context["page_obj"].paginator.count == 1
    # A change that is not to the assessment leaves it due; a new assessment, or a review, settles it.
    mine = risk_update(
        mine, actor=owner, expected_version=mine.version, fields={"description": "More words."}
    )
    assert mine.reassessment_due
    mine = risk_update(mine, actor=owner, expected_version=mine.version, fields={"residual_likelihood": 1})
    assert mine.reassessment_due == "" and history(mine).first().changes
    theirs = risk_mark_reviewed(theirs, actor=manager, expected_version=theirs.version)
    assert theirs.reassessment_due == ""
    assert mine.reference not in client.get("/risks/?reassessment_due=true").content.decode()

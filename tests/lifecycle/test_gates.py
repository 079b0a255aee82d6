"""Stage gates (8.1, A.6): checks computed from the records, four eyes, one pending review, approval
moving the stage with history, stale checklists, criteria overrides, pages, API and dashboard."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from aims.policies import policy_of
from aims.records import create_record, history
from lifecycle import eu_ai_act, gates
from lifecycle.classification import answer_classification, confirm_classification
from lifecycle.models import (
    AISystem,
    BiasAssessment,
    GateCriteria,
    GateReview,
    ImpactAssessment,
    ModelVersion,
)
from lifecycle.standard.ai_systems import services
from registers.models import Document
from tests.base import client_for, dashboard_html

SYSTEM = {
    "title": "Credit scoring",
    "purpose": "Scores applications for consumer loans.",
    "kind": "ml",
    "origin": "in_house",
    "ai_role": "producer",
    "automation": "in_loop",
    "criticality": 4,
}


@pytest.fixture
def make_system(owner):
    def make(stage="design", tier="minimal", **overrides):
        system = services.create(actor=owner, fields={**SYSTEM, **overrides})
        AISystem.objects.filter(pk=system.pk).update(stage=stage, eu_tier=tier)
        system.refresh_from_db()
        return system

    return make


@pytest.fixture
def ready_for_deployment(make_system, owner, manager, board):
    """A system in validation whose records meet every default check of the deployment gate."""
    system = make_system(stage="validation", oversight="The credit officer reviews every decline.")
    aia = create_record(ImpactAssessment, actor=owner, fields={
        "title": "Impact of credit scoring", "owner": owner, "system": system, "scope": "Consumer loans.",
    })  # fmt: skip
    ImpactAssessment.objects.filter(pk=aia.pk).update(version_number=1, status="published")
    bias = create_record(BiasAssessment, actor=owner, fields=bias_fields(owner, system))
    BiasAssessment.objects.filter(pk=bias.pk).update(passed=True)
    create_record(ModelVersion, actor=owner, fields={
        "title": "v3", "owner": owner, "system": system, "model_version": "3", "released_on": dt.date(2025, 1, 1),
        "evaluation": "AUC 0.81 on the hold-out set.", "change_description": "Retrained.",
    })  # fmt: skip
    create_record(Document, actor=manager, fields={
        "title": "Credit scoring deployment plan", "owner": manager, "kind": "procedure",
        "status": "approved",
        "approver": board,
    })  # fmt: skip
    return system


def bias_fields(owner, system):
    return {"title": "Fairness", "owner": owner, "system": system, "ratio_threshold": Decimal("0.80"),
            "difference_threshold": Decimal("0.20")}  # fmt: skip


def ask(system, actor, approver, note="Ready.", **kwargs):
    return gates.request_gate(system, actor=actor, approver=approver, evidence_note=note, **kwargs)


# -- Stages and checks ----------------------------------------------------------------------------------
def test_a_system_moves_to_the_next_stage_or_to_decommissioning_after_design():
    assert gates.targets("design") == ["development"]
    assert gates.targets("validation") == ["deployment", "decommissioned"]
    assert gates.targets("operation") == ["decommissioned"]
    assert gates.targets("decommissioned") == []


def test_a_blocked_request_lists_exactly_what_is_missing_and_saves_nothing(make_system, owner, board):
    system = make_system(stage="validation")
    with pytest.raises(ValidationError) as refused:
        ask(system, owner, board)
    message = " ".join(refused.value.messages)
    expected_missing = [
        "An impact assessment is approved", "The latest bias assessment passed",
        "Verification and validation results are recorded", "Human oversight is defined",
        "A deployment plan is approved",
    ]  # fmt: skip
    for label in expected_missing:
        assert label in message
    assert f"No impact assessment of {system.reference} has been approved" in message
    assert f"No bias assessment of {system.reference} yet" in message
    assert "No risk above the appetite" not in message  # met, so not listed
    assert not GateReview.objects.exists()
    system.refresh_from_db()
    assert system.stage == "validation" and system.version == 1


def test_every_default_check_met_lets_the_deployment_gate_be_asked(ready_for_deployment, owner, board):
    review = ask(ready_for_deployment, owner, board)
    assert review.to_stage == "deployment" and review.decision == "pending"
    assert {i["key"] for i in review.checklist} == {"not_prohibited", *gates.DEFAULT_CRITERIA["deployment"]}
    assert all(i["met"] for i in review.checklist)


def test_a_risk_above_the_appetite_without_acceptance_blocks_the_gate(make_system, make_risk, owner, board):
    system = make_system(stage="deployment")
    risk = make_risk(
        systems=[system],
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=5,
        residual_impact=5,
    )
    with pytest.raises(ValidationError, match=f"not accepted: {risk.reference}"):
        ask(system, owner, board)


def test_a_failed_latest_bias_assessment_is_unmet(make_system, owner):
    system = make_system()
    bias = create_record(BiasAssessment, actor=owner, fields=bias_fields(owner, system))
    BiasAssessment.objects.filter(pk=bias.pk).update(passed=False)
    met, detail = gates.CHECKS["bias_passed"][1](system)
    assert not met and detail == f"{bias.reference}, the latest bias assessment, failed."


def test_decommissioning_needs_a_note_and_is_not_offered_from_design(make_system, owner, board):
    system = make_system(stage="operation")
    with pytest.raises(ValidationError, match="what happens to the system's data and models"):
        ask(system, owner, board, note="", to_stage="decommissioned")
    review = ask(
        system, owner, board, note="Data deleted; models archived for 7 years.", to_stage="decommissioned"
    )
    assert review.to_stage == "decommissioned"
    with pytest.raises(ValidationError, match="stages are not skipped"):
        ask(make_system(title="Chatbot"), owner, board, note="Gone.", to_stage="decommissioned")


def test_stages_are_not_skipped(make_system, owner, board):
    with pytest.raises(ValidationError, match="stages are not skipped"):
        ask(make_system(), owner, board, to_stage="validation")


# -- Four eyes and who may do what ------------------------------------------------------------------------
def test_the_owner_cannot_be_the_approver(make_system, owner, manager):
    system = make_system()
    owner.groups.add(*manager.groups.all())  # even an owner who is also AIMS manager
    owner = type(owner).objects.get(pk=owner.pk)
    with pytest.raises(ValidationError) as refused:
        ask(system, manager, owner)
    assert "owns" in refused.value.message_dict["approver"][0]
    assert owner not in gates.eligible_approvers(system)


def test_the_approver_must_be_manager_or_board_and_not_the_requester(
    make_system, owner, other_owner, manager
):
    system = make_system()
    with pytest.raises(ValidationError) as refused:
        ask(system, owner, other_owner)
    assert "only the AIMS manager or the governance board" in refused.value.message_dict["approver"][0]
    with pytest.raises(ValidationError) as refused:
        ask(system, manager, manager)
    assert "you asked for" in refused.value.message_dict["approver"][0]


@pytest.mark.parametrize("role", ["board", "auditor", "other_owner"])
def test_only_people_who_may_change_the_system_ask_for_a_gate(role, request, make_system, manager):
    with pytest.raises(PermissionDenied):
        ask(make_system(), request.getfixturevalue(role), manager)


def test_one_pending_review_per_system(make_system, owner, board, manager):
    system = make_system()
    ask(system, owner, board)
    with pytest.raises(ValidationError, match="already has a gate review waiting"):
        ask(system, owner, manager)
    assert GateReview.objects.count() == 1


def test_only_the_designated_approver_decides(make_system, owner, board, manager):
    review = ask(make_system(), owner, board)
    for someone in (manager, owner):
        with pytest.raises(PermissionDenied, match="designated approver"):
            gates.decide_gate(review, actor=someone, approve=True, reason="")
    review.refresh_from_db()
    assert review.decision == "pending"


def test_approval_moves_the_stage_and_the_history_names_the_gate(make_system, owner, board):
    system = make_system()
    review = ask(system, owner, board)
    gates.decide_gate(review, actor=board, approve=True, reason="Classified minimal risk.")
    system.refresh_from_db()
    review.refresh_from_db()
    assert system.stage == "development" and system.version == 2
    assert review.decision == "approved" and review.decided_at is not None
    change = history(system).first()
    assert change.actor == board
    assert {
        "field": "stage",
        "label": "Stage",
        "old": "Planning and design",
        "new": "Development and training",
    } in (change.changes)
    assert change.note.startswith("Gate Planning and design → Development and training approved by Boris")


def test_rejection_needs_a_reason(make_system, owner, board):
    system = make_system()
    review = ask(system, owner, board)
    with pytest.raises(ValidationError, match="Say why"):
        gates.decide_gate(review, actor=board, approve=False, reason=" ")
    gates.decide_gate(review, actor=board, approve=False, reason="Classify it again first.")
    review.refresh_from_db()
    system.refresh_from_db()
    assert review.decision == "rejected" and review.reason == "Classify it again first."
    assert system.stage == "design"


def test_a_check_unmet_since_the_request_blocks_approval(make_system, owner, board):
    system = make_system()
    review = ask(system, owner, board)
    AISystem.objects.filter(pk=system.pk).update(eu_tier="unclassified")
    with pytest.raises(ValidationError) as refused:
        gates.decide_gate(review, actor=board, approve=True, reason="")
    assert "no longer met: Classified under the EU AI Act" in refused.value.messages[0]
    system.refresh_from_db()
    review.refresh_from_db()
    assert system.stage == "design" and review.decision == "pending"


def test_the_requester_or_owner_withdraws(make_system, owner, manager, board, other_owner):
    system = make_system()
    review = ask(system, manager, board)
    with pytest.raises(PermissionDenied):
        gates.withdraw_gate(review, actor=other_owner)
    gates.withdraw_gate(review, actor=owner)
    review.refresh_from_db()
    assert review.decision == "withdrawn"
    assert ask(system, owner, board).decision == "pending"  # a new request is possible again


@pytest.mark.parametrize("role", ["owner", "board", "manager", "other_owner"])
def test_the_page_offers_decide_and_withdraw_where_the_gate_policy_allows(
    role, request, make_system, owner, board
):
    """Who decides and who withdraws is GateReviewPolicy's: the page's buttons and the services ask it."""
    review = ask(make_system(), owner, board)
    person = request.getfixturevalue(role)
    page = client_for(person).get(review.system.get_absolute_url())
    assert page.context["gate_can_decide"] is (role == "board")
    assert page.context["gate_can_withdraw"] is (role == "owner")  # the requester, who owns the system
    policy = policy_of(review)
    if role != "board":
        with pytest.raises(PermissionDenied, match=policy.refusal("decide", person, review)):
            gates.decide_gate(review, actor=person, approve=False, reason="No.")
    assert bool(policy.refusal("withdraw", person, review)) is (role != "owner")


# -- Criteria ---------------------------------------------------------------------------------------------
def test_criteria_override_the_defaults_and_are_logged(make_system, owner, manager, board):
    system = make_system(tier="unclassified", oversight="A reviewer checks each output.")
    with pytest.raises(ValidationError, match="not yet classified"):
        ask(system, owner, board)
    gates.set_criteria(actor=manager, wanted={"development": ["oversight_defined"]})
    assert gates.required_checks("development") == ["oversight_defined"]
    assert GateCriteria.objects.get(stage="development").updated_by == manager
    assert [i["key"] for i in ask(system, owner, board).checklist] == ["not_prohibited", "oversight_defined"]
    change = gates.criteria_log().first()
    assert change.actor == manager and change.changes[0]["old"] == "Classified under the EU AI Act"


def test_only_the_manager_changes_criteria_and_others_are_told_why(manager, owner, board):
    page = client_for(board).get("/systems/gate-criteria/").content.decode()
    assert "Only the AIMS manager changes" in page and "Required" in page
    refused = client_for(owner).post("/systems/gate-criteria/", {"development": ["bias_passed"]})
    assert refused.status_code == 403 and "Only the AIMS manager" in refused.content.decode()
    assert not GateCriteria.objects.exists()
    client_for(manager).post("/systems/gate-criteria/", {"development": ["bias_passed"]})
    page = client_for(manager).get("/systems/gate-criteria/").content.decode()
    assert "The latest bias assessment passed" in page and "Maria" in page
    assert GateCriteria.objects.get(stage="development").checks == ["bias_passed"]


# -- Pages ------------------------------------------------------------------------------------------------
def test_without_an_eligible_approver_the_page_says_so(make_system, owner, manager):
    page = client_for(manager).get(f"/systems/{make_system().reference}/").content.decode()
    assert "No one can approve this gate yet" in page and "Request the gate" not in page


def test_the_page_shows_the_checklist_in_words_and_the_request_form_to_the_owner(
    make_system, owner, auditor, board
):
    system = make_system(tier="unclassified")
    page = client_for(owner).get(f"/systems/{system.reference}/").content.decode()
    assert "Stage gates" in page and "Gate into Development and training" in page
    assert "✗ Not met" in page and "Request the gate" in page
    assert f'<option value="{board.pk}">Boris</option>' in page
    page = client_for(auditor).get(f"/systems/{system.reference}/").content.decode()
    assert "✗ Not met" in page and "Request the gate" not in page


def test_request_and_approve_through_the_pages(make_system, owner, board, auditor):
    system = make_system()
    evidence = SimpleUploadedFile(
        "classification.txt", b"Minimal risk, see answers.", content_type="text/plain"
    )
    response = client_for(owner).post(
        f"/systems/{system.reference}/gates/request/",
        {"approver": board.pk, "evidence_note": "Classified.", "evidence": evidence},
        follow=True,
    )
    assert "Gate into Development and training requested; Boris decides." in response.content.decode()
    review = GateReview.objects.get()
    assert review.evidence_name == "classification.txt" and len(review.evidence_sha256) == 64
    board_page = client_for(board).get(f"/systems/{system.reference}/").content.decode()
    assert "Approve the gate" in board_page
    assert "Approve the gate" not in client_for(owner).get(f"/systems/{system.reference}/").content.decode()

    download = client_for(auditor).get(f"/systems/{system.reference}/gates/{review.pk}/evidence/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == b"Minimal risk, see answers."

    response = client_for(board).post(
        f"/systems/{system.reference}/gates/{review.pk}/decide/",
        {"decision": "approve", "reason": ""},
        follow=True,
    )
    assert f"{system.reference} is now in Development and training" in response.content.decode()
    system.refresh_from_db()
    assert system.stage == "development"


def test_a_blocked_request_on_the_page_says_what_is_missing(make_system, owner, board):
    system = make_system(tier="unclassified")
    response = client_for(owner).post(
        f"/systems/{system.reference}/gates/request/",
        {"approver": board.pk, "evidence_note": ""},
        follow=True,
    )
    body = response.content.decode()
    assert "cannot be requested yet. Missing: Classified under the EU AI Act" in body
    assert not GateReview.objects.exists()


def gate_section(page: str) -> str:
    return page.split('<section id="gates"')[1].split("</section>")[0]


def test_the_request_button_is_disabled_with_each_unmet_check_listed_before_anyone_presses(
    make_system, owner, board
):
    blocked = make_system(tier="unclassified")
    section = gate_section(client_for(owner).get(blocked.get_absolute_url()).content.decode())
    assert re.search(
        r'<button class="button primary" disabled aria-describedby="gate-unmet-development">', section
    )
    unmet = section.split('id="gate-unmet-development"')[1].split("</div>")[0]
    assert "The gate into Development and training cannot be requested yet." in unmet
    assert "<strong>Classified under the EU AI Act</strong>" in unmet and "not yet classified" in unmet
    ready = gate_section(
        client_for(owner).get(make_system(title="Ready").get_absolute_url()).content.decode()
    )
    assert '<button class="button primary">Request the gate</button>' in ready and "gate-unmet" not in ready


def test_a_blocked_next_stage_leaves_decommissioning_to_be_requested(make_system, owner, board):
    """Into deployment is refused until its checks are met; decommissioning, met by the request's own note,
    stays offered, so the button stays active and the blocked choice says why."""
    system = make_system(stage="validation")
    section = gate_section(client_for(owner).get(system.get_absolute_url()).content.decode())
    assert '<option value="deployment" disabled>Deployment (not yet: ' in section
    assert '<option value="decommissioned">Decommissioning</option>' in section
    assert '<button class="button primary">Request the gate</button>' in section
    assert 'id="gate-unmet-deployment"' in section and 'id="gate-unmet-decommissioned"' not in section


def test_a_refused_request_is_answered_beside_the_form_with_what_was_entered(make_system, owner, board):
    system = make_system(stage="validation")
    client = client_for(owner)
    url = f"/systems/{system.reference}/gates/request/"
    posted = {"to_stage": "decommissioned", "approver": board.pk, "evidence_note": "  "}
    response = client.post(url, posted)
    assert response.status_code == 302 and response["Location"].endswith("#gate-outcome")
    page = client.get(response["Location"]).content.decode()
    refusal = "The gate into Decommissioning cannot be requested yet. Missing: A decommissioning record"
    assert page.count(refusal) == 1  # once: not also at the top of the page, off-screen
    section = gate_section(page)
    outcome = section.index('id="gate-outcome"')
    assert refusal in section[outcome:] and outcome < section.index("Request a gate review")
    assert section.index(refusal) < section.index('action="/systems/')  # right above the form used
    assert f'<option value="{board.pk}" selected>' in section  # what they entered is kept
    assert not GateReview.objects.exists()
    assert refusal not in client.get(system.get_absolute_url()).content.decode()  # said once, then gone


def test_a_refused_decision_is_answered_beside_the_decision_form(make_system, owner, board):
    system = make_system()
    ask(system, owner, board)
    review = GateReview.objects.get()
    client = client_for(board)
    response = client.post(f"/systems/{system.reference}/gates/{review.pk}/decide/", {"decision": "reject"})
    section = gate_section(client.get(response["Location"]).content.decode())
    outcome = section.index('id="gate-outcome"')
    assert "Say why the gate is rejected" in section[outcome:].split("</div>")[0]
    assert section.index("Waiting for a decision") < outcome < section.index("Reject the gate")


def test_pages_refuse_by_role(make_system, owner, board, auditor, outsider, manager):
    system = make_system()
    url = f"/systems/{system.reference}/gates/request/"
    assert client_for(auditor).post(url, {"approver": board.pk}).status_code == 403
    assert client_for(outsider).post(url, {"approver": board.pk}).status_code == 404
    review = ask(system, owner, board)
    decide = f"/systems/{system.reference}/gates/{review.pk}/decide/"
    assert client_for(manager).post(decide, {"decision": "approve"}).status_code == 403
    assert (
        client_for(outsider).get(f"/systems/{system.reference}/gates/{review.pk}/evidence/").status_code
        == 404
    )


# -- API --------------------------------------------------------------------------------------------------
def test_api_lists_history_and_the_next_checklist(make_system, owner, board, auditor):
    system = make_system(stage="validation")
    data = client_for(auditor).get(f"/api/v1/systems/{system.reference}/gates/").json()
    assert data["stage"] == "validation" and [n["to_stage"] for n in data["next"]] == [
        "deployment",
        "decommissioned",
    ]
    assert data["next"][0]["ready"] is False and data["reviews"] == []


def test_api_request_and_decision(make_system, owner, board, manager):
    system = make_system()
    url = f"/api/v1/systems/{system.reference}/gates/"
    response = client_for(owner).post(url, {"approver": "boris", "evidence_note": "Classified."},
                                      content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    review_id = response.json()["reviews"][0]["id"]
    decision = f"{url}{review_id}/decision/"
    assert (
        client_for(manager)
        .post(decision, {"decision": "approve"}, content_type="application/json")
        .status_code
        == 403
    )
    rejected = client_for(board).post(decision, {"decision": "reject"}, content_type="application/json")
    assert rejected.status_code == 400 and "reason" in rejected.json()
    approved = client_for(board).post(decision, {"decision": "approve"}, content_type="application/json")
    assert approved.status_code == 200 and approved.json()["stage"] == "development"
    assert approved.json()["reviews"][0]["decision"] == "approved"


def test_api_blocked_request_is_a_400_naming_what_is_missing(make_system, owner, board, auditor):
    system = make_system(tier="unclassified")
    url = f"/api/v1/systems/{system.reference}/gates/"
    response = client_for(owner).post(url, {"approver": "boris"}, content_type="application/json")
    assert response.status_code == 400
    assert "Missing: Classified under the EU AI Act" in response.json()["non_field_errors"][0]
    assert (
        client_for(auditor).post(url, {"approver": "boris"}, content_type="application/json").status_code
        == 403
    )
    assert (
        client_for(owner).post(url, {"approver": "olivia"}, content_type="application/json").status_code
        == 400
    )
    assert not GateReview.objects.exists()


# -- A prohibited practice is stopped (EU AI Act Art. 5) -----------------------------------------------------
def classify_as(system, owner, *yes, confirmer=None):
    """Answer every question (no Annex III area; yes to `yes`) as the owner; confirm it when asked to."""
    system.refresh_from_db()
    answers = {**{k: k in yes for k in eu_ai_act.yes_no_keys()}, "annex_iii": "none"}
    system = answer_classification(system, actor=owner, expected_version=system.version, answers=answers)
    if confirmer is not None:
        system = confirm_classification(system, actor=confirmer, expected_version=system.version)
    return system


@pytest.mark.parametrize("stage", ["design", "development", "validation", "deployment", "operation"])
def test_a_prohibited_system_passes_no_gate_but_decommissioning_art_5_1(
    stage, make_system, owner, board, manager
):
    """Art. 5(1): a prohibited practice is not placed on the market, put into service or used, so it moves
    to no further stage, whatever the gate criteria say; decommissioning stays open."""
    system = make_system(stage=stage, oversight="A reviewer checks each output.")
    gates.set_criteria(actor=manager, wanted={s: [] for s in gates.GATED_STAGES})  # no criteria at all
    system = classify_as(system, owner, "p_emotion_work", confirmer=board)
    assert system.eu_tier == "prohibited"
    for to_stage in [s for s in gates.targets(stage) if s != "decommissioned"]:
        first = gates.checklist(system, to_stage)[0]
        assert first["key"] == "not_prohibited" and first["met"] is False
        assert "is classified as a prohibited practice (Art. 5(1)(f))" in first["detail"]
        with pytest.raises(ValidationError) as refused:
            ask(system, owner, board, to_stage=to_stage)
        message = refused.value.messages[0]
        assert "cannot be requested yet. Missing: Not a prohibited practice (EU AI Act Art. 5)" in message
        assert f"{system.reference} is classified as a prohibited practice (Art. 5(1)(f))" in message
    assert not GateReview.objects.exists()
    if stage != "design":
        review = ask(system, owner, board, note="Switched off; data erased.", to_stage="decommissioned")
        assert all(i["key"] != "not_prohibited" for i in review.checklist)


def test_the_gate_section_shows_the_prohibited_check_before_anyone_presses(make_system, owner, board):
    system = classify_as(make_system(), owner, "p_social_scoring", "p_biometric_sensitive", confirmer=board)
    page = client_for(owner).get(system.get_absolute_url()).content.decode()
    gate_section = page.split('<section id="gates"')[1]
    assert "✗ Not met" in gate_section and "Not a prohibited practice (EU AI Act Art. 5)" in gate_section
    assert "(Art. 5(1)(c), Art. 5(1)(g))" in gate_section
    api = client_for(owner).get(f"/api/v1/systems/{system.reference}/gates/").json()
    assert api["next"][0]["ready"] is False and api["next"][0]["checklist"][0]["key"] == "not_prohibited"


def test_a_proposed_prohibited_classification_awaiting_confirmation_blocks_too(make_system, owner, board):
    system = classify_as(make_system(), owner, "p_crime_prediction")  # not confirmed yet
    assert system.eu_tier == "minimal" and system.proposed_tier == "prohibited"
    with pytest.raises(
        ValidationError, match="has a proposed classification, awaiting confirmation, as a prohibited"
    ):
        ask(system, owner, board)


def test_a_system_found_prohibited_after_the_request_cannot_be_approved(make_system, owner, board):
    system = make_system()
    review = ask(system, owner, board)
    classify_as(system, owner, "p_face_scraping")
    with pytest.raises(ValidationError, match="no longer met: Not a prohibited practice"):
        gates.decide_gate(review, actor=board, approve=True, reason="")
    system.refresh_from_db()
    assert system.stage == "design"


def test_the_criteria_page_says_the_prohibited_check_is_always_made(board):
    page = client_for(board).get("/systems/gate-criteria/").content.decode()
    assert "whatever is ticked here: <strong>Not a prohibited practice (EU AI Act Art. 5)</strong>" in page


# -- Dashboard --------------------------------------------------------------------------------------------
def test_dashboard_shows_what_waits_for_my_decision(
    make_system, owner, board, manager, django_assert_max_num_queries
):
    system = make_system()
    ask(system, owner, board)
    assert f"{system.reference}</a> Credit scoring" in dashboard_html(client_for(board))
    manager_view = dashboard_html(client_for(manager))
    assert "No gate review waits for your decision." in manager_view and "Boris decides" in manager_view
    for n in range(3):
        ask(make_system(title=f"System {n}"), owner, board)
    from django.test import RequestFactory

    from lifecycle.gate_views import gates_panel

    request = RequestFactory().get("/")
    request.user = type(board).objects.get(pk=board.pk)
    with django_assert_max_num_queries(4):
        panel = gates_panel(request)
    assert len(panel["mine"]) == 4

"""The EU AI Act classification of a system: every question answered explicitly (page and API), four eyes
(one person answers, a second one who may approve confirms or refuses), the tier in effect unmoved until
then, history of each step, duties following the AI role, and the questionnaire's data migration."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import escape

from aims.records import history
from lifecycle import eu_ai_act
from lifecycle.classification import (
    answer_classification,
    confirm_classification,
    refuse_classification,
)
from lifecycle.models import AISystem
from lifecycle.standard.ai_systems import services
from tests.base import client_for

SYSTEM = {
    "title": "CV screening",
    "purpose": "Ranks job applications for recruiters.",
    "kind": "nlp",
    "origin": "in_house",
    "ai_role": "customer",
    "automation": "in_loop",
    "criticality": 4,
}


def answers(area="none", *yes):
    return {**{k: k in yes for k in eu_ai_act.yes_no_keys()}, "annex_iii": area}


def form(area="none", *yes, version=1):
    data = {k: "yes" if k in yes else "no" for k in eu_ai_act.yes_no_keys()}
    return {**data, "annex_iii": area, "version": version}


@pytest.fixture
def system(owner):
    return services.create(actor=owner, fields=SYSTEM)


def answer(system, actor, area="none", *yes):
    system.refresh_from_db()
    return answer_classification(
        system, actor=actor, expected_version=system.version, answers=answers(area, *yes)
    )


def confirm(system, actor):
    system.refresh_from_db()
    return confirm_classification(system, actor=actor, expected_version=system.version)


# -- No tier without answers --------------------------------------------------------------------------------
def test_submitting_nothing_gives_no_tier_and_names_every_question(system, owner):
    response = client_for(owner).post(f"/systems/{system.reference}/classify/", {"version": 1})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Nothing was saved: {len(eu_ai_act.question_keys())} questions to answer first" in page
    for question in eu_ai_act.question_texts().values():
        assert escape(f"Not answered: “{question}”") in page
    system.refresh_from_db()
    assert system.eu_tier == "unclassified" and system.classification_status == "unanswered"
    assert system.version == 1


def test_a_form_with_unanswered_questions_is_refused_and_keeps_what_was_answered(system, owner):
    data = form("employment", "profiling")
    del data["o_public_service"], data["t_deepfake"]
    response = client_for(owner).post(f"/systems/{system.reference}/classify/", data)
    page = response.content.decode()
    assert response.status_code == 400 and "2 questions to answer first" in page
    texts = eu_ai_act.question_texts()
    assert texts["o_public_service"][:40] in page.split("Nothing was saved")[1].split("</ul>")[0]
    assert (
        'name="profiling" value="yes" checked' in page and 'name="p_manipulation" value="no" checked' in page
    )
    assert '<option value="employment" selected>' in page
    assert 'id="q-t_deepfake" aria-invalid="true"' in page
    system.refresh_from_db()
    assert system.classification_status == "unanswered" and system.version == 1


def test_the_form_offers_yes_and_no_for_each_question_and_no_area_chosen(system, owner):
    page = client_for(owner).get(f"/systems/{system.reference}/classify/").content.decode()
    for key in eu_ai_act.yes_no_keys():
        assert f'name="{key}" value="yes">' in page and f'name="{key}" value="no">' in page
    assert 'type="checkbox"' not in page
    assert '<option value="" selected>' in page


def test_the_api_refuses_a_missing_or_non_boolean_answer_naming_the_question(system, owner):
    url = f"/api/v1/systems/{system.reference}/classification/"
    api = client_for(owner)
    missing = answers("employment")
    del missing["o_public_authority"]
    response = api.post(url, {"version": 1, "answers": missing}, content_type="application/json")
    assert response.status_code == 400 and list(response.json()) == ["o_public_authority"]
    assert eu_ai_act.ORGANISATION["o_public_authority"] in response.json()["o_public_authority"][0]
    wrong = {
        **answers("employment"),
        "p_manipulation": "no",
        "t_interacts": None,
        "annex_iii": "essential_services",
    }
    response = api.post(url, {"version": 1, "answers": wrong}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"p_manipulation", "t_interacts", "annex_iii"}
    assert "not 'no'" in response.json()["p_manipulation"][0]
    unknown = {**answers("employment"), "p_astrology": False}
    assert (
        api.post(url, {"version": 1, "answers": unknown}, content_type="application/json").status_code == 400
    )
    system.refresh_from_db()
    assert system.version == 1 and system.classification_status == "unanswered"


# -- Four eyes --------------------------------------------------------------------------------------------
def test_the_result_waits_for_a_second_person_and_the_tier_in_effect_stays(system, owner, board, auditor):
    response = client_for(owner).post(
        f"/systems/{system.reference}/classify/", form("employment"), follow=True
    )
    assert "answers recorded, proposing High-risk (Art. 6)" in response.content.decode()
    system.refresh_from_db()
    assert system.classification_status == "awaiting_confirmation" and system.proposed_tier == "high"
    assert system.eu_tier == "unclassified" and system.proposed_by == owner
    page = client_for(auditor).get(system.get_absolute_url()).content.decode()
    assert (
        "Classification awaiting confirmation" in page
        and "Proposed: <strong>High-risk (Art. 6)</strong>" in page
    )
    assert "the tier in effect stays <strong>Not yet classified</strong>" in page
    assert "Confirm the classification" not in page
    board_page = client_for(board).get(system.get_absolute_url()).content.decode()
    assert "Confirm the classification" in board_page

    client_for(board).post(f"/systems/{system.reference}/classification/decide/",
                           {"version": system.version, "decision": "confirm"})  # fmt: skip
    system.refresh_from_db()
    assert system.eu_tier == "high" and system.classification_status == "confirmed"
    assert system.classified_by == board and system.eu_classification["answered_by"] == str(owner)
    assert "Art. 26(11)" in system.eu_classification["articles"]
    notes = [c.note for c in history(system).order_by("version")]
    assert notes[-3].startswith("EU AI Act questions answered by Olivia: proposed High-risk (Art. 6)")
    assert (
        notes[-2] == "EU AI Act classification confirmed by Boris (answered by Olivia): High-risk (Art. 6)."
    )
    assert notes[-1].startswith("EU AI Act: 4 deployer obligations of a high-risk system recorded.")
    confirmed = history(system).order_by("-version")[1]
    assert {
        "field": "eu_tier",
        "label": "EU AI Act tier",
        "old": "Not yet classified",
        "new": "High-risk (Art. 6)",
    } in (confirmed.changes)


@pytest.mark.parametrize(
    "answerer, confirmer, refused",
    [
        ("manager", "manager", "you answered the EU AI Act questions"),
        ("manager", "owner", "you own"),
        ("manager", "auditor", "Only the governance board or the AIMS manager"),
        ("manager", "other_owner", "Only the governance board or the AIMS manager"),
        ("owner", "manager", ""),
        ("manager", "board", ""),
    ],
)
def test_only_a_second_person_who_may_approve_confirms(answerer, confirmer, refused, request, system):
    """Four eyes, as every approval: neither the one who answered nor the system's owner confirms."""
    who = request.getfixturevalue(answerer)
    answer(system, who, "employment")
    person = request.getfixturevalue(confirmer)
    if refused:
        with pytest.raises(PermissionDenied, match=refused):
            confirm(system, person)
        system.refresh_from_db()
        assert system.eu_tier == "unclassified"
    else:
        assert confirm(system, person).eu_tier == "high"


def test_nothing_to_confirm_is_a_state_refusal(system, board):
    with pytest.raises(ValidationError, match="No EU AI Act classification of .* is awaiting confirmation"):
        confirm(system, board)


def test_changing_any_answer_sends_it_back_to_awaiting_confirmation(system, owner, board, manager):
    answer(system, owner, "employment")
    confirm(system, board)
    changed = answer(system, owner, "employment", "t_deepfake")
    assert changed.classification_status == "awaiting_confirmation" and changed.eu_tier == "high"
    assert "Art. 50(4)" in changed.eu_proposal["articles"]
    assert "Art. 50(4)" not in changed.eu_classification["articles"]  # not in effect yet
    back = answer(system, owner, "employment")
    assert back.classification_status == "confirmed" and back.eu_proposal == {} and back.proposed_by is None
    assert (
        history(system)
        .order_by("-version")
        .first()
        .note.startswith("EU AI Act answers back to those in effect")
    )
    same = answer(system, owner, "employment", "t_deepfake")
    version = same.version
    assert answer(system, manager, "employment", "t_deepfake").version == version  # same answers: nothing new
    assert AISystem.objects.get(pk=system.pk).proposed_by == owner


def test_refusing_needs_a_reason_keeps_the_tier_and_is_in_history(system, owner, board):
    answer(system, owner, "none", "t_interacts")
    system.refresh_from_db()
    with pytest.raises(ValidationError, match="Say why"):
        refuse_classification(system, actor=board, expected_version=system.version, reason=" ")
    refused = refuse_classification(
        system, actor=board, expected_version=system.version, reason="It ranks candidates: Annex III point 4."
    )
    assert refused.classification_status == "refused" and refused.eu_tier == "unclassified"
    assert refused.eu_proposal["refusal"]["reason"] == "It ranks candidates: Annex III point 4."
    note = history(system).order_by("-version").first().note
    assert note.startswith("EU AI Act classification (Limited risk") and "refused by Boris: It ranks" in note
    page = client_for(owner).get(system.get_absolute_url()).content.decode()
    assert "Classification refused" in page and "It ranks candidates" in page
    assert answer(system, owner, "employment").classification_status == "awaiting_confirmation"


def test_the_api_answers_confirms_and_refuses(system, owner, board):
    url = f"/api/v1/systems/{system.reference}/classification/"
    done = client_for(owner).post(url, {"version": 1, "answers": answers("essential_credit")},
                                  content_type="application/json")  # fmt: skip
    body = done.json()
    assert (
        done.status_code == 200
        and body["status"] == "awaiting_confirmation"
        and body["tier"] == "unclassified"
    )
    assert body["proposal"]["tier"] == "high" and "Art. 27" in body["proposal"]["articles"]
    decision = f"{url}decision/"
    own = client_for(owner).post(
        decision, {"version": 2, "decision": "confirm"}, content_type="application/json"
    )
    assert own.status_code == 403 and "Four eyes" in own.json()["detail"]
    refused = client_for(board).post(
        decision, {"version": 2, "decision": "refuse"}, content_type="application/json"
    )
    assert refused.status_code == 400 and "reason" in refused.json()
    confirmed = client_for(board).post(
        decision, {"version": 2, "decision": "confirm"}, content_type="application/json"
    )
    assert confirmed.status_code == 200 and confirmed.json()["tier"] == "high"
    assert confirmed.json()["status"] == "confirmed" and confirmed.json()["proposal"] is None
    again = client_for(board).post(
        decision, {"version": 3, "decision": "confirm"}, content_type="application/json"
    )
    assert again.status_code == 400
    listed = client_for(owner).get(f"/api/v1/systems/{system.reference}/").json()
    assert listed["eu_tier"] == "high" and listed["classification_status"] == "confirmed"


def test_the_duties_follow_the_ai_role(system, owner, board):
    """The tier is the system's; the duties are the organisation's role's (provider or deployer)."""
    answer(system, owner, "employment")
    confirm(system, board)
    system.refresh_from_db()
    assert "Art. 26(1)" in system.eu_classification["articles"]
    services.update(system, actor=owner, expected_version=system.version, fields={"ai_role": "producer"})
    system.refresh_from_db()
    assert system.eu_tier == "high" and system.classification_status == "confirmed"
    assert {"Art. 9", "Art. 49(1)"} <= set(system.eu_classification["articles"])
    assert "Art. 26(1)" not in system.eu_classification["articles"]


# -- The questionnaire's data migration -------------------------------------------------------------------------
def test_the_old_essential_services_answer_is_asked_again_not_guessed(system, owner, auditor):
    """Annex III point 5 is now asked by sub-point: the old single answer needs re-answering, and so do the
    questions about the organisation; the tier in effect stays, the history says why."""
    old = {k: False for k in eu_ai_act.yes_no_keys() if not k.startswith("o_")}
    AISystem.objects.filter(pk=system.pk).update(
        eu_tier="high", eu_classification={"answers": {**old, "profiling": True, "annex_iii": "essential_services"},
                                           "tier": "high", "reasons": ["old"], "duties": ["old"]},
    )  # fmt: skip
    migration = importlib.import_module("lifecycle.migrations.0009_annex_iii_point_5_reanswer")
    migration.ask_again(django_apps, None)
    system.refresh_from_db()
    assert system.classification_status == "awaiting_answers" and system.eu_tier == "high"
    assert (
        "annex_iii" not in system.eu_proposal["answers"]
        and system.eu_proposal["answers"]["profiling"] is True
    )
    assert eu_ai_act.unanswered(system.eu_proposal["answers"]) == [
        "annex_iii",
        "o_public_authority",
        "o_public_service",
    ]
    change = history(system).order_by("-version").first()
    assert "Annex III point 5 is now asked by sub-point" in change.note and change.version == system.version
    page = client_for(auditor).get(system.get_absolute_url()).content.decode()
    assert "Classification awaiting answers" in page and eu_ai_act.ANNEX_III_QUESTION in page
    form_page = client_for(owner).get(f"/systems/{system.reference}/classify/").content.decode()
    assert 'name="profiling" value="yes" checked' in form_page and '<option value="" selected>' in form_page


def test_confirming_a_high_risk_tier_records_the_deployers_obligations_and_a_minimal_one_none(
    system, owner, board
):
    """Art. 26 and 27: once a high-risk classification takes effect, the deployer's duties are records its
    owner keeps; until it takes effect (awaiting confirmation), and for a minimal tier, none are made."""
    answer(system, owner, "employment")
    assert not system.high_risk_obligations.exists()  # proposed, not yet in effect
    confirmed = confirm(system, board)
    assert confirmed.eu_tier == "high"
    assert system.high_risk_obligations.live().count() == 4  # Art. 26(6), 27(1), 27(3), 49(3)
    other = services.create(actor=owner, fields={**SYSTEM, "title": "Spell checker"})
    answer(other, owner, "none")
    assert confirm(other, board).eu_tier == "minimal" and not other.high_risk_obligations.exists()

"""A prohibited practice (EU AI Act Art. 5) is stopped, and everyone sees it: the system's page says which
Art. 5(1) point and why, the dashboard's systems panel names the systems not yet decommissioned, and a
certification readiness row (ISO/IEC 42001 4.1) is missing while any in-scope system is one. The gates:
tests/lifecycle/test_gates.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.certification import readiness
from lifecycle import eu_ai_act
from lifecycle.certification_prohibited import KEY, no_prohibited_practice
from lifecycle.classification import answer_classification, confirm_classification
from lifecycle.models import AISystem
from lifecycle.standard.ai_systems import services
from tests.base import client_for

SYSTEM = {
    "purpose": "Reads agents' tone on calls.",
    "kind": "ml",
    "origin": "in_house",
    "ai_role": "producer",
    "automation": "in_loop",
    "criticality": 3,
}


@pytest.fixture
def make_system(owner, board):
    def make(title, *yes, confirm=True, stage="design", **fields):
        system = services.create(actor=owner, fields={**SYSTEM, "title": title, **fields})
        if yes:
            answers = {**{k: k in yes for k in eu_ai_act.yes_no_keys()}, "annex_iii": "none"}
            system = answer_classification(
                system, actor=owner, expected_version=system.version, answers=answers
            )
            if confirm:
                system = confirm_classification(system, actor=board, expected_version=system.version)
        AISystem.objects.filter(pk=system.pk).update(stage=stage)
        system.refresh_from_db()
        return system

    return make


def test_the_system_page_says_which_art_5_1_point_and_why(make_system, auditor):
    system = make_system("Call-centre emotion monitor", "p_emotion_work")
    page = client_for(auditor).get(system.get_absolute_url()).content.decode()
    assert "<strong>Prohibited practice (Art. 5): Art. 5(1)(f).</strong>" in page
    assert "This system is classified as a prohibited practice" in page
    assert "must not be placed on the market, put into service or used" in page
    reason = f"It {eu_ai_act.PROHIBITED['p_emotion_work'][1]} (Art. 5(1)(f)): a prohibited practice."
    assert reason in page
    assert "It passes no stage gate but decommissioning" in page


def test_the_page_names_a_proposed_prohibited_classification_awaiting_confirmation(make_system, auditor):
    system = make_system("Social score", "p_social_scoring", confirm=False)
    page = client_for(auditor).get(system.get_absolute_url()).content.decode()
    assert "<strong>Prohibited practice (Art. 5): Art. 5(1)(c).</strong>" in page
    assert (
        "The proposed classification, awaiting confirmation, finds this system to be a prohibited practice"
        in page
    )


def test_the_dashboard_names_the_prohibited_systems_not_yet_stopped(make_system, board, owner):
    banned = make_system("Call-centre emotion monitor", "p_emotion_work", stage="operation")
    proposed = make_system("Social score", "p_social_scoring", confirm=False)
    make_system("Old face scraper", "p_face_scraping", stage="decommissioned")  # stopped
    make_system("Out of scope scraper", "p_face_scraping", in_scope=False)
    make_system("Chatbot", "t_interacts")
    client = client_for(board)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/dashboard/panels/systems_panel/").content.decode()
    assert len(queries.captured_queries) <= 7
    figure = (
        'id="systems-prohibited" data-count="2" href="/systems/?in_scope=true&amp;prohibited=not_stopped"'
    )
    assert figure in page
    assert f'<a href="{banned.get_absolute_url()}">{banned.reference}</a> Call-centre emotion monitor' in page
    assert f'<a href="{proposed.get_absolute_url()}">{proposed.reference}</a> Social score' in page
    assert "proposed classification, awaiting confirmation" in page and "Old face scraper" not in page
    listed = client.get("/systems/?in_scope=true&prohibited=not_stopped").content.decode()
    assert 'data-total="2"' in listed and "Old face scraper" not in listed and "Out of scope" not in listed
    awaiting = 'data-count="1" href="/systems/?in_scope=true&amp;classification=awaiting_confirmation"'
    assert awaiting in page
    assert (
        'data-total="1"'
        in client.get("/systems/?in_scope=true&classification=awaiting_confirmation").content.decode()
    )


def test_the_panel_costs_the_same_queries_however_many_prohibited(make_system, board):
    make_system("Banned 0", "p_manipulation")
    client = client_for(board)
    client.get("/dashboard/panels/systems_panel/")
    with CaptureQueriesContext(connection) as one:
        client.get("/dashboard/panels/systems_panel/")
    for n in range(1, 8):
        make_system(f"Banned {n}", "p_manipulation")
    with CaptureQueriesContext(connection) as eight:
        page = client.get("/dashboard/panels/systems_panel/").content.decode()
    assert len(eight.captured_queries) == len(one.captured_queries)
    assert 'data-count="8"' in page and page.count("Banned ") == 5  # five named, the figure lists all


def test_readiness_is_missing_while_an_in_scope_system_is_prohibited_naming_them_as_links(
    make_system, manager
):
    """ISO/IEC 42001 4.1 (legal requirements, prohibited uses) and EU AI Act Art. 5."""
    assert no_prohibited_practice(None).status == "missing"  # no system screened yet
    make_system("Chatbot", "t_interacts")
    assert no_prohibited_practice(None).status == "met"
    pending = make_system("Loan OCR")  # not classified
    result = no_prohibited_practice(None)
    assert result.status == "partial" and pending.reference in result.reason
    assert (pending.reference, pending.get_absolute_url()) in result.links
    banned = make_system("Emotion monitor", "p_emotion_work", stage="operation")
    proposed = make_system("Social score", "p_social_scoring", confirm=False)
    make_system("Old scraper", "p_face_scraping", stage="decommissioned")
    result = no_prohibited_practice(None)
    assert result.status == "missing"
    assert result.reason.startswith("2 of 4 AI systems in scope are classified as a prohibited practice")
    assert result.links[:2] == ((banned.reference, banned.get_absolute_url()),
                                (proposed.reference, proposed.get_absolute_url()))  # fmt: skip
    row = next(c for s in readiness()["sections"] for c in s["checks"] if c["key"] == KEY)
    assert row["status"] == "missing" and row["code"] == "4.1"
    assert {"label": banned.reference, "url": banned.get_absolute_url()} in row["links"]
    page = client_for(manager).get("/certification/readiness/").content.decode()
    assert f'<a href="{banned.get_absolute_url()}">{banned.reference}</a>' in page

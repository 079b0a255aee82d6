import datetime as dt

import pytest

from aims.records import history
from registers.models import Decision
from registers.standard.decisions import services
from tests import clock
from tests.base import RegisterRoleMatrix, client_for, dashboard_html, form_data_for
from tests.registers.test_board_meetings import BOARD_EXPECT


@pytest.fixture
def make_decision(manager, owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Commission a fairness audit of the credit model",
            "decision": "An external fairness audit before the next release.",
            "rationale": "Complaints from thin-file applicants.",
            "due_on": clock.today() + dt.timedelta(days=30),
            "owner": owner,
            **overrides,
        }
        return services.create(actor=actor or manager, fields=fields)

    return make


class TestDecisionRoles(RegisterRoleMatrix):
    model = Decision
    url_prefix = "decisions"
    api_prefix = "/api/v1/decisions/"

    expect = BOARD_EXPECT

    @pytest.fixture
    def record(self, make_decision):
        return make_decision()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {"title": "Pause the chatbot", "decision": "Paused until the impact assessment is done."}


def test_the_board_records_a_decision_and_history_names_them(board):
    response = client_for(board).post(
        "/decisions/new/",
        {"title": "Adopt the AI policy", "decision": "Adopted as drafted.", "status": "open",
         "owner": board.pk, "review_cadence": 91},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    decision = Decision.objects.get(title="Adopt the AI policy")
    assert history(decision).first().actor == board


def test_an_owner_may_not_record_a_decision(owner):
    response = client_for(owner).post(
        "/api/v1/decisions/", {"title": "x", "decision": "y"}, content_type="application/json"
    )
    assert response.status_code == 403 and "governance board" in response.json()["detail"]


def test_a_decision_needs_its_text_on_the_page_and_in_the_api(board):
    page = client_for(board).post("/decisions/new/", {"title": "Empty", "status": "open", "owner": board.pk})
    assert page.status_code == 400 and "decision" in page.context["form"].errors
    api = client_for(board).post("/api/v1/decisions/", {"title": "Empty"}, content_type="application/json")
    assert api.status_code == 400 and "decision" in api.json()


def test_list_filters_open_overdue_and_status(make_decision, auditor):
    make_decision(title="Late one", due_on=clock.today() - dt.timedelta(days=3))
    make_decision(title="Future one", status="in_progress")
    make_decision(title="Finished one", status="done", due_on=clock.today() - dt.timedelta(days=10))
    client = client_for(auditor)

    def titles(query):
        return {r["title"] for r in client.get(f"/api/v1/decisions/?{query}").json()["results"]}

    page = client.get("/decisions/?overdue=true").content.decode()
    assert "Late one" in page and "Future one" not in page and "Finished one" not in page
    assert titles("open=true") == {"Late one", "Future one"}
    assert titles("open=false") == {"Finished one"}
    assert titles("overdue=true") == {"Late one"}
    assert titles("status=done") == {"Finished one"}


def test_a_stale_edit_by_the_board_is_refused(make_decision, board, manager):
    decision = make_decision()
    services.update(decision, actor=manager, expected_version=1, fields={"status": "in_progress"})
    response = client_for(board).post(
        f"/decisions/{decision.reference}/edit/", {**form_data_for(decision), "status": "done"}
    )
    assert response.status_code == 409 and "changed since you opened it" in response.content.decode()


# -- Dashboard panel ---------------------------------------------------------------------------------


def test_dashboard_lists_open_decisions_overdue_first(make_decision, board):
    later = make_decision(title="Due later", due_on=clock.today() + dt.timedelta(days=40))
    late = make_decision(title="Already late", due_on=clock.today() - dt.timedelta(days=2))
    make_decision(title="Closed already", status="done")
    page = dashboard_html(client_for(board))
    panel = page[page.index("Open board decisions") :]
    assert late.get_absolute_url() in panel and later.get_absolute_url() in panel
    assert panel.index("Already late") < panel.index("Due later") and "Closed already" not in panel
    assert (
        '/decisions/?open=true">2 open' in panel and '/decisions/?overdue=true"><strong>1</strong>' in panel
    )


def test_dashboard_panel_says_when_nothing_is_open(board):
    page = dashboard_html(client_for(board))
    assert "No open board decisions" in page


def test_empty_register_says_what_to_do(board):
    assert "No board decisions yet" in client_for(board).get("/decisions/").content.decode()

"""The board pack PDF: its figures are the dashboard's and the lists' (read back from the PDF with
pdftotext), it marks accepted risks and rising ones, and only the board and the AIMS manager may make it."""

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from aims import jobs
from aims.models import Job
from registers.services import risk_accept, risk_update
from tests.base import client_for
from tests.figures import figures, list_total, parse

pytestmark = pytest.mark.django_db


def pack_text(user) -> str:
    """Ask for the pack with the button, run its job here (the worker's code, no broker) and read the PDF."""
    response = client_for(user).post("/board-pack/")
    job = Job.objects.get(kind="board_pack_pdf", requested_by=user)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    pdf = Path(settings.PRIVATE_MEDIA_ROOT) / job.result_path
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def panel_figure(user, panel: str, href_part: str) -> int:
    html = client_for(user).get(f"/dashboard/panels/{panel}/").content.decode()
    found = [f for f in figures(parse(html)) if href_part in f.attrs.get("href", "")]
    assert found, f"no figure linking to {href_part} on {panel}"
    return int(found[0].attrs["data-count"])


@pytest.fixture
def register(make_risk, owner, board):
    worst = {"inherent_likelihood": 5, "inherent_impact": 5}
    """Three risks above appetite (one accepted by the board, one reassessed upwards) and one within."""
    high = make_risk(title="Chatbot invents refund rules", residual_likelihood=4, residual_impact=4, **worst)
    make_risk(
        title="Scoring drifts after the vendor update", residual_likelihood=4, residual_impact=3, **worst
    )
    rising = make_risk(
        title="Hiring screen favours one university", residual_likelihood=3, residual_impact=4, **worst
    )
    make_risk(title="Typos in the FAQ answers", residual_likelihood=1, residual_impact=2)
    risk_accept(high, actor=board, expected_version=high.version, rationale="Compensated by manual review.")
    risk_update(rising, actor=owner, expected_version=rising.version, fields={"residual_likelihood": 5})
    return high


def test_the_pack_shows_the_dashboard_and_list_figures(register, board):
    text = pack_text(board)

    above = panel_figure(board, "risk_panel", "above_appetite=true")
    listed, _ = list_total(client_for(board).get("/risks/?above_appetite=true").content.decode())
    assert above == listed == 3
    assert f"{above} risks above appetite" in text
    awaiting = panel_figure(
        board, "risk_panel", "awaiting_acceptance=true"
    )  # the board's decisions: not yet accepted
    assert f"({awaiting} not accepted)" in text and awaiting == 2
    # Readiness: the pack works it out and the dashboard's panel then shows the same percentage.
    readiness = re.search(
        r'data-key="readiness" data-percent="(\d+)"',
        client_for(board).get("/dashboard/panels/readiness_panel/").content.decode(),
    )
    assert readiness and f"{readiness.group(1)}% certification readiness" in text
    assert "Board pack" in text and "For the governance board meeting of" in text
    for heading in (
        "Readiness by clause",
        "Serious incidents",
        "KPI breaches",
        "Audit findings",
        "Overdue actions",
    ):
        assert heading in text


def test_the_pack_says_who_accepted_a_risk_and_which_rise(register, board):
    text = pack_text(board)

    assert f"{register.reference} Chatbot invents refund rules" in text
    assert f"Accepted by {board}" in text
    assert "Critical 20" in text and "Rising from 12" in text, text  # reassessed from 3 x 4 to 5 x 4
    assert text.count("Awaits the board") == 2


def test_the_manager_may_make_it_and_owners_and_auditors_may_not(manager, owner, auditor, make_risk):
    make_risk(
        title="Chatbot invents refund rules",
        inherent_likelihood=5,
        inherent_impact=5,
        residual_likelihood=5,
        residual_impact=4,
    )
    text = pack_text(manager)
    assert "1 record waiting for the board's decision" in text  # what waits for the board, not for her

    for person in (owner, auditor):
        response = client_for(person).post("/board-pack/")
        assert response.status_code == 403
    assert not Job.objects.filter(requested_by__in=(owner, auditor)).exists()


def test_a_pack_queued_by_someone_who_lost_the_role_fails_clearly(board):
    job = jobs.start_job(kind="board_pack_pdf", title="Board pack (PDF)", params={}, user=board)
    board.groups.clear()
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "Only these roles may see this" in job.error

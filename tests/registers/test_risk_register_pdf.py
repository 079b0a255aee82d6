"""The risk register PDF as a board member reads it (real WeasyPrint output, read back with pdftotext):
what is above appetite, overdue and accepted (by whom, when) is said in words, the cover sums it up, and
no page holds a lone row of the register."""

import datetime as dt
import re
import subprocess

import pytest

from aims.models import Job
from registers.reports import risk_register_pdf
from registers.services import risk_accept, risk_create

pytestmark = pytest.mark.django_db


def pages_of(user, tmp_path, *options) -> list[str]:
    job = Job.objects.create(kind="risk_register_pdf", title="AI risk register", params={}, requested_by=user)
    _, data = risk_register_pdf(job, lambda percent: None)
    pdf = tmp_path / "register.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True)
    return text.stdout.split("\f")


def test_the_register_marks_above_appetite_overdue_and_accepted(make_risk, owner, board, tmp_path):
    late = dt.date.today() - dt.timedelta(days=3)
    worst = {"inherent_likelihood": 5, "inherent_impact": 5}
    above = make_risk(title="Chatbot invents refund rules", residual_likelihood=4, residual_impact=4, **worst)
    accepted = make_risk(
        title="Scoring drifts after updates", residual_likelihood=4, residual_impact=3, **worst
    )
    risk_accept(
        accepted, actor=board, expected_version=accepted.version, rationale="Manual review covers it."
    )
    make_risk(title="Typos in the FAQ", next_review_on=late)

    pages = pages_of(board, tmp_path)  # read cell by cell: a mark wrapped in its cell reads whole
    text = " ".join(" ".join(pages).split())

    cover = " ".join(pages[0].split())
    assert "3 risks in this register" in cover
    assert "2 above appetite" in cover and "1 above appetite and not accepted" in cover
    assert "1 accepted" in cover and "1 overdue for review" in cover
    register = " ".join(" ".join(p for p in pages if "Register" in p).split())
    assert register.count("Above appetite") == 2 and "Awaits the board" in register
    assert re.search(rf"Accepted by\s+{board.display_name.split()[0]}", register)
    assert dt.date.today().strftime("%Y-%m-%d") in register and "Overdue" in register
    assert f"accepted by {board} on {dt.date.today():%Y-%m-%d}" in text  # its treatment plan says so too
    assert above.reference in register


def test_no_page_of_the_register_holds_a_lone_row(risk_fields, owner, board, tmp_path):
    # 26 one-line rows: the first register page holds 25, and the 26th used to stand alone on the next.
    for n in range(26):
        risk_create(actor=owner, fields={**risk_fields, "title": f"Risk {n} of the chatbot"})

    pages = pages_of(board, tmp_path, "-layout")  # a row per line

    row = re.compile(r"^\s*RSK-\d{4}\s+Risk \d+ of the chatbot\s{2,}Bias", re.M)  # a row, not a plan
    rows = [len(row.findall(p)) for p in pages if row.search(p)]
    assert sum(rows) == 26
    assert 1 not in rows, f"rows per page of the register: {rows}"

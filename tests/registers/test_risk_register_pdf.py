"""The risk register PDF as a board member reads it (real WeasyPrint output, read back with pdftotext):
what is above appetite, overdue and accepted (by whom, when) is said in words, the cover sums it up, and
no page holds a lone row of the register; rendered in parts at once, it reads as one document."""

import datetime as dt
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from aims.models import Job
from registers import reports
from registers.models import Risk
from registers.reports import render_register, risk_register_pdf
from registers.services import risk_accept, risk_create, risk_update

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
    treating = make_risk(title="Scores explained to applicants", residual_likelihood=4, residual_impact=3,
                         **worst)  # fmt: skip
    treating = risk_accept(treating, actor=board, expected_version=treating.version, rationale="Interim.")
    risk_update(treating, actor=owner, expected_version=treating.version, fields={"status": "treating"})

    pages = pages_of(board, tmp_path)  # read cell by cell: a mark wrapped in its cell reads whole
    text = " ".join(" ".join(pages).split())

    cover = " ".join(pages[0].split())
    assert "4 risks in this register" in cover
    assert "3 above appetite" in cover and "1 above appetite and not accepted" in cover
    assert "2 accepted" in cover and "1 overdue for review" in cover
    register = " ".join(" ".join(p for p in pages if "Register" in p).split())
    assert register.count("Above appetite") == 3 and register.count("Awaits the board") == 1
    assert f"Accepted by {board} on {dt.date.today():%Y-%m-%d}" in register
    # Accepted, then put back in treatment: both said.
    assert f"In treatment, accepted by {board} on {dt.date.today():%Y-%m-%d}" in register
    assert "Overdue" in register
    assert above.reference in register
    # Each risk once, its treatment plan in its own row: no second section repeats the levels.
    assert "Treatment plans" not in text
    assert text.count(f"{above.reference} {above.title}") == 1


def test_no_page_of_the_register_holds_a_lone_row(risk_fields, owner, board, tmp_path):
    # 26 one-line rows: the first register page holds 25, and the 26th used to stand alone on the next.
    for n in range(26):
        risk_create(actor=owner, fields={**risk_fields, "title": f"Risk {n} of the chatbot"})

    pages = pages_of(board, tmp_path, "-layout")  # a row per line

    row = re.compile(r"^\s*RSK-\d{4} Risk \d+ of the chatbot\s{2,}Residual ", re.M)  # a row's first line
    rows = [len(row.findall(p)) for p in pages if row.search(p)]
    assert sum(rows) == 26
    assert 1 not in rows, f"rows per page of the register: {rows}"


# -- in parts ------------------------------------------------------------------------------------------------
def pdf_pages(data: bytes, tmp_path, name: str) -> list[str]:
    pdf = tmp_path / name
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return text.stdout.split("\f")[:-1]  # pdftotext ends the last page with a form feed too


def outline_of(data: bytes) -> list[tuple[int, str]]:
    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield depth, item.title

    return list(walk(PdfReader(io.BytesIO(data)).outline, 0))


def test_a_register_rendered_in_parts_reads_as_one_document(risk_fields, owner, board, tmp_path, monkeypatch):
    # The cover costs nothing here, so the 40-risk register is cut into three parts of about 13 rows.
    monkeypatch.setattr(reports, "COVER_COST", 0)
    late = dt.date.today() - dt.timedelta(days=3)
    for n in range(40):
        risk = risk_create(
            actor=owner,
            fields={
                **risk_fields,
                "title": f"Risk {n:02d} of the chatbot",
                "inherent_likelihood": 5,
                "inherent_impact": 5,
                "residual_likelihood": 1 + n % 4,
                "residual_impact": 1 + n % 4,
                **({"next_review_on": late} if n % 7 == 0 else {}),
            },
        )
        if n == 6:  # 4 x 4, above appetite
            risk_accept(risk, actor=board, expected_version=risk.version, rationale="Reviewed monthly.")
    order = list(Risk.objects.live().values_list("reference", flat=True))  # the register's own order
    assert len(reports.split_register(40, 3)) == 3

    whole = render_register(board, {}, parts=1)
    parted = render_register(board, {}, parts=3)

    row = re.compile(r"^\s*(RSK-\d{4}) Risk \d\d of the chatbot\s{2,}Residual ", re.M)
    for data, name in ((whole, "whole.pdf"), (parted, "parted.pdf")):
        pages = pdf_pages(data, tmp_path, name)
        # Every risk once, in the register's order, across parts.
        assert [ref for page in pages for ref in row.findall(page)] == order
        # Page numbers run on across parts, and count every page.
        for number, page in enumerate(pages, start=1):
            assert f"Page {number} of {len(pages)}" in page, (name, number)
        rows_per_page = [len(row.findall(page)) for page in pages if row.search(page)]
        assert 1 not in rows_per_page, f"{name}: rows per page of the register: {rows_per_page}"
        text = " ".join(" ".join(pages).split())
        assert text.count("ISO/IEC 42001 clauses 6.1.2 (risk assessment)") == 1  # the cover, once
        assert "Above appetite" in text and "Overdue" in text and "Accepted by Boris" in text

    parted_text = " ".join(pdf_pages(parted, tmp_path, "parted.pdf"))
    assert parted_text.count("Register, continued") == 2
    # One outline, nested as the whole report's (continuations stay out of it).
    assert outline_of(parted) == outline_of(whole)
    reader = PdfReader(io.BytesIO(parted))
    assert reader.metadata.title == "AI risk register" and reader.trailer["/Root"]["/Lang"] == "en-GB"


def test_split_register_keeps_the_reading_order_and_no_lone_rows():
    for count in (4, 5, 37, 250, 1042, 5000):
        for parts in (1, 2, 3, 4):
            slices = reports.split_register(count, parts)
            assert 1 <= len(slices) <= parts
            if len(slices) == 1:
                continue
            rows = [s["rows"] for s in slices]
            assert [s["cover"] for s in slices] == [True] + [False] * (len(slices) - 1)
            # Every row in exactly one part, in order, never fewer than two.
            assert [r for start, stop in rows for r in range(start, stop)] == list(range(count))
            assert all(stop - start >= 2 for start, stop in rows)
            assert [s["register_starts"] for s in slices] == [True] + [False] * (len(slices) - 1)
    # A long register on two CPUs: the cover and fewer rows first (the cover costs COVER_COST rows).
    first, second = reports.split_register(1042, 2)
    half = round((reports.COVER_COST + 1042) / 2 - reports.COVER_COST)
    assert first["rows"] == (0, half) and second["rows"] == (half, 1042)

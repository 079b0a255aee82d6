"""The "AI risk register" PDF, the heat map and the risk selectors, read as a user would read them."""

import io
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from aims.charts import heatmap_svg
from aims.jobs import JobError
from aims.models import Job, Requirement, User
from aims.registry import registry
from registers import selectors
from registers.models import Risk, RiskCategory, RiskCriteria
from registers.reports import register_reports, risk_register_pdf
from registers.services import risk_archive, risk_create

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def runners():
    register_reports()
    assert registry.job_runners["risk_register_pdf"] is risk_register_pdf


@pytest.fixture
def risks(make_risk, owner, other_owner, risk_fields):
    controls = Requirement.objects.mappable().filter(code__in=["A.6.2.4", "A.5.2"])
    credit = risk_create(actor=owner, fields=risk_fields, requirements=controls)  # Medium -> Low (2x2)
    chatbot = make_risk(
        actor=other_owner,
        title="Support chatbot reveals personal data",
        category=RiskCategory.objects.get(slug="privacy"),
        inherent_likelihood=5,
        inherent_impact=4,  # 20 Critical
        residual_likelihood=4,
        residual_impact=3,  # 12 High
        treatment_plan="Strip personal data from prompts and answers; red-team every quarter.",
    )
    drift = make_risk(
        title="Demand forecast drifts after promotions",
        category=RiskCategory.objects.get(slug="operational"),
        inherent_likelihood=2,
        inherent_impact=2,
        residual_likelihood=1,
        residual_impact=2,
        treatment="accept",
        treatment_plan="",
    )
    retired = make_risk(title="Retired OCR pipeline misreads forms")
    risk_archive(retired, actor=owner, expected_version=retired.version)
    return credit, chatbot, drift


def run_report(user, filters=None) -> tuple[str, str, bytes]:
    job = Job.objects.create(
        kind="risk_register_pdf",
        title="AI risk register",
        params={"filters": filters or {}},
        requested_by=user,
    )
    seen = []
    filename, data = risk_register_pdf(job, seen.append)
    assert seen and all(0 <= p < 100 for p in seen)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return filename, " ".join(text.split()), data


def test_the_register_shows_each_risk_with_levels_plans_and_controls(risks, owner):
    credit, chatbot, drift = risks
    filename, text, data = run_report(owner)
    assert data.startswith(b"%PDF") and filename.startswith("ai-risk-register-") and filename.endswith(".pdf")
    assert "AI risk register" in text and "Requested by Olivia" in text and "Number of risks 3" in text
    for risk in risks:
        assert risk.reference in text
        # One row per risk, its plan in it: the reference once, the title's first words after it (a long
        # title wraps in its cell, and the detail cell's first line is read before the title's second).
        assert text.count(risk.reference) == 1
        assert f"{risk.reference} {' '.join(risk.title.split()[:2])}" in text
    for level in ("Low", "Medium", "High", "Critical"):
        assert level in text
    assert "Strip personal data from prompts and answers; red-team every quarter." in text
    assert "Reweigh training data; monthly fairness check." in text
    assert "A.6.2.4 AI system verification and validation" in text
    assert "Annex A controls: none linked." in text
    assert "Retired OCR pipeline" not in text  # archived risks are not in the register
    assert "Page 1 of" in text


def test_an_auditor_sees_every_live_risk_and_an_outsider_none(risks, auditor, outsider):
    _, text, _ = run_report(auditor)
    assert "Requested by Audrey" in text and "Number of risks 3" in text
    assert all(risk.reference in text for risk in risks)
    _, text, _ = run_report(outsider)
    assert "Number of risks 0" in text and "No risk matches" in text
    assert not any(risk.title in text for risk in risks)


def test_filters_of_the_list_page_narrow_the_register_and_are_named_on_the_cover(risks, board):
    credit, chatbot, drift = risks
    _, text, _ = run_report(board, {"level": ["high"]})
    assert "Residual level: High" in text and "Number of risks 1" in text
    assert chatbot.title in text and credit.reference not in text and drift.reference not in text


def test_invalid_filters_fail_with_a_message_naming_the_filter(risks, owner):
    with pytest.raises(JobError, match="Residual level"):
        run_report(owner, {"level": "extreme"})


def _queries_for(user_id: int) -> int:
    user = User.objects.get(pk=user_id)  # fresh: no cached roles
    job = Job(kind="risk_register_pdf", title="AI risk register", params={}, requested_by=user)
    with CaptureQueriesContext(connection) as queries:
        risk_register_pdf(job, lambda percent: None)
    return len(queries)


def test_the_query_count_does_not_grow_with_the_number_of_risks(
    risks, make_risk, auditor, django_assert_max_num_queries
):
    few = _queries_for(auditor.pk)
    for n in range(12):
        make_risk(title=f"Extra risk {n}", residual_likelihood=1 + n % 3)
    user = User.objects.get(pk=auditor.pk)
    job = Job(kind="risk_register_pdf", title="AI risk register", params={}, requested_by=user)
    with django_assert_max_num_queries(12):
        risk_register_pdf(job, lambda percent: None)
    assert _queries_for(auditor.pk) == few


def test_the_heat_map_shows_counts_levels_and_links(risks, owner):
    visible = Risk.objects.restrict(owner, "view").live()
    criteria = RiskCriteria.current()
    matrix = selectors.heat_matrix(visible, "residual")
    assert matrix == {(2, 2): 1, (4, 3): 1, (1, 2): 1}
    assert selectors.heat_matrix(visible, "inherent") == {(3, 3): 1, (5, 4): 1, (2, 2): 1}

    svg = heatmap_svg(
        matrix,
        criteria,
        title="Residual risk",
        link=lambda lik, imp: f"/risks/?residual_likelihood={lik}&residual_impact={imp}",
    )
    root = ET.fromstring(str(svg))  # well-formed SVG
    links = root.findall(f".//{SVG}a")
    assert len(links) == 25  # empty cells link too
    cell = next(a for a in links if a.get("href") == "/risks/?residual_likelihood=4&residual_impact=3")
    assert cell.get("aria-label") == "Likelihood 4, impact 3: 1 risk (High, score 12)"
    assert [t.text for t in cell.iter(f"{SVG}text")] == ["1", "High"]
    empty = next(a for a in links if a.get("href") == "/risks/?residual_likelihood=5&residual_impact=5")
    assert empty.get("aria-label") == "Likelihood 5, impact 5: 0 risks (Critical, score 25)"
    assert root.find(f"{SVG}title").text == "Residual risk: 3 risks"
    legend = " ".join(t.text for t in root.find(f"{SVG}g[@class='legend']").iter(f"{SVG}text"))
    assert "Low (1–4)" in legend and "Critical (17–25)" in legend

    static = ET.fromstring(str(heatmap_svg(matrix, criteria, title="Residual risk")))
    assert static.get("role") == "img" and not static.findall(f".//{SVG}a")


def test_selectors_count_by_level_and_category_in_one_query_each(risks, owner, django_assert_num_queries):
    visible = Risk.objects.restrict(owner, "view").live()
    criteria = RiskCriteria.current()
    with django_assert_num_queries(1):
        residual = selectors.count_by_level(visible, criteria)
    assert [(band.name, n) for band, n in residual] == [
        ("Low", 2),
        ("Medium", 0),
        ("High", 1),
        ("Critical", 0),
    ]
    with django_assert_num_queries(1):
        inherent = selectors.count_by_level(visible, criteria, "inherent")
    assert [n for _, n in inherent] == [1, 1, 0, 1]
    with django_assert_num_queries(1):
        categories = selectors.count_by_category(visible)
    assert categories == [
        ("Bias and fairness", "bias-and-fairness", 1),
        ("Privacy", "privacy", 1),
        ("Operational", "operational", 1),
    ]


def test_level_filter_selects_a_band_and_names_a_bad_level(risks, owner):
    criteria = RiskCriteria.current()
    visible = Risk.objects.restrict(owner, "view").live()
    assert list(visible.filter(selectors.level_filter(criteria, "high")).values_list("title", flat=True)) == [
        "Support chatbot reveals personal data"
    ]
    assert visible.filter(selectors.level_filter(criteria, "critical", which="inherent")).count() == 1
    with pytest.raises(ValueError, match="Residual level 'extreme'"):
        selectors.level_filter(criteria, "extreme")


@pytest.mark.slow
def test_a_thousand_risk_register_renders_with_a_constant_number_of_queries(
    owner, auditor, risk_fields, django_assert_max_num_queries
):
    categories = list(RiskCategory.objects.all())
    created = Risk.objects.bulk_create(
        [
            Risk(
                **{
                    **risk_fields,
                    "category": categories[n % len(categories)],
                    "reference": f"RSK-{n + 1:04d}",
                    "title": f"Scale risk {n} in a model that scores applicants",
                    "owner": owner,
                    "created_by": owner,
                    "updated_by": owner,
                    "next_review_on": date(2030, 1, 1 + n % 28),
                    "inherent_likelihood": 1 + n % 5,
                    "inherent_impact": 1 + (n // 5) % 5,
                    "inherent_score": (1 + n % 5) * (1 + (n // 5) % 5),
                    "residual_likelihood": 1,
                    "residual_impact": 1 + (n // 5) % 5,
                    "residual_score": 1 + (n // 5) % 5,
                }
            )
            for n in range(1000)
        ]
    )
    controls = list(Requirement.objects.filter(kind="control")[:4])
    Link = Risk.requirements.through
    Link.objects.bulk_create(
        [Link(risk_id=r.pk, requirement_id=controls[(r.pk + k) % 4].pk) for r in created for k in (0, 1)]
    )
    job = Job.objects.create(
        kind="risk_register_pdf", title="AI risk register", params={}, requested_by=auditor
    )
    with django_assert_max_num_queries(12):
        filename, data = risk_register_pdf(job, lambda percent: None)
    pages = PdfReader(io.BytesIO(data)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages[:8]).split())
    assert "Number of risks 1000" in text
    assert "RSK-0021" in text  # first of the highest residual scores, in reference order
    # Its time is measured by `make bench` against WeasyPrint alone, not asserted here.

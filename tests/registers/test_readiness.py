"""Readiness assessment: the questionnaire from the catalogue, gaps by priority, progress between two
runs, actions raised from gaps, and the report PDF read back as text."""

import datetime as dt
import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aims.models import Job, Requirement
from aims.records import history
from registers import readiness
from registers.models import ImplementationAction, ReadinessAnswer, ReadinessAssessment
from tests.base import RegisterRoleMatrix, client_for, form_data_for


@pytest.fixture
def make_assessment(owner):
    def make(actor=None, **overrides):
        fields = {"title": "Baseline", "assessed_on": dt.date(2026, 3, 1), "target_maturity": 3, **overrides}
        return readiness.services.create(actor=actor or owner, fields=fields)

    return make


def rate(assessment, actor, ratings: dict, evidence: dict | None = None):
    """ratings: requirement code -> maturity (None for unrated)."""
    answers = {a.requirement.code: a for a in assessment.answers.select_related("requirement")}
    data = {}
    for code, maturity in ratings.items():
        data[f"maturity-{answers[code].pk}"] = "" if maturity is None else str(maturity)
        data[f"evidence-{answers[code].pk}"] = (evidence or {}).get(code, "")
    return readiness.save_answers(assessment, actor=actor, expected_version=assessment.version, data=data)


class TestReadinessRoles(RegisterRoleMatrix):
    model = ReadinessAssessment
    url_prefix = "readiness"
    api_prefix = "/api/v1/readiness/"

    @pytest.fixture
    def record(self, make_assessment):
        return make_assessment()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {"title": "Second run", "assessed_on": "2026-09-01"}


def test_the_questionnaire_is_every_clause_requirement_and_annex_a_group(make_assessment):
    assessment = make_assessment()
    codes = list(assessment.answers.values_list("requirement__code", flat=True))
    expected = Requirement.objects.filter(
        standard__key="iso42001", kind__in=[Requirement.Kind.REQUIREMENT, Requirement.Kind.OBJECTIVE]
    ).count()
    assert len(codes) == expected and "4.1" in codes and "10.2" in codes and "A.6" in codes
    assert "A.6.2.4" not in codes  # controls are the SoA's business, not the readiness questionnaire


def test_gaps_are_ordered_by_priority(make_assessment, owner):
    assessment = rate(make_assessment(), owner, {"4.1": 0, "6.1.2": 2, "A.7": 1, "A.9": 2, "5.2": 4})
    gaps = {g.answer.requirement.code: g.priority for g in readiness.gaps(assessment)}
    assert gaps["4.1"] == "High"  # nothing in place for a clause requirement
    assert gaps["A.7"] == "Medium" and gaps["A.9"] == "Low" and gaps["6.1.2"] == "Medium"
    assert "5.2" not in gaps
    ordered = [g.priority for g in readiness.gaps(assessment)]
    assert ordered == sorted(ordered, key=["High", "Medium", "Low"].index)


def test_ratings_are_history_and_a_bad_value_changes_nothing(make_assessment, owner):
    assessment = rate(make_assessment(), owner, {"6.1.2": 2}, {"6.1.2": "Risk register in a spreadsheet"})
    change = history(assessment).first()
    assert change.changes[0]["field"] == "answer:6.1.2"
    assert change.changes[0]["new"] == "maturity 2; Risk register in a spreadsheet"
    answer = assessment.answers.get(requirement__code="4.1")
    with pytest.raises(ValidationError, match="4.1: maturity must be a whole number from 0 to 5"):
        readiness.save_answers(
            assessment, actor=owner, expected_version=assessment.version, data={f"maturity-{answer.pk}": "7"}
        )
    assert assessment.answers.get(requirement__code="4.1").maturity is None


def test_a_stale_questionnaire_is_refused_from_the_page(make_assessment, owner, manager):
    assessment = make_assessment()
    answer = assessment.answers.get(requirement__code="4.1")
    rate(assessment, manager, {"4.2": 3})
    response = client_for(owner).post(
        f"/readiness/{assessment.reference}/answers/",
        {"version": 1, f"maturity-{answer.pk}": "2"},
        follow=True,
    )
    assert "changed" in response.content.decode().lower()
    assert ReadinessAnswer.objects.get(pk=answer.pk).maturity is None


def test_the_next_assessment_starts_from_the_last_and_progress_shows(make_assessment, owner, auditor):
    first = rate(make_assessment(), owner, {"4.1": 1, "6.1.2": 2})
    second = make_assessment(title="Six months on", assessed_on=dt.date(2026, 9, 1))
    assert second.answers.get(requirement__code="6.1.2").maturity == 2  # carried over
    second = rate(second, owner, {"4.1": 3, "6.1.2": 1})
    rows = {r["requirement"].code: r["delta"] for r in readiness.compare(first, second)}
    assert rows["4.1"] == 2 and rows["6.1.2"] == -1
    page = (
        client_for(auditor)
        .get(f"/readiness/compare/?a={first.reference}&b={second.reference}")
        .content.decode()
    )
    assert "<strong>1</strong> improved" in page and "<strong>1</strong> declined" in page
    assert "<svg" in page


def test_completing_needs_every_question_answered(make_assessment, owner):
    assessment = make_assessment()
    response = client_for(owner).post(
        f"/readiness/{assessment.reference}/edit/", {**form_data_for(assessment), "status": "complete"}
    )
    assert response.status_code == 400 and "questions are unanswered" in response.content.decode()


def test_actions_from_gaps_once_each_with_due_date_and_phase(make_assessment, owner):
    assessment = rate(
        make_assessment(), owner, {code: 3 for code in readiness.questions().values_list("code", flat=True)}
    )
    assessment = rate(assessment, owner, {"4.1": 0, "A.9": 2})
    response = client_for(owner).post(
        f"/readiness/{assessment.reference}/raise-actions/", {"version": assessment.version}, follow=True
    )
    assert "Implementation actions created" in response.content.decode()
    actions = {a.requirement.code: a for a in ImplementationAction.objects.select_related("requirement")}
    assert set(actions) == {"4.1", "A.9"}
    assert actions["4.1"].phase == "pilot" and actions["A.9"].phase == "rollout"
    assert actions["4.1"].due_on < actions["A.9"].due_on
    again = client_for(owner).post(
        f"/readiness/{assessment.reference}/raise-actions/", {"version": assessment.version}, follow=True
    )
    assert "Every gap already has an implementation action" in again.content.decode()
    assert ImplementationAction.objects.count() == 2


def test_an_auditor_reads_the_questionnaire_but_cannot_rate(make_assessment, auditor):
    assessment = make_assessment()
    page = client_for(auditor).get(f"/readiness/{assessment.reference}/").content.decode()
    assert "4.1" in page and "Save answers" not in page and "Create actions from gaps" not in page
    answer = assessment.answers.first()
    response = client_for(auditor).post(
        f"/readiness/{assessment.reference}/answers/", {"version": 1, f"maturity-{answer.pk}": "5"}
    )
    assert response.status_code == 403
    assert ReadinessAnswer.objects.get(pk=answer.pk).maturity is None


def test_an_archived_assessment_is_not_rated_until_restored(make_assessment, owner, manager):
    assessment = make_assessment()
    assessment = readiness.services.archive(assessment, actor=manager, expected_version=1)
    page = client_for(owner).get(f"/readiness/{assessment.reference}/").content.decode()
    assert "Save answers" not in page
    with pytest.raises(PermissionDenied, match="archived; restore it before editing"):
        rate(assessment, owner, {"4.1": 2})
    assert not assessment.answers.filter(maturity__isnull=False).exists()


def test_report_pdf_has_the_gaps_and_progress(make_assessment, owner, manager, tmp_path):
    from aims.models import Job as JobModel

    first = rate(make_assessment(), owner, {"4.1": 1})
    second = rate(
        make_assessment(title="Autumn", assessed_on=dt.date(2026, 10, 1)), owner, {"4.1": 4, "6.1.2": 0}
    )
    job = JobModel.objects.create(
        kind=readiness.KIND, title="r", params={"reference": second.reference}, requested_by=manager
    )
    name, data = readiness.readiness_report_pdf(job, lambda p: None)
    assert name.startswith(f"readiness-{second.reference}") and data.startswith(b"%PDF")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Readiness report" in text and f"Compared with {first.reference}" in " ".join(text.split())
    assert "6.1.2" in text and "High" in text and "Maturity by section" in text


def test_report_button_queues_a_job(make_assessment, auditor):
    assessment = make_assessment()
    response = client_for(auditor).post(f"/readiness/{assessment.reference}/report/")
    job = Job.objects.get()
    assert (
        response.status_code == 302
        and job.kind == readiness.KIND
        and job.params == {"reference": assessment.reference}
    )


def test_sending_only_evidence_keeps_a_zero_rating(make_assessment, owner):
    assessment = rate(make_assessment(), owner, {"4.1": 0})
    answer = assessment.answers.get(requirement__code="4.1")
    readiness.save_answers(
        assessment,
        actor=owner,
        expected_version=assessment.version,
        data={f"evidence-{answer.pk}": "Nothing yet"},
    )
    answer.refresh_from_db()
    assert (answer.maturity, answer.evidence_note) == (0, "Nothing yet")


def test_unrated_questions_are_not_gaps_and_raise_no_actions(make_assessment, owner):
    assessment = rate(make_assessment(), owner, {"4.1": 1})
    assert [g.answer.requirement.code for g in readiness.gaps(assessment)] == ["4.1"]
    readiness.raise_actions(assessment, actor=owner)
    assert list(ImplementationAction.objects.values_list("requirement__code", flat=True)) == ["4.1"]


def test_the_api_reads_and_rates_the_questionnaire(make_assessment, owner, auditor):
    assessment = make_assessment()
    url = f"/api/v1/readiness/{assessment.reference}/answers/"
    rows = client_for(auditor).get(url).json()
    assert rows[0] == {"requirement": "4.1", "title": rows[0]["title"], "maturity": None, "evidence": ""}
    api = client_for(owner)
    body = {"version": 1, "answers": [{"requirement": "4.1", "maturity": 2, "evidence": "Workshop notes"}]}
    response = api.post(url, body, content_type="application/json")
    assert response.status_code == 200 and response.json()[0]["maturity"] == 2
    body["answers"][0]["maturity"] = 3  # from a page read before the first save
    stale = api.post(url, body, content_type="application/json")
    assert stale.status_code == 409 and assessment.answers.get(requirement__code="4.1").maturity == 2
    bad = api.post(
        url,
        {"version": 2, "answers": [{"requirement": "A.6.2.4", "maturity": 1}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "A.6.2.4" in str(bad.json())
    out_of_range = api.post(
        url,
        {"version": 2, "answers": [{"requirement": "4.2", "maturity": 9}]},
        content_type="application/json",
    )
    assert out_of_range.status_code == 400 and "maturity" in str(out_of_range.json())
    refused = client_for(auditor).post(url, {"version": 2, "answers": []}, content_type="application/json")
    assert refused.status_code == 403
    assert assessment.answers.get(requirement__code="4.2").maturity is None


def test_editing_through_a_form_without_clause_links_keeps_the_links(owner):
    from aims.models import Requirement

    clause = Requirement.objects.get(code="4.1", standard__key="iso42001")
    assessment = readiness.services.create(
        actor=owner, fields={"title": "Linked", "assessed_on": dt.date(2026, 3, 1)}, requirements=[clause]
    )
    data = {**form_data_for(assessment), "title": "Linked, renamed"}
    assert "requirements" not in data  # this register's form does not offer the links
    response = client_for(owner).post(f"/readiness/{assessment.reference}/edit/", data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.title == "Linked, renamed" and list(assessment.requirements.all()) == [clause]

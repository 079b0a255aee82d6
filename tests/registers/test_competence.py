import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.records import create_record
from registers.competence_gaps import GAP, competence_gaps
from registers.models import AimsRole, TrainingRecord
from registers.standard import training
from registers.standard.competence import services
from registers.standard.courses import services as course_services
from tests import clock
from tests.base import client_for
from tests.conftest import make_user
from tests.figures import figures, list_total, parse


def days(n):
    return clock.today() + dt.timedelta(days=n)


@pytest.fixture
def make_role(owner):
    def make(title, people=()):
        role = create_record(
            AimsRole,
            actor=owner,
            fields={"title": title, "responsibilities": "As the RACI says.", "owner": owner},
        )
        role.people.set(people)
        return role

    return make


@pytest.fixture
def make_course(owner):
    def make(title, valid_months=None):
        return course_services.create(actor=owner, fields={"title": title, "valid_months": valid_months})

    return make


@pytest.fixture
def make_requirement(owner, make_role, make_course):
    def make(role=None, courses=(), **overrides):
        fields = {
            "title": "Can run an AI risk assessment",
            "role": role or make_role("AI risk owner"),
            "courses": list(courses) or [make_course("AI risk assessment in practice", 24)],
            **overrides,
        }
        return services.create(actor=owner, fields=fields)

    return make


def completed(person, course, expires_on, **extra):
    return training.services.create(
        actor=extra.pop("actor"),
        fields={"person": person, "course": course, "completed_on": expires_on - dt.timedelta(days=700),
                "expires_on": expires_on, **extra},
    )  # fmt: skip


@pytest.fixture
def matrix(db, owner, make_role, make_course, make_requirement):
    """Ann holds both roles, Ben the risk role only, Cat the data role only."""
    ann, ben, cat = make_user("ann"), make_user("ben"), make_user("cat")
    risk_role = make_role("AI risk owner", [ann, ben])
    data_role = make_role("Data steward", [ann, cat])
    c1, c2 = make_course("Risk basics", 24), make_course("Risk advanced", 24)
    c3, c4 = make_course("Impact assessment", 12), make_course("Data quality", None)
    assess = make_requirement(risk_role, [c1, c2], title="Assesses AI risks")
    impact = make_requirement(risk_role, [c3], title="Assesses AI system impact")
    quality = make_requirement(data_role, [c4], title="Judges data quality")
    completed(ann, c1, days(400), actor=owner)
    completed(ann, c2, days(-30), actor=owner)  # an older, expired one does not spoil the valid one
    completed(ben, c2, days(-1), actor=owner)
    completed(ben, c3, days(30), actor=owner)
    archived = completed(ann, c3, days(300), actor=owner)
    training.services.archive(archived, actor=owner, expected_version=1)  # archived: does not count
    completed(cat, c4, days(10), actor=owner)  # expiry given although the course does not expire
    training.services.create(actor=owner, fields={"person": ann, "course": c4, "completed_on": days(-5)})
    return {"people": (ann, ben, cat), "roles": (risk_role, data_role), "reqs": (assess, impact, quality)}


GAPS = "/competence/gaps/"


def cells(response):
    """{person name: {requirement title: label, or "-" when not required}} from the page's context."""
    reqs = response.context["requirements"]
    return {
        str(person): {
            req.title: c["cell"].state.label if c["cell"].state else "-"
            for req, c in zip(reqs, row, strict=True)
        }
        for person, row in response.context["rows"]
    }


def cell_of(response, person, title):
    reqs = [r.title for r in response.context["requirements"]]
    row = next(row for p, row in response.context["rows"] if p == person)
    return row[reqs.index(title)]


def test_each_person_in_a_role_against_the_requirements_of_their_roles_7_2(matrix, auditor):
    """7.2 a and d: the competence each role requires, and per person whether the evidence is there."""
    response = client_for(auditor).get(GAPS)
    assert response.status_code == 200
    assert cells(response) == {
        "Ann": {"Assesses AI risks": "Met", "Assesses AI system impact": "Missing", "Judges data quality": "Met"},
        "Ben": {"Assesses AI risks": "Expired", "Assesses AI system impact": "Expiring",
                "Judges data quality": "-"},
        "Cat": {"Assesses AI risks": "-", "Assesses AI system impact": "-", "Judges data quality": "Expiring"},
    }  # fmt: skip
    page = response.content.decode()
    # Colour plus words: every state carries its label and a legend explains them.
    assert 'class="badge badge-warn">Expiring</span></a> <small>until' in page
    assert "not a requirement of this person's roles" in page
    # The total counts required competences (cells), as every figure linking here does.
    assert 'data-total="6"' in page and "6 competences required of 3 people." in page


def test_a_cell_opens_the_record_that_meets_it_or_records_one(matrix, owner):
    ann, ben, _ = matrix["people"]
    assess, impact, _ = matrix["reqs"]
    response = client_for(owner).get(GAPS)
    met = cell_of(response, ann, "Assesses AI risks")
    meeting = TrainingRecord.objects.get(person=ann, course__title="Risk basics")
    assert met["record"] == f"/training/{meeting.reference}/" and not met["add"]
    missing = cell_of(response, ann, "Assesses AI system impact")
    course = impact.courses.get()
    assert missing["add"] == f"/training/new/?person=ann&course={course.reference}"
    expired = cell_of(response, ben, "Assesses AI risks")  # renew, and the lapsed record beside it
    lapsed = TrainingRecord.objects.get(person=ben, course__title="Risk advanced")
    assert expired["add"].startswith("/training/new/?person=ben&course=")
    assert expired["record"] == f"/training/{lapsed.reference}/"
    page = response.content.decode()
    assert f'href="{missing["add"]}"'.replace("&", "&amp;") in page and f'href="{met["record"]}"' in page
    form = client_for(owner).get(missing["add"]).content.decode()  # the form starts with both
    assert re.search(rf'<option value="{ann.pk}" selected>', form)
    assert re.search(rf'<option value="{course.pk}" selected>', form)


def test_an_auditor_who_may_not_add_gets_no_add_link(matrix, auditor):
    ann = matrix["people"][0]
    missing = cell_of(client_for(auditor).get(GAPS), ann, "Assesses AI system impact")
    assert missing["add"] == "" and missing["record"] == ""


def test_evidence_other_than_a_course_meets_a_requirement_7_2(matrix, owner):
    """7.2 b: competence from education or experience counts, with its evidence on record."""
    ann, ben, _ = matrix["people"]
    risk_role = matrix["roles"][0]
    experience = services.create(actor=owner, fields={"title": "Knows the credit models", "role": risk_role})
    assert not experience.courses.exists()
    record = training.services.create(
        actor=owner,
        fields={"person": ann, "competence": experience, "completed_on": days(-100), "notes": "10 years."},
    )
    assert record.title == "Knows the credit models: Ann" and record.course is None
    response = client_for(owner).get(GAPS)
    assert cell_of(response, ann, "Knows the credit models")["record"] == f"/training/{record.reference}/"
    missing = cell_of(response, ben, "Knows the credit models")
    assert missing["cell"].state.label == "Missing"
    assert missing["add"] == f"/training/new/?person=ben&competence={experience.reference}"
    page = client_for(owner).get(experience.get_absolute_url()).content.decode()  # linked both ways
    assert "Evidence of it other than a course" in page and f'href="/training/{record.reference}/"' in page


@pytest.mark.parametrize(
    "query,people,total",
    [
        ("state=gap", {"Ann", "Ben"}, 2),  # Ann's impact missing, Ben's risk course expired
        ("state=missing", {"Ann"}, 1),
        ("state=expiring", {"Ben", "Cat"}, 2),
        ("state=met", {"Ann"}, 2),
        ("person=ben", {"Ben"}, 2),
        ("person=ben&state=gap", {"Ben"}, 1),
    ],
)
def test_the_page_filters_by_state_and_person_and_counts_the_cells(matrix, auditor, query, people, total):
    response = client_for(auditor).get(f"{GAPS}?{query}")
    assert set(cells(response)) == people
    assert list_total(response.content.decode()) == (total, "")


def test_the_page_filters_by_role(matrix, auditor):
    data_role = matrix["roles"][1]
    response = client_for(auditor).get(f"{GAPS}?role={data_role.reference}")
    assert cells(response) == {
        "Ann": {"Judges data quality": "Met"},
        "Cat": {"Judges data quality": "Expiring"},
    }


@pytest.mark.parametrize("query,refused", [("role=ROL-9999", "role"), ("state=nope", "state"),
                                           ("person=nobody", "person"), ("colour=red", "colour")])  # fmt: skip
def test_a_filter_it_cannot_apply_is_stated_and_named(matrix, auditor, query, refused):
    response = client_for(auditor).get(f"{GAPS}?{query}")
    assert response.status_code == 200
    assert list_total(response.content.decode())[1] == refused
    if refused != "colour":
        assert response.context["rows"] == [] and "could not be applied" in response.content.decode()


def test_the_state_figures_each_open_the_list_that_counts_them(matrix, auditor):
    client = client_for(auditor)
    page = parse(client.get(GAPS).content.decode())
    shown = {n.attrs["href"]: int(n.attrs["data-count"]) for n in figures(page)}
    assert shown["?state=gap"] == 2 and len(shown) == 5
    for href, count in shown.items():
        assert list_total(client.get(GAPS + href).content.decode()) == (count, "")


def test_the_page_shows_25_people_at_a_time(matrix, auditor):
    risk_role = matrix["roles"][0]
    for n in range(30):
        risk_role.people.add(make_user(f"extra{n:02d}"))
    client = client_for(auditor)
    first = client.get(GAPS)
    assert len(first.context["rows"]) == 25 and "Page 1 of 2" in first.content.decode()
    second = client.get(f"{GAPS}?page=2")
    assert len(second.context["rows"]) == 8
    assert list_total(second.content.decode())[0] == 6 + 30 * 2  # every page states the whole total


def test_queries_do_not_grow_with_people(matrix, owner, auditor):
    client = client_for(auditor)
    client.get(GAPS)  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        client.get(GAPS)
    risk_role, data_role = matrix["roles"]
    course = matrix["reqs"][0].courses.first()
    for n in range(12):
        person = make_user(f"extra{n}")
        risk_role.people.add(person)
        data_role.people.add(person)
        completed(person, course, days(100 + n), actor=owner)
    with CaptureQueriesContext(connection) as many:
        response = client.get(GAPS)
    assert len(response.context["rows"]) == 15
    assert len(many) == len(few) <= 12, [q["sql"] for q in many.captured_queries]


def test_the_page_shows_nothing_to_someone_without_a_role(matrix, outsider):
    response = client_for(outsider).get(GAPS)
    assert response.status_code == 200 and response.context["rows"] == []
    assert "Ann" not in response.content.decode()


def test_empty_page_says_what_to_do_first(auditor):
    page = client_for(auditor).get(GAPS).content.decode()
    assert "Add people to the AIMS roles first" in page


def test_the_old_matrix_address_leads_to_the_gaps(auditor):
    response = client_for(auditor).get("/competence/matrix/?role=ROL-0001")
    assert response.status_code == 302 and response["Location"] == f"{GAPS}?role=ROL-0001"


def test_the_selector_judges_the_whole_organisation_for_readiness(matrix):
    gaps = competence_gaps(today=clock.today())  # no user: what certification readiness asks
    assert gaps.counts() == {"gap": 2, "met": 2, "expiring": 2, "expired": 1, "missing": 1}
    assert gaps.count() == 6 and gaps.people_with(GAP) == 2


def test_the_register_page_counts_the_gaps_as_the_gaps_page_does(matrix, auditor):
    risk_role = matrix["roles"][0]
    client = client_for(auditor)
    page = client.get(f"/competence/?role={risk_role.reference}").content.decode()
    assert "/competence/gaps/" in page
    assert "Assesses AI risks" in page and "Judges data quality" not in page
    assert "Risk basics, Risk advanced" in page or "Risk advanced, Risk basics" in page
    counted = {n.attrs["href"]: n.attrs["data-count"] for n in figures(parse(page))}
    assert counted == {f"{GAPS}?state=gap": "2", f"{GAPS}?state=expiring": "2"}
    for href, count in counted.items():
        assert list_total(client.get(href).content.decode()) == (int(count), "")


def test_the_dashboard_shows_the_gaps_and_my_own(matrix, owner, make_requirement):
    risk_role = matrix["roles"][0]
    risk_role.people.add(owner)  # the owner holds the role and has taken no course
    client = client_for(owner)
    page = client.get("/dashboard/panels/governance_panel/").content.decode()
    counted = {n.attrs["href"]: n.attrs["data-count"] for n in figures(parse(page))}
    mine = f"{GAPS}?person={owner.username}&state=gap"
    assert counted[f"{GAPS}?state=gap"] == "4" and counted[mine] == "2"
    for href in (f"{GAPS}?state=gap", mine):
        assert list_total(client.get(href).content.decode()) == (int(counted[href]), "")
    with CaptureQueriesContext(connection) as few:
        client.get("/dashboard/panels/governance_panel/")
    for n in range(10):
        risk_role.people.add(make_user(f"extra{n}"))
    with CaptureQueriesContext(connection) as many:
        client.get("/dashboard/panels/governance_panel/")
    assert len(many) == len(few) <= 13


def test_someone_without_a_role_sees_no_figure_of_their_own(matrix, auditor):
    page = client_for(auditor).get("/dashboard/panels/governance_panel/").content.decode()
    assert f"person={auditor.username}" not in page and "of them yours" not in page


def test_a_role_page_counts_the_gaps_of_its_people(matrix, auditor):
    risk_role = matrix["roles"][0]
    client = client_for(auditor)
    page = client.get(risk_role.get_absolute_url()).content.decode()
    counted = {n.attrs["href"].replace("&amp;", "&"): n.attrs["data-count"] for n in figures(parse(page))}
    assert counted == {
        f"{GAPS}?role={risk_role.reference}&state=gap": "2",
        f"{GAPS}?role={risk_role.reference}": "4",
    }
    for href, count in counted.items():
        assert list_total(client.get(href).content.decode()) == (int(count), "")

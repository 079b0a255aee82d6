import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aims.records import create_record
from registers.models import AimsRole
from registers.standard import training
from registers.standard.competence import services
from registers.standard.courses import services as course_services
from tests.base import client_for
from tests.conftest import make_user

TODAY = timezone.localdate()


def days(n):
    return TODAY + dt.timedelta(days=n)


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


def cells(response):
    """{person name: {requirement title: label}} from the page's context."""
    reqs = response.context["requirements"]
    return {
        str(person): {req.title: cell.state.label for req, cell in zip(reqs, row, strict=True)}
        for person, row in response.context["rows"]
    }


def test_matrix_cells(matrix, auditor):
    response = client_for(auditor).get("/competence/matrix/")
    assert response.status_code == 200
    assert cells(response) == {
        "Ann": {"Assesses AI risks": "Met", "Assesses AI system impact": "Missing", "Judges data quality": "Met"},
        "Ben": {"Assesses AI risks": "Expired", "Assesses AI system impact": "Expiring",
                "Judges data quality": "Not required"},
        "Cat": {"Assesses AI risks": "Not required", "Assesses AI system impact": "Not required",
                "Judges data quality": "Expiring"},
    }  # fmt: skip
    page = response.content.decode()
    # Colour plus words: every state carries its label and a legend explains them.
    assert 'class="badge badge-warn">Expiring</span> <small>until' in page
    assert 'class="badge badge-bad">Expired</span> <small>on' in page
    assert "not a requirement of this person&#x27;s roles" in page


def test_matrix_filters_by_role(matrix, auditor):
    data_role = matrix["roles"][1]
    response = client_for(auditor).get(f"/competence/matrix/?role={data_role.reference}")
    assert cells(response) == {
        "Ann": {"Judges data quality": "Met"},
        "Cat": {"Judges data quality": "Expiring"},
    }
    response = client_for(auditor).get("/competence/matrix/?role=ROL-9999")
    assert response.status_code == 200 and "ROL-9999" in response.content.decode()
    assert response.context["rows"] == []


def test_matrix_queries_do_not_grow_with_people(matrix, owner, auditor):
    client = client_for(auditor)
    client.get("/competence/matrix/")  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        client.get("/competence/matrix/")
    risk_role, data_role = matrix["roles"]
    course = matrix["reqs"][0].courses.first()
    for n in range(12):
        person = make_user(f"extra{n}")
        risk_role.people.add(person)
        data_role.people.add(person)
        completed(person, course, days(100 + n), actor=owner)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/competence/matrix/")
    assert len(response.context["rows"]) == 15
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_matrix_shows_nothing_to_someone_without_a_role(matrix, outsider):
    response = client_for(outsider).get("/competence/matrix/")
    assert response.status_code == 200 and response.context["rows"] == []
    assert "Ann" not in response.content.decode()


def test_empty_matrix_says_what_to_do_first(auditor):
    page = client_for(auditor).get("/competence/matrix/").content.decode()
    assert "Add people to the AIMS roles first" in page


def test_list_links_to_the_matrix_and_filters_by_role(matrix, auditor):
    risk_role = matrix["roles"][0]
    page = client_for(auditor).get(f"/competence/?role={risk_role.reference}").content.decode()
    assert "/competence/matrix/" in page
    assert "Assesses AI risks" in page and "Judges data quality" not in page
    assert "Risk basics, Risk advanced" in page or "Risk advanced, Risk basics" in page

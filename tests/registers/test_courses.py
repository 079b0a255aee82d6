import pytest

from registers.standard.courses import services
from tests.base import client_for


@pytest.fixture
def make_course(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Responsible AI foundations",
            "provider": "In house",
            "valid_months": 24,
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


def test_list_says_how_long_a_course_is_valid_and_filters_on_it(make_course, auditor):
    make_course(title="Bias testing workshop", valid_months=12)
    make_course(title="AI policy induction", valid_months=None)
    client = client_for(auditor)
    page = client.get("/courses/").content.decode()
    assert "12 months" in page and "Does not expire" in page
    page = client.get("/courses/?expires=false").content.decode()
    assert "AI policy induction" in page and "Bias testing workshop" not in page


def test_empty_register_says_what_to_do(owner):
    assert "No courses yet" in client_for(owner).get("/courses/").content.decode()

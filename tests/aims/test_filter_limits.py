"""No request does unbounded work (issue 12): a list filter takes at most MAX_FILTER_VALUES values, on the
API and on the list page alike, and is refused by name beyond that; page sizes are capped."""

import pytest

from aims.filters import MAX_FILTER_VALUES
from tests.base import client_for


def many(name: str, count: int, value: str = "identified") -> str:
    return "&".join(f"{name}={value}" for _ in range(count))


@pytest.mark.parametrize(
    "url, name, value", [("/api/v1/risks/", "status", "identified"), ("/api/v1/systems/", "stage", "design")]
)
def test_the_api_refuses_a_filter_with_too_many_values_by_name(url, name, value, auditor, make_risk):
    make_risk(title="Visible risk")
    response = client_for(auditor).get(f"{url}?{many(name, MAX_FILTER_VALUES + 1, value)}")
    assert response.status_code == 400
    assert response.json() == {
        name: [
            f"The filter {name} was given {MAX_FILTER_VALUES + 1} values; it takes at most {MAX_FILTER_VALUES}. "
            "Narrow the choice, or leave the filter out to see everything."
        ]
    }


def test_the_most_values_a_filter_takes_are_still_applied(auditor, make_risk):
    risk = make_risk(title="Visible risk")
    response = client_for(auditor).get(f"/api/v1/risks/?{many('status', MAX_FILTER_VALUES, risk.status)}")
    assert response.status_code == 200 and response.json()["count"] == 1


def test_a_long_comma_list_counts_each_value(auditor):
    ordering = ",".join(["title"] * (MAX_FILTER_VALUES + 1))
    response = client_for(auditor).get(f"/api/v1/risks/?ordering={ordering}")
    assert (
        response.status_code == 400
        and "The filter ordering was given 101 values" in response.json()["ordering"][0]
    )


def test_the_list_page_refuses_too_many_values_with_the_filters_name(auditor, make_risk):
    make_risk(title="Visible risk")
    client = client_for(auditor)
    response = client.get(f"/risks/?{many('system', MAX_FILTER_VALUES + 5, 'SYS-0001')}")
    page = response.content.decode()
    assert response.status_code == 400
    assert "The filter system was given 105 values; it takes at most 100." in page
    assert "Visible risk" not in page  # refused, never applied in part
    export = client.get(f"/risks/?export=csv&{many('status', MAX_FILTER_VALUES + 1)}")
    assert export.status_code == 400 and "The filter status was given" in export.content.decode()


def test_page_sizes_are_capped_on_the_api_and_the_list_page(auditor, make_risk):
    for number in range(3):
        make_risk(title=f"Risk {number}")
    client = client_for(auditor)
    api = client.get("/api/v1/risks/?page_size=1000000").json()
    assert api["count"] == 3 and len(api["results"]) == 3
    from aims.api.pagination import PageNumberPagination

    assert PageNumberPagination.max_page_size == 500
    page = client.get("/risks/?page_size=1000000")
    assert page.status_code == 200 and page.context["paginator"].per_page == 50

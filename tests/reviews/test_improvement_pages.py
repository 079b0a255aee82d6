"""The improvement lists: empty states that say what to do first, filters (bad ones harmless), sorting,
export, and the menu under Act."""

import pytest

from tests.base import client_for

LISTS = {
    "/nonconformities/": "Raise one from an incident",
    "/corrective-actions/": "start one from its page",
    "/preventive-actions/": "Raise one from an AI risk",
    "/lessons/": "write down what you learned",
    "/feedback/": "record it here",
}


@pytest.mark.parametrize("url, empty", LISTS.items())
def test_empty_lists_say_what_to_do_first(url, empty, owner):
    body = client_for(owner).get(url).content.decode()
    assert empty in body


def test_the_registers_sit_under_act_in_the_menu(owner):
    body = client_for(owner).get("/nonconformities/").content.decode()
    for label in (
        "Nonconformities",
        "Corrective actions",
        "Preventive actions",
        "Lessons learned",
        "Feedback",
    ):
        assert label in body


def test_nonconformity_list_filters_sorts_and_exports(make_nc, owner):
    major = make_nc(title="Major one")
    minor = make_nc(title="Minor one", grade="minor", source="audit", source_note="AUD-7 finding 2")
    client = client_for(owner)
    majors = client.get("/nonconformities/?grade=major&open=true").content.decode()
    assert major.reference in majors and minor.reference not in majors
    audits = client.get("/nonconformities/?source=audit&ordering=-grade").content.decode()
    assert minor.reference in audits and "AUD-7 finding 2" in audits and major.reference not in audits
    assert client.get("/nonconformities/?grade=huge&open=perhaps&page=x").status_code == 200
    csv = client.get("/nonconformities/?export=csv")
    assert csv.status_code == 200 and major.reference in csv.content.decode()
    assert client.get("/nonconformities/?export=xlsx").status_code == 200
    api = client.get("/api/v1/nonconformities/?grade=minor").json()["results"]
    assert [r["reference"] for r in api] == [minor.reference] and api[0]["requirements"] == ["8.1", "A.6.2.6"]

"""One way to name a person and one style of link, everywhere in the API: people by username (in answers
and in what is sent), links as absolute URLs (like the API root's). Checked on every register's own
sample record, so a register added later is held to it too."""

import pytest

from aims.models import Job, Notification
from registers.models import Risk
from tests.base import client_for
from tests.test_register_contract import SAMPLED, by_name

pytestmark = pytest.mark.django_db
HOST = "http://testserver"


@pytest.fixture
def people(manager, board, owner, other_owner, auditor, outsider):
    return {
        "manager": manager, "board": board, "owner": owner,
        "other_owner": other_owner, "auditor": auditor, "outsider": outsider,
    }  # fmt: skip


def strings(data, path=""):
    """Every (where, text) in an answer, however deep."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, f"{path}.{key}")
    elif isinstance(data, list):
        for n, value in enumerate(data):
            yield from strings(value, f"{path}[{n}]")
    elif isinstance(data, str):
        yield path, data


def assert_people_by_username_and_links_absolute(answer, people):
    names = {str(user) for user in people.values()}  # display names ("Olivia"), never usernames
    assert not names & {user.username for user in people.values()}
    for where, text in strings(answer):
        if where.endswith((".old", ".new")):
            continue  # a change's values are kept as the page showed them when it was made
        assert text not in names, f"{where} names a person by display name: {text!r}"
        if where.rsplit(".", 1)[-1] in ("url", "download") or where.endswith("_url"):
            assert text.startswith(f"{HOST}/"), f"{where} is not an absolute link: {text!r}"


@by_name(SAMPLED)
def test_every_register_names_people_by_username_and_links_absolutely(register, people):
    record = register.sample(people)
    client = client_for(people["manager"])
    api = f"/api/v1/{register.url_prefix}/"

    detail = client.get(f"{api}{record.reference}/").json()
    assert detail["owner"] == people["owner"].username
    assert detail["created_by"] in {user.username for user in people.values()}
    assert detail["url"] == f"{HOST}{record.get_absolute_url()}"
    assert_people_by_username_and_links_absolute(detail, people)

    listed = client.get(api).json()
    assert_people_by_username_and_links_absolute(listed, people)
    changes = client.get(f"{api}{record.reference}/history/").json()["results"]
    assert changes and all(c["actor"] in (None, *(u.username for u in people.values())) for c in changes)
    assert_people_by_username_and_links_absolute(changes, people)


def test_a_username_read_from_the_api_is_what_a_write_takes(owner, other_owner, manager, make_risk):
    risk = make_risk()
    client = client_for(manager)
    read = client.get(f"/api/v1/risks/{risk.reference}/").json()
    assert (read["owner"], read["created_by"], read["updated_by"]) == ("olivia", "olivia", "olivia")

    moved = client.patch(
        f"/api/v1/risks/{risk.reference}/",
        {"owner": other_owner.username, "version": read["version"]},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["owner"], moved.json()["updated_by"]) == ("oscar", "maria")

    by_name = client.patch(
        f"/api/v1/risks/{risk.reference}/",
        {"owner": str(owner), "version": moved.json()["version"]},
        content_type="application/json",
    )
    assert by_name.status_code == 400 and "owner" in by_name.json()
    assert Risk.objects.get(pk=risk.pk).owner == other_owner


def test_the_api_root_and_a_records_url_are_links_of_one_style(owner, make_risk):
    risk = make_risk()
    client = client_for(owner)
    root = client.get("/api/v1/").json()
    assert root["risks"] == f"{HOST}/api/v1/risks/"
    record = client.get(f"/api/v1/risks/{risk.reference}/").json()
    assert record["url"] == f"{HOST}/risks/{risk.reference}/"
    assert client.get(record["url"].removeprefix(HOST)).status_code == 200


def test_jobs_and_notifications_link_absolutely_and_name_who_asked_by_username(owner):
    job = Job.objects.create(
        kind="risk_register_pdf", title="AI risk register (PDF)", requested_by=owner, status=Job.Status.DONE
    )
    Notification.objects.create(
        user=owner, kind="job_done", key=f"job-{job.pk}", message="Done", url="/jobs/"
    )
    client = client_for(owner)
    listed = client.get("/api/v1/jobs/").json()["results"][0]
    assert listed["requested_by"] == "olivia"
    assert listed["download"] == f"{HOST}/api/v1/jobs/{job.pk}/download/"
    assert client.get("/api/v1/notifications/").json()["results"][0]["url"] == f"{HOST}/jobs/"


def test_a_list_sorted_by_several_columns_takes_them_repeated_or_comma_separated(owner, make_risk):
    for title in ("B", "A", "B"):
        make_risk(title=title)
    client = client_for(owner)
    repeated = client.get("/api/v1/risks/?ordering=title&ordering=-reference").json()["results"]
    commas = client.get("/api/v1/risks/?ordering=title,-reference").json()["results"]
    assert [r["reference"] for r in repeated] == [r["reference"] for r in commas]
    assert [r["title"] for r in repeated] == ["A", "B", "B"]
    assert repeated[1]["reference"] > repeated[2]["reference"]  # the second key counts too


def test_readiness_answers_with_absolute_links(manager):
    readiness = client_for(manager).get("/api/v1/certification-readiness/").json()
    links = [text for where, text in strings(readiness) if where.endswith(("url", "_url"))]
    assert links and all(link.startswith(f"{HOST}/") for link in links)

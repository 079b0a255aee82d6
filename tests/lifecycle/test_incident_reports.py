"""Serious incidents under the EU AI Act: the initial report within the Art. 73(2)-(4) deadline, then the
complete report (Art. 73(5)), each shown on the incident, filtered in the list and counted on the dashboard."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from aims.records import history
from lifecycle.standard.incidents.panels import incidents_panel
from lifecycle.standard.incidents.services import services
from tests import clock
from tests.base import client_for, dashboard_html


def days(n: int) -> dt.date:
    return clock.today() + dt.timedelta(days=n)


@pytest.fixture
def make_serious(owner):
    def make(n=0, kind="general", **more):
        fields = {"title": f"Declines doubled for older applicants {n}", "detected_on": days(-20),
                  "severity": "high", "description": "Score drift.", "serious": True, "serious_kind": kind, **more}  # fmt: skip
        return services.create(actor=owner, fields=fields)

    return make


def test_art_73_5_a_complete_report_follows_an_initial_report(make_serious, owner):
    """Art. 73(5): the initial report may be incomplete and is followed by the complete report; a complete
    report without an initial one, or dated before it, is refused on the field."""
    with pytest.raises(ValidationError) as refused:
        make_serious(complete_report_on=days(-2))
    assert "Art. 73(5)" in refused.value.message_dict["complete_report_on"][0]
    with pytest.raises(ValidationError) as refused:
        make_serious(reported_on=days(-5), complete_report_on=days(-6))
    assert "before the initial report" in refused.value.message_dict["complete_report_on"][0]
    incident = make_serious(reported_on=days(-10))
    incident = services.update(incident, actor=owner, expected_version=incident.version,
                               fields={"complete_report_on": days(-1)})  # fmt: skip
    change = history(incident).first().changes
    assert [c["label"] for c in change] == ["Complete report to the authority on"]


def test_the_form_and_api_refuse_a_complete_report_without_an_initial_one(make_serious, owner):
    incident = make_serious()
    response = client_for(owner).patch(
        f"/api/v1/incidents/{incident.reference}/",
        {"complete_report_on": clock.today().isoformat(), "version": incident.version},
        content_type="application/json",
    )
    assert response.status_code == 400 and "complete_report_on" in response.json()


@pytest.mark.parametrize(
    "kind, paragraph, deadline_days",
    [("general", "73(2)", 15), ("widespread", "73(3)", 2), ("death", "73(4)", 10)],
)
def test_art_73_the_incident_page_shows_the_initial_deadline_and_awaits_the_complete_report(
    make_serious, auditor, kind, paragraph, deadline_days
):
    """Art. 73(2)-(4): the initial report is due 15, 2 or 10 days after we became aware; once made, the
    page says the complete report is awaited, and shows its date once given."""
    pending = make_serious(kind=kind, detected_on=clock.today())
    page = client_for(auditor).get(pending.get_absolute_url()).content.decode()
    assert f"Initial report (Art. {paragraph})" in page and f"{days(deadline_days):%Y-%m-%d}" in page
    reported = make_serious(1, kind=kind, reported_on=days(-3))
    page = client_for(auditor).get(reported.get_absolute_url()).content.decode()
    assert f"Reported on {days(-3):%Y-%m-%d}" in page and "awaiting</span>" in page
    done = make_serious(2, kind=kind, reported_on=days(-9), complete_report_on=days(-1))
    page = client_for(auditor).get(done.get_absolute_url()).content.decode()
    assert f"Complete report (Art. 73(5))</dt>\n    <dd>Reported on {days(-1):%Y-%m-%d}" in page


def test_the_dashboard_counts_serious_incidents_awaiting_a_complete_report_and_links_exactly_those(
    make_serious, owner, board
):
    make_serious(0)  # not yet reported: counted as "to report", not here
    awaiting = [make_serious(1, reported_on=days(-4)), make_serious(2, reported_on=days(-2))]
    make_serious(3, reported_on=days(-9), complete_report_on=days(-1))
    services.create(actor=owner, fields={"title": "Minor glitch", "detected_on": clock.today(), "severity": "low",
                                         "description": "Typo."})  # fmt: skip
    client = client_for(board)  # the board's dashboard follows serious incidents
    page = dashboard_html(client)
    assert (
        'id="incidents-awaiting-complete" data-count="2" href="/incidents/?awaiting_complete_report=true">2<'
        in page
    )
    listed = client.get("/incidents/?awaiting_complete_report=true")
    assert {r.reference for r in listed.context["page_obj"]} == {i.reference for i in awaiting}
    assert listed.context["page_obj"].paginator.count == 2
    api = client.get("/api/v1/incidents/?awaiting_complete_report=true").json()
    assert {r["reference"] for r in api["results"]} == {i.reference for i in awaiting}


def test_the_panel_asks_no_more_queries_for_the_new_figure(
    rf, make_serious, auditor, django_assert_num_queries
):
    for n in range(3):
        make_serious(n, reported_on=days(-2))
    request = rf.get("/")
    request.user = auditor
    incidents_panel(request)  # the person's roles, read once per request
    with django_assert_num_queries(2):
        panel = incidents_panel(request)
    assert panel["awaiting_complete_count"] == 3

"""AI incidents (ISO/IEC 42001 A.8.4): roles, the serious-incident rules, the EU AI Act reporting
count-down, the communication log, reminders, drafting from a KPI breach, the dashboard panel and the
demo data."""

import datetime as dt

import pytest

from aims import records, roles
from aims.models import Notification
from aims.records import history
from aims.reminders import sweep
from lifecycle.models import AISystem, Incident, IncidentLog, Supplier
from lifecycle.standard.incidents.panels import incidents_panel
from lifecycle.standard.incidents.reminders import reporting_reminders
from lifecycle.standard.incidents.selectors import countdown, with_deadline
from lifecycle.standard.incidents.services import draft_incident, services
from tests import clock
from tests.base import RegisterRoleMatrix, client_for, dashboard_html, form_data_for
from tests.conftest import make_user


def days(n: int) -> dt.date:
    return clock.today() + dt.timedelta(days=n)


@pytest.fixture
def make_incident(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Chatbot quoted the wrong repayment date",
            "detected_on": clock.today(),
            "severity": "medium",
            "description": "A cached conversation leaked into another customer's answer.",
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


@pytest.fixture
def system(owner):
    return records.create_record(
        AISystem,
        actor=owner,
        fields={"title": "Credit scoring", "purpose": "Scores applicants.", "kind": "ml",
                "automation": "in_loop", "owner": owner},
    )  # fmt: skip


def serious(make_incident, kind="general", detected=0, **more):
    """A serious incident whose deadline falls `DEADLINE_DAYS[kind] + detected` days from today."""
    return make_incident(
        title=f"Serious {kind} {detected}",
        serious=True,
        serious_kind=kind,
        detected_on=days(detected),
        **more,
    )


class TestIncidentRoles(RegisterRoleMatrix):
    model = Incident
    url_prefix = "incidents"
    api_prefix = "/api/v1/incidents/"

    @pytest.fixture
    def record(self, make_incident):
        return make_incident()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {
            "title": "OCR misread income",
            "detected_on": clock.today().isoformat(),
            "severity": "low",
            "description": "Income read as 1,000 instead of 10,000.",
        }


# -- Rules ---------------------------------------------------------------------------------------------


def _new_form(**overrides):
    return {
        "title": "Stale bureau data declined applicants",
        "detected_on": clock.today().isoformat(),
        "severity": "high",
        "description": "Scored on month-old files.",
        "people_affected": "0",
        "status": "open",
        "review_cadence": "90",
        **overrides,
    }


def test_a_serious_incident_needs_its_kind_on_the_page(owner):
    response = client_for(owner).post("/incidents/new/", {**_new_form(), "serious": "on", "owner": owner.pk})
    assert response.status_code == 400
    assert "Say which kind: it sets the reporting deadline." in response.content.decode()
    assert not Incident.objects.exists()


def test_only_a_serious_incident_is_reported_on_the_page(owner):
    data = {**_new_form(), "reported_on": clock.today().isoformat(), "owner": owner.pk}
    response = client_for(owner).post("/incidents/new/", data)
    assert response.status_code == 400
    assert "Only serious incidents are reported to the authority." in response.content.decode()
    assert not Incident.objects.exists()


def test_the_api_names_the_field_that_breaks_a_rule(owner):
    client = client_for(owner)
    body = {"title": "x", "detected_on": clock.today().isoformat(), "severity": "high", "description": "x"}
    response = client.post("/api/v1/incidents/", {**body, "serious": True}, content_type="application/json")
    assert response.status_code == 400 and "serious_kind" in response.json(), response.json()
    response = client.post(
        "/api/v1/incidents/",
        {**body, "reported_on": clock.today().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400 and "reported_on" in response.json(), response.json()
    assert not Incident.objects.exists()


def test_no_longer_serious_drops_the_kind(make_incident, owner):
    record = serious(make_incident)
    response = client_for(owner).patch(
        f"/api/v1/incidents/{record.reference}/",
        {"serious": False, "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    record.refresh_from_db()
    assert record.serious_kind == "" and record.reporting_deadline is None


def test_the_system_is_linked_by_reference_and_filters_the_list(make_incident, system, owner):
    linked = make_incident(title="On credit scoring", system=system)
    other = make_incident(title="On nothing in particular")
    client = client_for(owner)
    page = client.get(f"/incidents/?system={system.reference}").content.decode()
    assert linked.reference in page and other.reference not in page
    found = client.get(f"/api/v1/incidents/?system={system.reference}").json()["results"]
    assert [r["reference"] for r in found] == [linked.reference] and found[0]["system"] == system.reference


# -- The reporting deadline ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind, days_allowed", [("general", 15), ("widespread", 2), ("death", 10)])
def test_the_deadline_is_counted_from_when_we_became_aware(make_incident, kind, days_allowed):
    record = serious(make_incident, kind, detected=-1)
    assert record.reporting_deadline == days(days_allowed - 1)
    assert with_deadline(Incident.objects.filter(pk=record.pk)).get().deadline_on == days(days_allowed - 1)


def test_count_down_wording(make_incident):
    assert countdown(serious(make_incident, "general", detected=-12)) == "due in 3 days"
    assert countdown(serious(make_incident, "widespread", detected=-1)) == "due in 1 day"
    assert countdown(serious(make_incident, "widespread", detected=-2)) == "due today"
    assert countdown(serious(make_incident, "death", detected=-12)) == "overdue by 2 days"
    reported = serious(make_incident, "death", detected=-20, reported_on=days(-11))
    assert countdown(reported) == f"reported on {days(-11).isoformat()}"
    assert countdown(make_incident(title="Not serious")) == ""


def test_the_detail_page_and_the_list_show_the_count_down(make_incident, auditor):
    soon = serious(make_incident, "general", detected=-12)
    late = serious(make_incident, "death", detected=-12)
    done = serious(make_incident, "widespread", detected=-5, reported_on=days(-4))
    client = client_for(auditor)
    for record, text in (
        (soon, "due in 3 days"),
        (late, "overdue by 2 days"),
        (done, f"Reported on {days(-4).isoformat()}"),
    ):
        page = client.get(record.get_absolute_url()).content.decode()
        assert "Reporting to the authority" in page and text in page
    listing = client.get("/incidents/").content.decode()
    assert f"{days(3).isoformat()} (due in 3 days)" in listing and "overdue by 2 days" in listing
    plain = make_incident(title="Not serious at all")
    assert "Reporting to the authority" not in client.get(plain.get_absolute_url()).content.decode()


def test_the_reporting_overdue_filter(make_incident, owner):
    late = serious(make_incident, "death", detected=-12)
    soon = serious(make_incident, "general", detected=-12)
    reported = serious(make_incident, "widespread", detected=-10, reported_on=days(-9))
    plain = make_incident(title="Not serious", detected_on=days(-30))
    client = client_for(owner)
    page = client.get("/incidents/?reporting_overdue=true").content.decode()
    assert late.reference in page
    assert all(r.reference not in page for r in (soon, reported, plain))
    found = client.get("/api/v1/incidents/?reporting_overdue=false").json()["results"]
    assert {r["reference"] for r in found} == {soon.reference, reported.reference, plain.reference}
    found = client.get("/api/v1/incidents/?serious=true&severity=medium").json()["results"]
    assert len(found) == 3


# -- Communication log --------------------------------------------------------------------------------


def test_recording_a_communication_from_the_page(make_incident, owner, auditor):
    record = make_incident()
    response = client_for(owner).post(
        f"/incidents/{record.reference}/log/",
        {"version": 1, "audience": "Affected customers", "message": "Apology letter sent."},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.version == 2
    entry = IncidentLog.objects.get()
    assert (entry.incident, entry.by, entry.audience, entry.message) == (
        record,
        owner,
        "Affected customers",
        "Apology letter sent.",
    )
    change = history(record).first()
    assert change.actor == owner and change.version == 2
    assert change.changes == [
        {
            "field": "log",
            "label": "Communication",
            "old": "",
            "new": "To Affected customers: Apology letter sent.",
        }
    ]
    page = client_for(auditor).get(record.get_absolute_url()).content.decode()
    assert "Apology letter sent." in page and "Affected customers" in page
    assert "Record a communication" not in page  # the auditor only reads
    assert (
        "Apology letter sent."
        in client_for(auditor).get(f"{record.get_absolute_url()}?tab=history").content.decode()
    )


def test_a_communication_needs_an_audience_and_a_message(make_incident, owner):
    record = make_incident()
    client = client_for(owner)
    client.post(f"/incidents/{record.reference}/log/", {"version": 1, "audience": "Board"})
    response = client.post(
        f"/api/v1/incidents/{record.reference}/log/",
        {"version": 1, "message": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "audience" in response.json()
    assert not IncidentLog.objects.exists() and history(record).count() == 1


def test_recording_a_communication_through_the_api(make_incident, owner):
    record = make_incident()
    response = client_for(owner).post(
        f"/api/v1/incidents/{record.reference}/log/",
        {"version": 1, "audience": "Regulator", "message": "Initial report filed."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert IncidentLog.objects.get().audience == "Regulator"


def test_a_communication_is_refused_to_those_who_may_not_change_it(make_incident, auditor, other_owner):
    record = make_incident()
    for person in (auditor, other_owner):
        response = client_for(person).post(
            f"/incidents/{record.reference}/log/", {"version": 1, "audience": "x", "message": "y"}
        )
        assert response.status_code == 403
    response = client_for(other_owner).post(
        f"/api/v1/incidents/{record.reference}/log/",
        {"version": 1, "audience": "x", "message": "y"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not IncidentLog.objects.exists()


def test_a_stale_communication_changes_nothing(make_incident, owner):
    record = make_incident()
    services.update(record, actor=owner, expected_version=1, fields={"harm": "None known."})
    client_for(owner).post(
        f"/incidents/{record.reference}/log/", {"version": 1, "audience": "x", "message": "y"}
    )
    assert not IncidentLog.objects.exists()


def test_no_communication_yet_says_what_to_do(make_incident, owner):
    page = client_for(owner).get(make_incident().get_absolute_url()).content.decode()
    assert "Nothing communicated yet" in page and "Record a communication" in page


# -- Reminders ----------------------------------------------------------------------------------------


def _reporting_notes():
    return Notification.objects.filter(key__startswith="incident-report:")


def test_reminders_go_to_the_owner_and_every_manager_once_a_day(make_incident, owner, manager, board):
    second_manager = make_user("mateo", roles.MANAGER, roles.OWNER)
    record = serious(make_incident, "general", detected=-13, owner=second_manager)  # due in 2 days
    sweep(clock.today())
    notes = _reporting_notes()
    assert {n.user for n in notes} == {manager, second_manager}  # owner and manager: once
    assert all(n.kind == Notification.Kind.REVIEW_DUE and "due in 2 days" in n.message for n in notes)
    sweep(clock.today())
    assert _reporting_notes().count() == 2
    sweep(days(1))
    assert _reporting_notes().count() == 4
    services.update(record, actor=manager, expected_version=1, fields={"reported_on": days(1)})
    sweep(days(2))
    assert _reporting_notes().count() == 4


def test_an_overdue_report_escalates_and_a_distant_one_waits(make_incident, owner, manager):
    late = serious(make_incident, "widespread", detected=-3)
    serious(make_incident, "general", detected=0)  # 15 days away
    found = list(reporting_reminders(clock.today()))
    assert {(user, kind) for user, kind, *_ in found} == {
        (owner, Notification.Kind.OVERDUE_ESCALATION),
        (manager, Notification.Kind.OVERDUE_ESCALATION),
    }
    assert all(late.reference in message and "overdue by 1 day" in message for *_, message, _ in found)


def test_archived_or_not_serious_incidents_send_no_reporting_reminder(make_incident, owner, manager):
    archived = serious(make_incident, "widespread", detected=-1)
    records.archive_record(archived, actor=owner, expected_version=1)
    make_incident(title="Not serious", detected_on=days(-30))
    assert list(reporting_reminders(clock.today())) == []


# -- Drafted from a KPI breach ------------------------------------------------------------------------


def test_draft_incident_opens_one_detected_today(system, owner):
    incident = draft_incident(
        actor=owner,
        system=system,
        title="OCR accuracy fell below threshold",
        description="Field accuracy 94% against a 98% threshold.",
        severity="medium",
        drafted_from="KPI-0003 breach on 2026-05-01",
    )
    incident.refresh_from_db()
    assert (incident.status, incident.detected_on, incident.system, incident.owner) == (
        "open",
        clock.today(),
        system,
        owner,
    )
    assert incident.drafted_from == "KPI-0003 breach on 2026-05-01" and not incident.serious
    created = history(incident).get()
    assert created.action == "created" and created.note == "Drafted from KPI-0003 breach on 2026-05-01."
    page = client_for(owner).get(incident.get_absolute_url()).content.decode()
    assert "KPI-0003 breach on 2026-05-01" in page


def test_draft_incident_is_refused_to_who_may_not_add(auditor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        draft_incident(
            actor=auditor, system=None, title="x", description="x", severity="low", drafted_from="x"
        )
    assert not Incident.objects.exists()


# -- Dashboard panel ----------------------------------------------------------------------------------


def test_the_panel_counts_open_incidents_by_severity_and_lists_deadlines(make_incident, board):
    make_incident(title="Open high", severity="high")
    make_incident(title="Investigating high", severity="high", status="investigating")
    make_incident(title="Closed critical", severity="critical", status="closed")
    late = serious(make_incident, "death", detected=-12)  # medium, open
    soon = serious(make_incident, "general", detected=-12)
    serious(make_incident, "widespread", detected=-5, reported_on=days(-4))
    page = dashboard_html(client_for(board))
    panel = page[page.index('id="incidents-panel-title"') :]
    assert '/incidents/?open=true">5 open' in panel
    assert '/incidents/?open=true&amp;severity=high"><strong>2</strong> high' in panel
    assert '/incidents/?open=true&amp;severity=critical"><strong>0</strong> critical' in panel
    assert '/incidents/?open=true&amp;severity=medium"><strong>3</strong> medium' in panel
    assert panel.index(late.reference) < panel.index(soon.reference)  # nearest deadline first
    assert "overdue by 2 days" in panel and "due in 3 days" in panel and "reported on" not in panel


def test_the_panel_says_what_to_do_when_there_is_nothing(board):
    page = dashboard_html(client_for(board))
    assert "No serious incident waits to be reported" in page and "No open AI incidents" in page


def test_the_panel_query_count_does_not_grow_with_incidents(
    make_incident, manager, django_assert_max_num_queries
):
    client = client_for(manager)
    url = "/dashboard/panels/incidents_panel/"
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(6) as first:
        client.get(url)
    for n in range(6):
        serious(make_incident, "general", detected=-n)
        make_incident(title=f"Open {n}", severity="high")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_the_panel_context_is_the_callable_the_dashboard_names(rf, auditor):
    request = rf.get("/")
    request.user = auditor
    assert incidents_panel(request)["template"] == "lifecycle/incidents_panel.html"


def test_empty_register_says_what_to_do_first(owner):
    page = client_for(owner).get("/incidents/").content.decode()
    assert "No AI incidents recorded" in page and "Record the first AI incident" in page


# -- Demo data ----------------------------------------------------------------------------------------


@pytest.fixture
def demo_users(db):
    return {
        "manager": make_user("demo-manager", roles.MANAGER),
        "board": make_user("demo-board", roles.BOARD),
        "board2": make_user("demo-board2", roles.BOARD),
        "owner": make_user("demo-owner", roles.OWNER),
        "owner2": make_user("demo-owner2", roles.OWNER),
        "owner3": make_user("demo-owner3", roles.OWNER),
        "auditor": make_user("demo-auditor", roles.AUDITOR),
    }


def test_demo_suppliers_and_incidents_once(demo_users):
    from lifecycle.demo import seed_lifecycle_suppliers_incidents

    assert seed_lifecycle_suppliers_incidents(demo_users) == 7
    assert Supplier.objects.count() == 3 and Incident.objects.count() == 4
    assert set(Supplier.objects.values_list("kind", flat=True)) == {"model", "platform", "data"}
    pending = Incident.objects.get(serious=True, reported_on__isnull=True)
    assert pending.reporting_deadline == days(2)
    reported = Incident.objects.get(serious=True, reported_on__isnull=False)  # awaits its complete report
    assert reported.reported_on <= reported.reporting_deadline and reported.complete_report_on is None
    assert countdown(pending) == "due in 2 days" and pending.log.exists()
    assert Incident.objects.exclude(drafted_from="").count() == 1
    assert history(pending).first().changes[0]["field"] == "log"
    assert seed_lifecycle_suppliers_incidents(demo_users) == 0
    assert Supplier.objects.count() == 3 and Incident.objects.count() == 4


def test_the_api_shows_where_a_drafted_incident_came_from_but_does_not_take_it(system, owner):
    incident = draft_incident(
        actor=owner, system=system, title="x", description="x", severity="low", drafted_from="KPI-0001"
    )
    client = client_for(owner)
    assert client.get(f"/api/v1/incidents/{incident.reference}/").json()["drafted_from"] == "KPI-0001"
    client.patch(
        f"/api/v1/incidents/{incident.reference}/",
        {"drafted_from": "forged", "version": 1},
        content_type="application/json",
    )
    incident.refresh_from_db()
    assert incident.drafted_from == "KPI-0001"

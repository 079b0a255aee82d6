"""KPIs and measurements (ISO/IEC 42001 9.1, A.6.2.6): the register, states, breach handling, the
measurement API with personal tokens, CSV import, the chart, reminders, the dashboard panel and the demo."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from guardian.shortcuts import assign_perm

from aims import records, roles
from aims.charts import line_chart_svg
from aims.models import ApiToken, Notification
from aims.records import history
from aims.reminders import sweep
from lifecycle.models import KPI, AISystem, Incident, Measurement
from lifecycle.standard.kpis.reminders import overdue_measurement_reminders
from lifecycle.standard.kpis.services import record_measurement, services
from registers.demo_names import CHATBOT
from registers.models import Objective
from tests import clock
from tests.base import RegisterRoleMatrix, client_for, form_data_for, run_queued_jobs
from tests.conftest import make_user


@pytest.fixture
def make_kpi(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Approval-rate ratio across groups",
            "metric": "Lowest group's approval rate over the highest",
            "unit": "ratio",
            "direction": "higher",
            "target": Decimal("0.9"),
            "warning": Decimal("0.85"),
            "breach": Decimal("0.8"),
            "frequency_days": 30,
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


def measure(kpi, value, *, actor, days_ago=0, source=Measurement.Source.UI):
    return record_measurement(
        kpi,
        actor=actor,
        value=Decimal(str(value)),
        measured_at=clock.now() - dt.timedelta(days=days_ago),
        source=source,
    )


def bearer(user) -> dict:
    _, secret = ApiToken.issue(user=user, name="pipeline")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


class TestKPIRoles(RegisterRoleMatrix):
    model = KPI
    url_prefix = "kpis"
    api_prefix = "/api/v1/kpis/"

    @pytest.fixture
    def record(self, make_kpi):
        return make_kpi()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {"title": "Fraud precision", "metric": "Confirmed share", "target": "0.9", "warning": "0.85",
                "breach": "0.8"}  # fmt: skip


# -- the register --------------------------------------------------------------------------------------
def test_thresholds_out_of_order_are_refused_on_the_page_naming_the_field(owner):
    data = {"title": "Precision", "metric": "Confirmed share", "unit": "", "direction": "higher", "target": "0.8",
            "warning": "0.85", "breach": "0.9", "frequency_days": 30, "owner": owner.pk, "review_cadence": 91}  # fmt: skip
    response = client_for(owner).post("/kpis/new/", data)
    assert response.status_code == 400
    assert "target must be at or above the warning" in response.context["form"].errors["warning"][0]
    assert not KPI.objects.exists()
    lower = {**data, "direction": "lower"}  # the same numbers are in order when lower is better
    assert client_for(owner).post("/kpis/new/", lower).status_code == 302


def test_thresholds_out_of_order_are_refused_by_the_api_naming_the_field(owner):
    payload = {"title": "Error rate", "metric": "Wrong fields", "direction": "lower", "target": "3",
               "warning": "2", "breach": "1"}  # fmt: skip
    response = client_for(owner).post("/api/v1/kpis/", payload, content_type="application/json")
    assert response.status_code == 400 and "at or below" in response.json()["warning"][0]
    assert not KPI.objects.exists()


def test_the_list_shows_state_in_words_last_value_and_filters(make_kpi, owner, manager):
    system = records.create_record(
        AISystem,
        actor=manager,
        fields={"title": "Credit scoring", "purpose": "Score applicants", "kind": "ml", "automation": "advisory",
                "owner": manager},
    )  # fmt: skip
    objective = records.create_record(
        Objective,
        actor=manager,
        fields={
            "title": "Fair credit",
            "measure": "ratio",
            "target": ">= 0.8",
            "due_on": clock.today(),
            "owner": manager,
        },
    )
    fair = make_kpi(system=system, objective=objective)
    measure(fair, "0.79", actor=owner)
    quiet = make_kpi(title="Chatbot grounded answers")
    KPI.objects.filter(pk=quiet.pk).update(created_at=clock.now() - dt.timedelta(days=45))
    client = client_for(owner)
    page = client.get("/kpis/").content.decode()
    assert '<span class="badge badge-bad">Breach</span>' in page and "0.79 ratio" in page
    assert '<span class="badge ">No measurement yet</span>' in page

    def listed(query):
        return {r["reference"] for r in client.get(f"/api/v1/kpis/?{query}").json()["results"]}

    assert listed("state=breach") == {fair.reference}
    assert listed("state=no_data") == {quiet.reference}
    assert listed(f"system={system.reference}") == {fair.reference}
    assert listed(f"objective={objective.reference}") == {fair.reference}
    assert listed("overdue=true") == {quiet.reference}
    assert listed("overdue=false") == {fair.reference}
    assert "Chatbot grounded answers" in client.get("/kpis/?overdue=true").content.decode()


def test_empty_register_says_what_to_do(owner):
    assert "No KPIs yet" in client_for(owner).get("/kpis/").content.decode()


# -- the measurement service ---------------------------------------------------------------------------
def test_state_follows_the_newest_measurement_with_history(make_kpi, owner):
    kpi = make_kpi()
    assert kpi.state == "no_data"
    for value, state in [("0.92", "ok"), ("0.84", "warning"), ("0.80", "breach"), ("0.9", "ok")]:
        measure(kpi, value, actor=owner)
        kpi.refresh_from_db()
        assert kpi.state == state and kpi.last_value == Decimal(value)
    assert kpi.version == 5
    change = history(kpi).first()
    assert {c["field"] for c in change.changes} == {"state", "last_value"} and "0.9 ratio" in change.note
    measure(kpi, "0.5", actor=owner, days_ago=10)  # back-filled: kept, but the newest still decides
    kpi.refresh_from_db()
    assert kpi.state == "ok" and kpi.version == 5 and kpi.measurements.count() == 5


def test_lower_is_better(make_kpi, owner):
    kpi = make_kpi(direction="lower", target=1, warning=2, breach=3, unit="%")
    for value, state in [("0.5", "ok"), ("2.5", "warning"), ("3", "breach")]:
        measure(kpi, value, actor=owner)
        kpi.refresh_from_db()
        assert kpi.state == state


def test_a_measurement_needs_no_version_even_after_the_kpi_changed(make_kpi, owner, manager):
    kpi = make_kpi()
    services.update(kpi, actor=manager, expected_version=1, fields={"title": "Renamed"})
    measure(kpi, "0.95", actor=owner)  # the caller's copy is at version 1; the row is at 2
    kpi.refresh_from_db()
    assert kpi.version == 3 and kpi.state == "ok"


def test_moving_into_breach_drafts_one_incident_and_notifies_the_owner(make_kpi, owner, manager):
    kpi = make_kpi()
    measure(kpi, "0.9", actor=owner, days_ago=2)
    measure(kpi, "0.7", actor=manager, days_ago=1)
    incident = Incident.objects.get()
    assert incident.drafted_from == kpi.reference and incident.status == "open"
    assert kpi.reference in incident.title and "0.7 ratio" in incident.description
    note = Notification.objects.get(user=owner, key__startswith="kpi-breach:")
    assert incident.reference in note.message and note.url == kpi.get_absolute_url()
    measure(kpi, "0.6", actor=owner)  # staying in breach: nothing more
    assert Incident.objects.count() == 1
    assert Notification.objects.filter(key__startswith="kpi-breach:").count() == 1
    measure(kpi, "0.95", actor=owner)
    measure(kpi, "0.75", actor=owner)  # out and back in: a new breach
    assert Incident.objects.count() == 2


def test_only_those_who_may_change_the_kpi_record_measurements(make_kpi, other_owner, auditor, owner):
    from django.core.exceptions import PermissionDenied

    kpi = make_kpi()
    for person in (other_owner, auditor):
        with pytest.raises(PermissionDenied):
            measure(kpi, "0.9", actor=person)
    assign_perm("change_kpi", other_owner, kpi)
    measure(kpi, "0.9", actor=other_owner)
    assert Measurement.objects.get().recorded_by == other_owner


# -- the page -------------------------------------------------------------------------------------------
def test_detail_page_has_chart_with_points_table_and_form(make_kpi, owner, auditor):
    kpi = make_kpi()
    for n, value in enumerate(["0.91", "0.88", "0.84"]):
        measure(kpi, value, actor=owner, days_ago=60 - 30 * n)
    page = client_for(owner).get(kpi.get_absolute_url()).content.decode()
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert svg.count('class="point"') == 3 and "<polyline" in svg
    assert "Target 0.9" in svg and "Warning 0.85" in svg and "Breach 0.8" in svg
    assert "0.84 ratio" in page and "Record a measurement" in page and "(3 in all)" in page
    read_only = client_for(auditor).get(kpi.get_absolute_url()).content.decode()
    assert "<svg" in read_only and "Record a measurement" not in read_only


def test_a_measurement_from_the_page(make_kpi, owner, auditor):
    kpi = make_kpi()
    url = f"/kpis/{kpi.reference}/measurements/"
    response = client_for(owner).post(url, {"value": "0.83", "measured_at": "", "note": "March sample"})
    assert response.status_code == 302
    m = Measurement.objects.get()
    assert (m.value, m.source, m.note, m.recorded_by) == (Decimal("0.83"), "ui", "March sample", owner)
    bad = client_for(owner).post(url, {"value": "lots", "measured_at": "2999-01-01T10:00"})
    assert bad.status_code == 400
    form = bad.context["measurement_form"]
    assert "value" in form.errors and "<svg" in bad.content.decode()
    future = client_for(owner).post(url, {"value": "0.9", "measured_at": "2999-01-01T10:00"})
    assert (
        future.status_code == 400 and "future" in future.context["measurement_form"].errors["measured_at"][0]
    )
    assert client_for(auditor).post(url, {"value": "0.9"}).status_code == 403
    assert Measurement.objects.count() == 1


def test_line_chart_without_points_says_so_and_escapes():
    svg = line_chart_svg([], target=1, title="<script>", unit="%")
    assert "No measurements yet" in svg and "<script>" not in svg and "Target 1" in svg
    single = line_chart_svg([(clock.now(), Decimal("2.5000"))], title="One", unit="")
    assert single.count('class="point"') == 1 and "2.5" in single


# -- the API -------------------------------------------------------------------------------------------
def test_a_pipeline_pushes_a_measurement_with_a_personal_token(make_kpi, owner):
    kpi = make_kpi()
    services.update(kpi, actor=owner, expected_version=1, fields={"unit": "share"})  # no version is asked
    url = f"/api/v1/kpis/{kpi.reference}/measurements/"
    response = Client().post(url, {"value": 0.812345678, "note": "nightly"}, content_type="application/json",
                             **bearer(owner))  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert Decimal(body["value"]) == Decimal("0.8123") and body["source"] == "api"
    assert body["recorded_by"] == owner.username
    kpi.refresh_from_db()
    assert kpi.state == "warning" and kpi.last_value == Decimal("0.8123")
    listed = Client().get(url, **bearer(owner)).json()
    assert listed["count"] == 1 and listed["results"][0]["note"] == "nightly"
    detail = Client().get(f"/api/v1/kpis/{kpi.reference}/", **bearer(owner)).json()
    assert detail["state"] == "warning" and Decimal(detail["last_value"]) == Decimal("0.8123")


def test_a_token_whose_user_may_not_change_the_kpi_is_refused(make_kpi, other_owner, auditor):
    kpi = make_kpi()
    url = f"/api/v1/kpis/{kpi.reference}/measurements/"
    for person, why in ((other_owner, "Only the owner"), (auditor, "read-only")):
        response = Client().post(url, {"value": 0.9}, content_type="application/json", **bearer(person))
        assert response.status_code == 403 and why in response.json()["detail"]
    assert not Measurement.objects.exists()
    outsider = make_user("stranger")
    response = Client().post(url, {"value": 0.9}, content_type="application/json", **bearer(outsider))
    assert response.status_code == 404


def test_a_delegates_token_may_push(make_kpi, other_owner):
    kpi = make_kpi()
    assign_perm("change_kpi", other_owner, kpi)
    response = Client().post(
        f"/api/v1/kpis/{kpi.reference}/measurements/", {"value": 0.9}, content_type="application/json",
        **bearer(other_owner),
    )  # fmt: skip
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "value"),
        ({"value": "lots"}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": "1e12"}, "value"),
        ({"value": "1e999999999999"}, "value"),
        ({"value": 1, "measured_at": "2999-01-01T00:00:00Z"}, "measured_at"),
        ({"value": 1, "measured_at": "1900-01-01T00:00:00Z"}, "measured_at"),
        ({"value": 1, "measured_at": "yesterday"}, "measured_at"),
        ({"value": 1, "note": "x" * 501}, "note"),
    ],
)
def test_bad_measurements_are_400_naming_the_field(make_kpi, owner, payload, field):
    kpi = make_kpi()
    response = Client().post(
        f"/api/v1/kpis/{kpi.reference}/measurements/",
        payload,
        content_type="application/json",
        **bearer(owner),
    )
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Measurement.objects.exists()


# -- CSV import ----------------------------------------------------------------------------------------
def upload(text: str, name="measurements.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_csv_import_saves_every_row_and_moves_the_state_once(make_kpi, owner):
    kpi = make_kpi()
    csv_text = (
        "measured_at,value,note\n2026-01-31,0.91,January\n\n2026-03-31 09:30,0.78,March\n2026-02-28,0.86,\n"
    )
    response = client_for(owner).post(f"/kpis/{kpi.reference}/import/", {"file": upload(csv_text)})
    [job] = run_queued_jobs()  # the rows are checked and saved by a job, as the person who asked
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done" and job.params["summary"].startswith("3 measurements imported")
    kpi.refresh_from_db()
    assert kpi.measurements.count() == 3 and set(kpi.measurements.values_list("source", flat=True)) == {"csv"}
    assert kpi.state == "breach" and kpi.last_value == Decimal("0.78") and kpi.version == 2
    assert Incident.objects.count() == 1  # the newest is a breach; history's past values draft nothing


def test_semicolon_csv_with_decimal_commas(make_kpi, owner):
    kpi = make_kpi()
    response = client_for(owner).post(
        f"/kpis/{kpi.reference}/import/", {"file": upload("value;measured_at\n0,92;2026-01-31\n")}
    )
    run_queued_jobs()
    assert response.status_code == 302 and kpi.measurements.get().value == Decimal("0.92")


def test_csv_import_reports_every_bad_row_and_saves_nothing(make_kpi, owner):
    kpi = make_kpi()
    measure(kpi, "0.9", actor=owner, days_ago=400)
    taken = timezone.localtime(kpi.measurements.get().measured_at).isoformat()
    csv_text = (
        "measured_at,value,note\n"
        "2026-01-31,0.91,fine\n"  # line 2: good
        "31/01/2026,0.9,\n"  # line 3: not ISO
        "2026-02-28,,\n"  # line 4: no value
        "2026-03-31,high,\n"  # line 5: not a number
        "2026-01-31,0.8,\n"  # line 6: the same time as line 2
        "2999-01-01,0.8,\n"  # line 7: future
        f"{taken},0.8,\n"  # line 8: already recorded
    )
    client = client_for(owner)
    client.post(f"/kpis/{kpi.reference}/import/", {"file": upload(csv_text)})
    [job] = run_queued_jobs()
    assert job.status == "failed"
    found = {(line, column) for line, column, _ in job.params["problems"]}
    assert found == {(3, "measured_at"), (4, "value"), (5, "value"), (6, "measured_at"), (7, "measured_at"),
                     (8, "measured_at")}  # fmt: skip
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "Nothing was imported: 6 problems" in page and "line 2" in page.lower()
    assert kpi.measurements.count() == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("when,value\n2026-01-01,1\n", "Missing column"),
        ("measured_at,value,colour\n2026-01-01,1,red\n", "Unknown column"),
        ("measured_at,value\n", "no measurements"),
        ("", "empty"),
        (
            "measured_at,value\n" + "2026-01-01,1\n" * 11,
            "The file has more than 10 rows below the header; the limit is 10.",
        ),
    ],
)
def test_csv_import_refuses_a_bad_file(make_kpi, owner, text, problem, settings):
    settings.IMPORT_MAX_ROWS = 10  # the one reader's row limit (aims.spreadsheets)
    kpi = make_kpi()
    response = client_for(owner).post(f"/kpis/{kpi.reference}/import/", {"file": upload(text)})
    assert response.status_code == 400 and problem in response.content.decode()
    assert not Measurement.objects.exists()


def test_csv_import_refuses_a_large_file_and_those_who_may_not_change(make_kpi, owner, auditor, settings):
    settings.MAX_UPLOAD_BYTES = 50_000  # the one reader's size limit (aims.spreadsheets)
    kpi = make_kpi()
    page = client_for(owner).get(f"/kpis/{kpi.reference}/import/").content.decode()
    assert f"At most {settings.IMPORT_MAX_ROWS:,} rows and 48.8 KB" in page  # the limits come from settings
    big = "measured_at,value,note\n" + ("2026-01-01,1," + "x" * 1000 + "\n") * 600
    response = client_for(owner).post(f"/kpis/{kpi.reference}/import/", {"file": upload(big)})
    assert response.status_code == 400
    assert "The file is 594.2 KB; the limit is 48.8 KB." in response.content.decode()
    assert client_for(auditor).get(f"/kpis/{kpi.reference}/import/").status_code == 403


def test_csv_import_takes_only_a_csv_file(make_kpi, owner):
    kpi = make_kpi()
    response = client_for(owner).post(
        f"/kpis/{kpi.reference}/import/", {"file": upload("measured_at,value\n2026-01-01,1\n", "m.txt")}
    )
    assert response.status_code == 400
    assert "Upload a .csv file of measurements; &#x27;m.txt&#x27; is not one." in response.content.decode()
    assert not Measurement.objects.exists()


# -- reminders and the dashboard ------------------------------------------------------------------------
def test_an_overdue_measurement_reminds_the_owner_once_per_due_date(make_kpi, owner):
    late = make_kpi()
    measure(late, "0.9", actor=owner, days_ago=40)
    never = make_kpi(title="Never measured")
    KPI.objects.filter(pk=never.pk).update(created_at=clock.now() - dt.timedelta(days=31))
    fresh = make_kpi(title="Just created")
    today = timezone.localdate()

    def keys(day):
        return {key for _, _, key, _, _ in overdue_measurement_reminders(day)}

    first = keys(today)
    assert {key.split(":")[1] for key in first} == {str(late.pk), str(never.pk)}
    sweep()
    sweep()  # the same due dates: nothing twice
    reminders = Notification.objects.filter(user=owner, key__startswith="kpi-measure:")
    assert set(reminders.values_list("key", flat=True)) == first
    measure(late, "0.9", actor=owner)  # measured: nothing owed until its next due date
    assert {key.split(":")[1] for key in keys(today)} == {str(never.pk)}
    later = today + dt.timedelta(days=31)
    assert keys(later) - first == {
        f"kpi-measure:{late.pk}:{(today + dt.timedelta(days=30)).isoformat()}",
        f"kpi-measure:{fresh.pk}:{(today + dt.timedelta(days=30)).isoformat()}",
    }  # a new period: a new key; the one never measured keeps its old due date and is not sent again
    sweep(later)
    assert reminders.count() == 4


def test_the_panel_lists_breaches_and_warnings_in_constant_queries(
    make_kpi, owner, board, django_assert_max_num_queries
):
    client = client_for(board)
    url = "/dashboard/panels/kpis_panel/"
    assert "No KPI is in breach or warning" in client.get(url).content.decode()
    bad = make_kpi(title="Bad one")
    measure(bad, "0.7", actor=owner)
    client.get(url)
    with django_assert_max_num_queries(12) as first:
        client.get(url)
    for n in range(6):
        kpi = make_kpi(title=f"KPI {n}")
        measure(kpi, "0.84" if n % 2 else "0.7", actor=owner)
    quiet = make_kpi(title="Quiet")
    KPI.objects.filter(pk=quiet.pk).update(created_at=clock.now() - dt.timedelta(days=60))
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(url).content.decode()
    assert bad.reference in page and "Breach</span>" in page and "Warning</span>" in page
    assert '?state=breach"><strong>4</strong> in breach' in page
    assert '?state=warning"><strong>3</strong> in warning' in page
    assert '?overdue=true"><strong>1</strong> measurement overdue' in page


# -- demo -----------------------------------------------------------------------------------------------
def test_demo_kpis_are_seeded_once_with_a_year_of_measurements(db):
    from lifecycle.demo_kpis import seed_kpis

    names = {"manager": roles.MANAGER, "board": roles.BOARD, "board2": roles.BOARD, "owner": roles.OWNER,
             "owner2": roles.OWNER, "owner3": roles.OWNER, "auditor": roles.AUDITOR}  # fmt: skip
    users = {key: make_user(f"demo-{key}", role) for key, role in names.items()}
    objective = records.create_record(
        Objective,
        actor=users["owner"],
        fields={"title": "Fair credit outcomes across groups", "measure": "ratio", "target": ">= 0.8",
                "due_on": clock.today(), "owner": users["owner"]},
    )  # fmt: skip
    chatbot = records.create_record(
        AISystem,
        actor=users["owner2"],
        fields={"title": CHATBOT, "purpose": "Answer customers", "kind": "generative", "automation": "advisory",
                "owner": users["owner2"]},
    )  # fmt: skip
    assert seed_kpis(users) == 4
    kpis = KPI.objects.all()
    assert kpis.count() == 4 and all(k.measurements.count() == 12 for k in kpis)
    assert KPI.objects.get(objective=objective).title.startswith("Approval-rate ratio")
    assert list(KPI.objects.filter(state="breach").values_list("title", flat=True)) == [
        "Chatbot grounded-answer rate"
    ]
    assert Incident.objects.get(drafted_from__startswith="KPI-").system == chatbot
    assert KPI.objects.get(state="breach").system == chatbot
    assert seed_kpis(users) == 0 and Measurement.objects.count() == 48


def test_overdue_and_not_overdue_split_the_kpis_by_the_due_date_the_page_shows(make_kpi, owner):
    """One SQL expression on both databases (SQLite, make run's, runs it in tests/test_crawl_sqlite.py),
    agreeing with the due date a KPI's page states."""
    from django.utils import timezone

    from lifecycle.standard.kpis.selectors import due_date, not_overdue, overdue

    late = make_kpi()
    measure(late, "0.9", actor=owner, days_ago=40)
    fresh = make_kpi(title="Just created")
    late.refresh_from_db()
    listed = KPI.objects.select_related("owner")  # as the list selects it
    assert set(overdue(listed)) == {late} and set(not_overdue(listed)) == {fresh}
    assert due_date(late) < timezone.localdate() <= due_date(fresh)

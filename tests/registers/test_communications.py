import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from aims.models import Notification
from aims.records import history
from aims.reminders import sweep
from registers.models import Communication, CommunicationLog
from registers.standard.communications import log_communication, services
from tests import clock
from tests.base import RegisterRoleMatrix, client_for, form_data_for


@pytest.fixture
def make_communication(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "AI policy briefing for new staff",
            "message": "What the AI policy asks of everyone, and how to raise a concern.",
            "audience": "New joiners",
            "channel": "meeting",
            "review_cadence": 30,
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


class TestCommunicationRoles(RegisterRoleMatrix):
    model = Communication
    url_prefix = "communications"
    api_prefix = "/api/v1/communications/"

    @pytest.fixture
    def record(self, make_communication):
        return make_communication()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {"title": "Quarterly AIMS report", "message": "KPIs", "audience": "Board", "channel": "report"}


def test_logging_it_records_who_and_when_and_moves_the_due_date(make_communication, owner, auditor):
    record = make_communication(next_review_on=clock.today() - dt.timedelta(days=3))
    response = client_for(owner).post(
        f"/communications/{record.reference}/log/", {"version": 1, "note": "Ten joiners attended."}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.next_review_on == clock.today() + dt.timedelta(days=30) and record.version == 2
    entry = CommunicationLog.objects.get()
    assert (entry.communication, entry.sent_on, entry.by, entry.note) == (
        record,
        clock.today(),
        owner,
        "Ten joiners attended.",
    )
    change = history(record).first()
    assert change.actor == owner and "Ten joiners attended." in change.note
    assert change.changes[0]["field"] == "next_review_on"
    page = client_for(auditor).get(record.get_absolute_url()).content.decode()
    assert "Ten joiners attended." in page and clock.today().isoformat() in page


def test_logging_is_refused_to_those_who_may_not_change_it(make_communication, auditor, other_owner):
    record = make_communication()
    for person in (auditor, other_owner):
        response = client_for(person).post(f"/communications/{record.reference}/log/", {"version": 1})
        assert response.status_code == 403
        page = client_for(person).get(record.get_absolute_url()).content.decode()
        assert "Record that it was communicated" not in page
    assert not CommunicationLog.objects.exists()


def test_an_archived_line_is_not_logged_until_restored(make_communication, owner, manager):
    record = services.archive(make_communication(), actor=manager, expected_version=1)
    reason = f"{record.reference} is archived; restore it before recording it as done."
    with pytest.raises(PermissionDenied, match=reason):
        log_communication(record, actor=owner, expected_version=2)
    assert not CommunicationLog.objects.exists()


def test_logging_with_a_stale_version_changes_nothing(make_communication, owner):
    record = make_communication()
    services.update(record, actor=owner, expected_version=1, fields={"audience": "Everyone"})
    client_for(owner).post(f"/communications/{record.reference}/log/", {"version": 1})
    assert not CommunicationLog.objects.exists()


def test_api_log_action(make_communication, owner):
    record = make_communication()
    response = client_for(owner).post(
        f"/api/v1/communications/{record.reference}/log/", {"version": 1}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["next_review_on"] == (clock.today() + dt.timedelta(days=30)).isoformat()
    assert CommunicationLog.objects.get().note == ""


def test_pages_say_frequency_and_next_due(make_communication, owner):
    record = make_communication()
    client = client_for(owner)
    detail = client.get(record.get_absolute_url()).content.decode()
    assert "Frequency" in detail and "Next due" in detail and "Not recorded as communicated yet" in detail
    form = client.get(f"/communications/{record.reference}/edit/").content.decode()
    assert "Frequency" in form and "Next due" in form
    listing = client.get("/communications/").content.decode()
    assert "Frequency" in listing and "Monthly" in listing


def test_due_communications_remind_the_owner(make_communication, owner):
    make_communication(next_review_on=clock.today() + dt.timedelta(days=2))
    sweep()
    assert Notification.objects.filter(user=owner, kind="review_due").count() == 1


def test_empty_register_says_what_to_do(owner):
    assert "No communications planned yet" in client_for(owner).get("/communications/").content.decode()

"""The AIMS certificate (ISO/IEC 17021-1 9.5 granting after a stage 2 recommendation, 9.6.2 surveillance,
9.6.3 recertification before expiry, 9.6.5 suspension and withdrawal): its number, body, scope statement
and dates; the audit that granted it and the surveillance audits that maintain it, linked both ways; the
status the body decides, or expired once the date passes; reminders as expiry or the next surveillance
audit nears; and the figure the manager and the board see on the dashboard."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aims import reminders
from aims.models import Notification
from aims.records import history
from audits.certificates import (
    certificate_services,
    reinstate_certificate,
    suspend_certificate,
    withdraw_certificate,
)
from audits.models import Certificate
from tests import clock
from tests.audits.conftest import BODY, ONLY_MANAGER_CREATES
from tests.base import EXPECT, RegisterRoleMatrix, client_for, dashboard_html, form_data_for


@pytest.fixture
def stage_2(make_body_audit):
    return make_body_audit(stage="stage_2", outcome="recommended")


@pytest.fixture
def make_certificate(manager, stage_2):
    def make(*, owner=None, n=1, **fields):
        data = {
            "title": f"ISO/IEC 42001 certificate {n}", "number": f"MCL-AIMS-{n:04d}", "certification_body": BODY,
            "scope_statement": "AI systems for credit scoring and fraud detection.",
            "issued_on": clock.today() - dt.timedelta(days=100), "expires_on": clock.today() + dt.timedelta(days=3 * 365 - 100),
            "next_surveillance_on": clock.today() + dt.timedelta(days=230), "granted_by": stage_2,
            "owner": owner or manager, **fields,
        }  # fmt: skip
        return certificate_services.create(actor=manager, fields=data)

    return make


def test_only_a_recommending_stage_2_or_recertification_audit_grants_it_17021_9_5(make_certificate,
                                                                                  make_body_audit, make_audit):  # fmt: skip
    for audit, words in (
        (make_audit(), "Choose the stage 2 or recertification audit"),
        (make_body_audit(stage="stage_1"), "Choose the stage 2 or recertification audit"),
        (make_body_audit(stage="stage_2", outcome="not_recommended"), "did not recommend certification"),
    ):
        with pytest.raises(ValidationError) as exc:
            make_certificate(granted_by=audit)
        assert words in exc.value.message_dict["granted_by"][0]
    with pytest.raises(ValidationError) as dates:
        make_certificate(expires_on=clock.today() - dt.timedelta(days=200))
    assert "expire after it is issued" in dates.value.message_dict["expires_on"][0]
    certificate = make_certificate(granted_by=make_body_audit(stage="recertification", outcome="recommended"))
    assert (
        certificate.current_status() == "valid"
        and not Certificate.objects.exclude(pk=certificate.pk).exists()
    )


def test_surveillance_audits_maintain_it_and_link_both_ways_17021_9_6_2(make_certificate, make_body_audit,
                                                                       stage_2, manager):  # fmt: skip
    certificate = make_certificate()
    with pytest.raises(ValidationError) as exc:
        make_body_audit(stage="stage_1", certificate=certificate)
    assert "Only a surveillance or recertification audit" in exc.value.message_dict["certificate"][0]
    surveillance = make_body_audit(stage="surveillance", certificate=certificate,
                                   starts_on=clock.today() + dt.timedelta(days=230), ends_on=clock.today() + dt.timedelta(days=231))  # fmt: skip
    client = client_for(manager)
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert (
        f'href="{surveillance.get_absolute_url()}"' in page and f'href="{stage_2.get_absolute_url()}"' in page
    )
    audit_page = client.get(surveillance.get_absolute_url()).content.decode()
    assert f'href="{certificate.get_absolute_url()}"' in audit_page
    granting_page = client.get(stage_2.get_absolute_url()).content.decode()
    assert "Certificates granted after it" in granting_page and certificate.reference in granting_page


def test_expiry_is_read_from_the_date_in_the_page_the_list_and_the_api(make_certificate, manager):
    lapsed = make_certificate(n=1, issued_on=clock.today() - dt.timedelta(days=3 * 365), expires_on=clock.today() - dt.timedelta(days=1),
                              next_surveillance_on=None)  # fmt: skip
    current = make_certificate(n=2)
    assert (lapsed.current_status(), lapsed.get_status_display()) == ("expired", "Expired")
    client = client_for(manager)
    expired = client.get("/certificates/?status=expired").content.decode()
    assert 'data-total="1"' in expired and lapsed.reference in expired and current.reference not in expired
    assert 'data-total="1"' in client.get("/certificates/?status=valid").content.decode()
    api = {c["reference"]: c["status"] for c in client.get("/api/v1/certificates/").json()["results"]}
    assert api == {lapsed.reference: "expired", current.reference: "valid"}


def test_the_bodys_suspension_and_withdrawal_are_recorded_with_reasons_17021_9_6_5(make_certificate, manager,
                                                                                   board):  # fmt: skip
    certificate = make_certificate()
    with pytest.raises(PermissionDenied):
        suspend_certificate(certificate, actor=board, expected_version=certificate.version, reason="No.")
    with pytest.raises(ValidationError) as exc:
        suspend_certificate(certificate, actor=manager, expected_version=certificate.version)
    assert "reason" in exc.value.message_dict
    certificate = suspend_certificate(certificate, actor=manager, expected_version=certificate.version,
                                      reason="Surveillance audit not held within the year.")  # fmt: skip
    assert certificate.get_status_display() == "Suspended"
    certificate = reinstate_certificate(certificate, actor=manager, expected_version=certificate.version)
    certificate = withdraw_certificate(certificate, actor=manager, expected_version=certificate.version,
                                       reason="We ended the certification.")  # fmt: skip
    with pytest.raises(ValidationError, match="withdrawn: it cannot be reinstated now"):
        reinstate_certificate(certificate, actor=manager, expected_version=certificate.version)
    changes = [c["new"] for entry in history(certificate) for c in entry.changes if c["field"] == "status"]
    assert changes == ["Withdrawn", "Valid", "Suspended", "Valid"]  # newest first, back to its creation
    response = client_for(manager).post(
        f"/api/v1/certificates/{certificate.reference}/suspend/",
        {"reason": "Again", "version": certificate.version}, content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400 and "withdrawn" in str(response.json())


def test_the_owner_and_the_board_are_reminded_once_as_expiry_nears(make_certificate, manager, owner, board):
    certificate = make_certificate(owner=owner, issued_on=clock.today() - dt.timedelta(days=1000),
                                   expires_on=clock.today() + dt.timedelta(days=60), next_surveillance_on=None)  # fmt: skip
    reminders.sweep(clock.today())
    key = f"certificate-expiry:{certificate.pk}:{certificate.expires_on.isoformat()}"
    told = set(Notification.objects.filter(key=key).values_list("user__username", flat=True))
    assert told == {owner.username, board.username}
    assert (
        "recertification audit must be done before then"
        in Notification.objects.filter(key=key).first().message
    )
    reminders.sweep(clock.today())
    assert Notification.objects.filter(key=key).count() == 2  # once


def test_the_next_surveillance_audit_reminds_the_owner_when_it_nears(make_certificate, owner):
    certificate = make_certificate(owner=owner, next_surveillance_on=clock.today() + dt.timedelta(days=40))
    reminders.sweep(clock.today() - dt.timedelta(days=30))  # 70 days ahead: not yet
    key = f"certificate-surveillance:{certificate.pk}:{certificate.next_surveillance_on.isoformat()}"
    assert not Notification.objects.filter(key=key).exists()
    reminders.sweep(clock.today())
    note = Notification.objects.get(key=key)
    assert note.user == owner and BODY in note.message and note.url == certificate.get_absolute_url()


def test_a_body_audit_starting_soon_reminds_its_owner_who_hosts_it(make_body_audit, owner):
    audit = make_body_audit(owner=owner, stage="surveillance", starts_on=clock.today() + dt.timedelta(days=5),
                            ends_on=clock.today() + dt.timedelta(days=6))  # fmt: skip
    reminders.sweep(clock.today())
    note = Notification.objects.get(key=f"audit-start:{audit.pk}:{audit.starts_on.isoformat()}")
    assert note.user == owner and "surveillance audit" in note.message


def test_the_manager_and_the_board_see_the_certificate_figures(make_certificate, make_body_audit, manager, board,
                                                               owner, django_assert_max_num_queries):  # fmt: skip
    make_certificate(n=1)
    make_certificate(n=2, issued_on=clock.today() - dt.timedelta(days=1000), expires_on=clock.today() + dt.timedelta(days=30),
                     next_surveillance_on=None)  # fmt: skip
    make_body_audit(
        stage="surveillance",
        starts_on=clock.today() + dt.timedelta(days=20),
        ends_on=clock.today() + dt.timedelta(days=21),
    )
    for person in (manager, board):
        html = dashboard_html(client_for(person))
        assert 'data-count="2" href="/certificates/?status=valid"' in html
        assert 'data-count="1" href="/certificates/?expiring=true"' in html
        assert 'data-count="2" href="/audits/?kind=certification&amp;status=planned"' in html  # with stage 2
    assert "/certificates/?status=valid" not in dashboard_html(client_for(owner))
    listed = client_for(board).get("/certificates/?expiring=true").content.decode()
    assert 'data-total="1"' in listed and "MCL-AIMS-0002" in listed
    assert (
        'data-total="2"'
        in client_for(board).get("/audits/?kind=certification&status=planned").content.decode()
    )
    client = client_for(manager)
    client.get("/dashboard/panels/audits_panel/")
    with django_assert_max_num_queries(15):  # the certificate's figures add one query to the panel
        client.get("/dashboard/panels/audits_panel/")


def test_the_empty_list_says_when_to_record_one(manager, board):
    page = client_for(manager).get("/certificates/").content.decode()
    assert "No certificate yet" in page and "New certificate" in page
    assert "New certificate" not in client_for(board).get("/certificates/").content.decode()


def test_a_surveillance_audit_is_found_from_the_api_by_its_certificate(
    make_certificate, make_body_audit, manager
):
    certificate = make_certificate()
    make_body_audit(stage="surveillance", certificate=certificate)
    data = client_for(manager).get("/api/v1/audits/?kind=certification").json()["results"]
    assert [a["certificate"] for a in data if a["stage"] == "surveillance"] == [certificate.reference]
    detail = client_for(manager).get(f"/api/v1/certificates/{certificate.reference}/").json()
    assert detail["granted_by"] == certificate.granted_by.reference and detail["number"] == "MCL-AIMS-0001"


class TestCertificateRoles(RegisterRoleMatrix):
    """The AIMS manager records certificates; the certificate's owner keeps it current; everyone reads."""

    model = Certificate
    url_prefix = "certificates"
    api_prefix = "/api/v1/certificates/"
    expect = {**EXPECT, "create": ONLY_MANAGER_CREATES}

    @pytest.fixture
    def record(self, make_certificate, owner):
        return make_certificate(owner=owner)

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self):
        return {
            "title": "Certificate", "number": "MCL-AIMS-9999", "certification_body": BODY,
            "scope_statement": "The AIMS.", "issued_on": (clock.today() - dt.timedelta(days=5)).isoformat(),
            "expires_on": (clock.today() + dt.timedelta(days=1000)).isoformat(),
        }  # fmt: skip

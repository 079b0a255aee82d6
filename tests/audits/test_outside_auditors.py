"""An outside auditor's access (issue 15, part 4): invited by the AIMS manager by email to one audit or to
chosen packs, for a set time; signs in with a second factor; sees that audit's records, sampled evidence
and shared packs read-only, and nothing else of AIMS -- no page, API, export, pack or catalogue entry
outside them; raises findings only if the invitation allows; every page and download is logged."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from aims import roles
from aims.mfa import OPEN_WITHOUT  # setting up the second factor, signing out
from aims.models import SignInPolicy
from aims.records import create_record, history
from audits.models import ChecklistItem, Finding, GuestAccess, GuestVisit
from tests.audits.conftest import pdf, reqs
from tests.audits.pack_helpers import build
from tests.base import client_for, finish_job

pytestmark = pytest.mark.django_db

GUEST_PASSWORD = "a-long-guest-passphrase-2026"
LONG_AGO = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)  # expired, withdrawn or used long before any run


@pytest.fixture
def audited(make_audit, make_evidence, owner, manager):
    """An audit with a checklist item that sampled a file, and a finding; and another audit with its own."""
    audit = make_audit(title="Stage 2 audit")
    sampled = make_evidence(title="Model validation report", file=pdf("validation.pdf", b"%PDF-1.4 sampled"))
    item = ChecklistItem.objects.create(audit=audit, requirement=reqs("6.1.2")[0], question="Risks assessed?",
                                        result="minor_nc", notes="Two risks lack an owner.")  # fmt: skip
    item.evidence.add(sampled)
    finding = create_record(Finding, actor=manager, fields={
        "audit": audit, "requirement": reqs("6.1.2")[0], "grade": "minor_nc", "title": "Risk owners missing",
        "description": "Two risks lack an owner.", "owner": owner})  # fmt: skip
    other = make_audit(title="Internal audit of suppliers", codes=("A.10.2",))
    hidden = make_evidence(title="Supplier contract", file=pdf("contract.pdf", b"%PDF-1.4 hidden"))
    ChecklistItem.objects.create(audit=other, question="Contracts?").evidence.add(hidden)
    return {"audit": audit, "sampled": sampled, "finding": finding, "other": other, "hidden": hidden}


@pytest.fixture
def packs(owner, tmp_path):
    shared, _ = _finished_pack(owner, tmp_path / "a")
    other, _ = _finished_pack(owner, tmp_path / "b")
    return shared, other


def _finished_pack(owner, tmp_path):
    path, pack = build(owner, {"requirements": ["iso42001:6.1.2"]}, tmp_path=tmp_path)
    finish_job(pack.job, "evidence-pack.zip", path)
    pack.job.refresh_from_db()
    return pack, path


def invite(manager, **overrides) -> tuple[GuestAccess, str]:
    client = client_for(manager)
    data = {"name": "Greta Auditor", "email": "greta@certbody.example", "organisation": "Meridian Certification",
            "until": (timezone.localdate() + dt.timedelta(days=20)).isoformat(), "may_download_packs": "on",
            **overrides}  # fmt: skip
    answer = client.post("/outside-auditors/invite/", {k: v for k, v in data.items() if v is not None})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    access = GuestAccess.objects.get(email=data["email"])
    link = re.search(r"http://testserver(/guest/accept/[^/\s]+/)", mail.outbox[-1].body).group(1)
    return access, link


def signed_in_guest(access, link) -> Client:
    """The guest accepts, and is signed in with their second factor used (the MFA flow itself is tested in
    tests/aims/test_sso_mfa.py)."""
    from allauth.account.internal.flows.login import record_authentication

    client = Client()
    made = client.post(
        link, {"name": "Greta Auditor", "password1": GUEST_PASSWORD, "password2": GUEST_PASSWORD}
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    access.refresh_from_db()
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, access.person, "mfa", type="totp")
    request.session.save()
    return client


@pytest.fixture
def guest(manager, audited, packs):
    access, link = invite(manager, audit=audited["audit"].pk, packs=[packs[0].pk], may_raise_findings="on")
    return access, signed_in_guest(access, link)


# -- inviting -------------------------------------------------------------------------------------------


def test_the_manager_invites_by_email_and_the_link_makes_a_guest_account(manager, audited):
    access, link = invite(manager, audit=audited["audit"].pk)
    assert mail.outbox[-1].to == ["greta@certbody.example"]
    assert "Stage 2 audit" in mail.outbox[-1].subject and "authenticator app" in mail.outbox[-1].body
    assert access.state == "invited" and access.invitation_digest not in link  # only the digest is kept
    client = Client()
    page = client.get(link).content.decode()
    assert "greta@certbody.example" in page and "Make my account" in page
    signed_in_guest(access, link)
    access.refresh_from_db()
    assert access.state == "active" and access.person.is_guest and access.person.role_names == frozenset()
    assert access.person.display_name == "Greta Auditor"


def test_a_guest_must_set_up_a_second_factor_before_anything(manager, audited):
    access, link = invite(manager, audit=audited["audit"].pk)
    SignInPolicy.objects.create(mfa_roles=[], updated_by=manager)  # no role needs one: a guest still does
    client = Client()
    client.post(link, {"name": "Greta", "password1": GUEST_PASSWORD, "password2": GUEST_PASSWORD})
    turned = client.get(f"/guest/{access.pk}/")
    assert turned.status_code == 302 and turned["Location"].startswith("/accounts/2fa/totp/activate/")


@pytest.mark.parametrize(
    "change, status, words",
    [
        ({"invitation_expires_at": LONG_AGO}, 410, "expired"),
        ({"revoked_at": LONG_AGO}, 410, "withdrawn"),
        ({"accepted_at": LONG_AGO}, 410, "accepted already"),
    ],
)
def test_an_invitation_link_that_expired_was_withdrawn_or_used_makes_nothing(
    manager, audited, change, status, words
):
    access, link = invite(manager, audit=audited["audit"].pk)
    GuestAccess.objects.filter(pk=access.pk).update(**change)
    client = Client()
    answer = client.post(link, {"name": "G", "password1": GUEST_PASSWORD, "password2": GUEST_PASSWORD})
    assert answer.status_code == status and words in answer.content.decode()
    assert not GuestAccess.objects.get(pk=access.pk).person_id
    assert client.get("/").status_code == 302  # nobody signed in
    assert Client().get("/guest/accept/not-a-real-token/").status_code == 404


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"until": "2000-01-01"}, "until", "has passed"),
        ({"until": "2999-01-01"}, "until", "At most 180 days"),
        ({"audit": None}, None, "Choose the audit, or at least one evidence pack"),
        ({"email": "maria@example.org"}, "email", "already has an AIMS account with a role"),
        ({"email": "not an address"}, "email", "valid email"),
    ],
)
def test_a_bad_invitation_names_the_field_and_invites_nobody(manager, audited, overrides, field, words):
    data = {"name": "Greta", "email": "greta@certbody.example", "until": (dt.date.today() + dt.timedelta(days=9)).isoformat(),
            "audit": audited["audit"].pk, **overrides}  # fmt: skip
    answer = client_for(manager).post(
        "/outside-auditors/invite/", {k: v for k, v in data.items() if v is not None}
    )
    assert answer.status_code == 400
    form = answer.context["form"]
    assert words in " ".join(form.errors.get(field or "__all__", [])), form.errors
    assert not GuestAccess.objects.exists() and not mail.outbox


@pytest.mark.parametrize("role", ["board", "owner", "auditor"])
def test_only_the_aims_manager_invites_and_sees_the_guests(request, role, manager, audited):
    access, _ = invite(manager, audit=audited["audit"].pk)
    client = client_for(request.getfixturevalue(role))
    for path in ("/outside-auditors/", "/outside-auditors/invite/", f"/outside-auditors/{access.pk}/"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/outside-auditors/{access.pk}/revoke/").status_code == 403
    assert GuestAccess.objects.get(pk=access.pk).revoked_at is None


# -- what the guest sees --------------------------------------------------------------------------------


def test_the_guest_sees_their_audit_read_only(guest, audited, packs):
    access, client = guest
    assert client.get("/")["Location"] == "/guest/"
    assert client.get("/guest/")["Location"] == f"/guest/{access.pk}/"
    page = client.get(f"/guest/{access.pk}/").content.decode()
    for shown in ("Stage 2 audit", "Risks assessed?", "Two risks lack an owner.", "Model validation report",
                  audited["finding"].reference, packs[0].title):  # fmt: skip
        assert shown in page, shown
    for hidden in ("Internal audit of suppliers", "Supplier contract", "Dashboard", 'class="menu-label"'):
        assert hidden not in page, hidden
    file = client.get(f"/guest/{access.pk}/evidence/{audited['sampled'].pk}/file/")
    assert file.status_code == 200 and b"".join(file.streaming_content) == b"%PDF-1.4 sampled"
    download = client.get(f"/guest/{access.pk}/packs/{packs[0].pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"


def test_evidence_and_packs_outside_the_invitation_are_not_found(guest, audited, packs):
    access, client = guest
    assert client.get(f"/guest/{access.pk}/evidence/{audited['hidden'].pk}/file/").status_code == 404
    assert client.get(f"/guest/{access.pk}/packs/{packs[1].pk}/download/").status_code == 404
    assert client.get(f"/guest/{access.pk + 999}/").status_code == 404


def test_packs_can_be_shared_to_see_but_not_to_download(manager, audited, packs):
    access, link = invite(manager, packs=[packs[0].pk], may_download_packs=None)
    client = signed_in_guest(access, link)
    page = client.get(f"/guest/{access.pk}/").content.decode()
    assert packs[0].title in page and "not allowed by your invitation" in page
    assert client.get(f"/guest/{access.pk}/packs/{packs[0].pk}/download/").status_code == 403


def _every_page_path(sample_id: int) -> list[str]:
    """A path for every URL pattern of the site, the guests' own excepted: numbers are `sample_id`, other
    parts a word."""
    paths = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and not (pattern.name or "").startswith("guest-"):
                route = re.sub(r"<int:\w+>", str(sample_id), route)
                route = re.sub(r"<(?:str|slug|path|uuid):\w+>", "x", route)
                route = re.sub(r"<\w+>", "x", route)
                route = route.replace("^", "").replace("$", "").replace("\\", "")
                if "(?P" not in route and "(" not in route:
                    paths.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(paths))


def test_nothing_outside_the_audit_is_reachable_by_page_api_export_pack_or_catalogue(guest, audited, packs):
    access, client = guest
    paths = _every_page_path(audited["audit"].pk)
    assert len(paths) > 100  # every register's pages, the API, exports, packs, the catalogue
    reached = {}
    for path in paths:
        if path == "/" or path.startswith(OPEN_WITHOUT):  # "/" sends a guest to their audits
            continue
        status = client.get(path).status_code
        if status not in (403, 404, 405):
            reached[path] = status
    assert reached == {}
    for path in ("/api/v1/", "/api/v1/risks/", "/api/v1/audits/", f"/api/v1/evidence-packs/{packs[0].pk}/download/",
                 "/catalogue/", "/evidence-packs/", f"/evidence-packs/{packs[0].pk}/download/", "/risks/export.csv"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "invited to one audit" in answer.content.decode(), path


def test_a_token_is_no_way_around(guest):
    access, client = guest
    assert client.get("/accounts/tokens/").status_code == 403
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 403
    assert not access.person.api_tokens.exists()


# -- when access ends -----------------------------------------------------------------------------------


def test_access_ends_on_its_day_and_when_revoked(guest, manager):
    access, client = guest
    assert client.get(f"/guest/{access.pk}/").status_code == 200
    GuestAccess.objects.filter(pk=access.pk).update(until=timezone.localdate() - dt.timedelta(days=1))
    ended = client.get(f"/guest/{access.pk}/")
    assert ended.status_code == 403 and "ended" in ended.content.decode()
    GuestAccess.objects.filter(pk=access.pk).update(until=timezone.localdate())
    assert client.get(f"/guest/{access.pk}/").status_code == 200  # the last day counts
    assert client_for(manager).post(f"/outside-auditors/{access.pk}/revoke/").status_code == 302
    assert client.get(f"/guest/{access.pk}/").status_code == 403
    assert client.get(f"/guest/{access.pk}/evidence/1/file/").status_code == 403


# -- the log --------------------------------------------------------------------------------------------


def test_every_page_and_download_is_logged_and_shown_to_the_manager(guest, audited, packs, manager):
    access, client = guest
    client.get(f"/guest/{access.pk}/")
    client.get(f"/guest/{access.pk}/evidence/{audited['sampled'].pk}/file/")
    client.get(f"/guest/{access.pk}/packs/{packs[0].pk}/download/")
    client.get("/risks/")
    log = list(GuestVisit.objects.filter(access=access).order_by("id").values_list("kind", "path", "what"))
    assert log == [
        ("page", f"/guest/{access.pk}/", ""),
        ("download", f"/guest/{access.pk}/evidence/{audited['sampled'].pk}/file/",
         f"{audited['sampled'].reference} validation.pdf"),
        ("download", f"/guest/{access.pk}/packs/{packs[0].pk}/download/", f"evidence pack {packs[0].title}"),
        ("refused", "/risks/", ""),
    ]  # fmt: skip
    page = client_for(manager).get(f"/outside-auditors/{access.pk}/").content.decode()
    assert "validation.pdf" in page and "Refused" in page and "/risks/" in page
    listing = client_for(manager).get("/outside-auditors/").content.decode()
    assert "Greta Auditor" in listing and "Active" in listing


# -- findings -------------------------------------------------------------------------------------------


def test_a_guest_raises_a_finding_when_the_invitation_allows(guest, audited, manager):
    access, client = guest
    answer = client.post(f"/guest/{access.pk}/findings/new/", {
        "requirement": reqs("6.1.2")[0].pk, "grade": "major_nc", "title": "No risk treatment plan",
        "description": "The plan named in 6.1.3 does not exist."})  # fmt: skip
    assert answer.status_code == 302
    finding = Finding.objects.get(title="No risk treatment plan")
    assert finding.audit == audited["audit"] and finding.owner == manager and finding.grade == "major_nc"
    entry = history(finding).get()
    assert entry.actor == access.person and "outside auditor" in entry.note
    assert manager.notifications.filter(kind="finding_raised").exists()


def test_findings_are_refused_unless_allowed_and_bad_input_is_named(manager, audited):
    access, link = invite(manager, audit=audited["audit"].pk)  # may not raise findings
    client = signed_in_guest(access, link)
    assert client.get(f"/guest/{access.pk}/findings/new/").status_code == 403
    GuestAccess.objects.filter(pk=access.pk).update(may_raise_findings=True)
    outside = reqs("A.10.2")[0]
    answer = client.post(f"/guest/{access.pk}/findings/new/", {"requirement": outside.pk, "grade": "conforming",
                                                              "title": "", "description": "x"})  # fmt: skip
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert set(errors) == {"requirement", "grade", "title"}
    assert not Finding.objects.filter(audit=audited["audit"]).exclude(pk=audited["finding"].pk).exists()


def test_roles_are_untouched_for_everyone_else(guest, owner):
    assert client_for(owner).get("/").status_code == 200
    assert owner.role_names == {roles.OWNER}

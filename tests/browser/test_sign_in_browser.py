"""Signing in as a person does, in Chromium: the second factor set up when the role needs it and asked
for at the next sign-in, and single sign-on through a real OpenID Connect provider on this machine (the
browser follows the redirects to it and back, which the Content-Security-Policy must allow)."""

import re

import pytest
from playwright.sync_api import expect

from aims import roles, sso_settings
from aims.models import User
from tests.aims.test_sso_mfa import require, totp
from tests.browser.conftest import SHOTS, sign_in
from tests.identity_provider import CLIENT_ID, CLIENT_SECRET, PASSWORD, OidcProvider

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def make_audit_for_guest(manager, auditor):
    def make():
        import datetime as dt

        from django.utils import timezone

        from audits.services import audit_services

        today = timezone.localdate()
        return audit_services.create(actor=manager, fields={
            "title": "Stage 2 audit", "criteria": "ISO/IEC 42001", "lead_auditor": auditor, "owner": manager,
            "starts_on": today, "ends_on": today + dt.timedelta(days=2)})  # fmt: skip

    return make


@pytest.fixture(autouse=True)
def _one_step_tolerance(settings):
    settings.MFA_TOTP_TOLERANCE = 1  # the previous period's code to set up, the current one to sign in


def test_a_manager_sets_up_the_second_factor_then_signs_in_with_it(page, live_server, manager):
    require(roles.MANAGER)
    sign_in(page, live_server, manager)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.get_by_text("must sign in with a second factor")).to_be_visible()
    expect(page.get_by_role("img")).to_be_visible()  # the QR code, drawn as a data: URL the policy allows
    page.screenshot(path=f"{SHOTS}/mfa-setup.png", full_page=True)
    secret = page.input_value("#authenticator_secret")
    page.fill("#id_code", totp(secret, -30))
    page.get_by_role("button", name="Activate").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    expect(page.locator("textarea")).to_contain_text(re.compile(r"\d{8}"))
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.locator("details.menu-user summary").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, manager)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.screenshot(path=f"{SHOTS}/mfa-authenticate.png", full_page=True)
    page.fill("#id_code", "000000" if totp(secret) != "000000" else "111111")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()
    page.fill("#id_code", totp(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_single_sign_on_through_the_organisations_provider(page, live_server, monkeypatch, settings):
    provider = OidcProvider()
    try:
        for name, value in {
            "AIMS_OIDC_SERVER_URL": provider.issuer,
            "AIMS_OIDC_CLIENT_ID": CLIENT_ID,
            "AIMS_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "AIMS_OIDC_NAME": "Example Corp",
        }.items():
            monkeypatch.setenv(name, value)
        settings.SOCIALACCOUNT_PROVIDERS = sso_settings.providers()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_role("button", name="Sign in with Example Corp").click()
        expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
        page.fill("#username", "joan")
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        expect(page.locator("details.menu-user summary")).to_contain_text("Joan Clarke (Auditor)")
        page.screenshot(path=f"{SHOTS}/sso-dashboard.png", full_page=True)
        assert User.objects.get(email="joan@example.org").role_names == {roles.AUDITOR}
    finally:
        provider.close()


def test_an_outside_auditor_accepts_sets_up_the_second_factor_and_sees_only_their_audit(
    page, live_server, manager, make_audit_for_guest
):
    from django.core import mail

    from tests.audits.test_outside_auditors import GUEST_PASSWORD, invite

    audit = make_audit_for_guest()
    _, link = invite(manager, audit=audit.pk)
    assert "/guest/accept/" in mail.outbox[-1].body
    page.goto(f"{live_server.url}{link}")
    page.fill("#id_password1", GUEST_PASSWORD)
    page.fill("#id_password2", GUEST_PASSWORD)
    page.get_by_role("button", name="Make my account").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    page.fill("#id_code", totp(page.input_value("#authenticator_secret"), -30))
    page.get_by_role("button", name="Activate").click()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name=re.compile(audit.reference))).to_be_visible()
    expect(page.locator("details.menu-user summary")).to_contain_text("outside auditor")
    page.screenshot(path=f"{SHOTS}/guest-audit.png", full_page=True)
    page.goto(f"{live_server.url}/risks/")
    expect(page.get_by_text("invited to one audit")).to_be_visible()


def test_a_security_key_serves_as_the_second_factor(page, live_server, manager, settings):
    """WebAuthn, with Chromium's virtual authenticator standing in for a key: added, then asked for at the
    next sign-in instead of a code."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks http, on localhost
    require(roles.MANAGER)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})  # fmt: skip
    sign_in(page, live_server, manager)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    page.get_by_label("Name").fill("Office key")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Security key added")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.locator("details.menu-user summary").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, manager)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

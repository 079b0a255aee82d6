"""Single sign-on and the second factor (issue 15, part 1), against a real OpenID Connect provider served
on this machine by the test (tests/identity_provider.py): the browser's hops are the test client's, the
provider's answers and the server-to-server token exchange are real HTTP.

A person's first sign-in makes their account with the roles their groups give; later sign-ins set them
again; someone with no mapped group is turned away. The roles the AIMS manager names must set up and use
an authenticator app: no page and no API answers them without it, password or SSO alike."""

import base64
import hashlib
import hmac
import re
import struct
import time
from urllib.parse import urlparse

import pytest
import requests
from allauth.mfa.models import Authenticator
from django.test import override_settings

from aims import roles, sso_settings
from aims.models import ApiToken, SignInPolicy, SignInPolicyChange, User
from tests.conftest import PASSWORD
from tests.identity_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.identity_provider import PASSWORD as IDP_PASSWORD

pytestmark = pytest.mark.django_db

# -- the identity provider ------------------------------------------------------------------------------


@pytest.fixture
def idp(monkeypatch, settings):
    provider = OidcProvider()
    monkeypatch.setenv("AIMS_OIDC_SERVER_URL", provider.issuer)
    monkeypatch.setenv("AIMS_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AIMS_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("AIMS_OIDC_NAME", "Example Corp")
    settings.SOCIALACCOUNT_PROVIDERS = sso_settings.providers()
    yield provider
    provider.close()


def sign_in_through(client, idp, username, password=IDP_PASSWORD, next_url=""):
    """The hops a browser makes: our sign-in page's button, the provider's sign-in form, back to us."""
    page = client.get("/accounts/login/" + (f"?next={next_url}" if next_url else "")).content.decode()
    action = re.search(
        r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrfmiddlewaretoken"', page
    )
    assert action and "Sign in with Example Corp" in page
    to_provider = client.post(action.group(1).replace("&amp;", "&"))
    assert to_provider.status_code == 302 and to_provider["Location"].startswith(idp.issuer + "/authorize?")
    authorize = to_provider["Location"]
    params = dict(item.split("=", 1) for item in urlparse(authorize).query.split("&"))
    assert params["code_challenge_method"] == "S256"  # PKCE
    form = requests.get(authorize, timeout=10)
    assert form.status_code == 200 and "Test identity provider" in form.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.text))
    back = requests.post(
        f"{idp.issuer}/authorize",
        data={
            **{k: v.replace("&amp;", "&") for k, v in fields.items()},
            "username": username,
            "password": password,
        },
        allow_redirects=False,
        timeout=10,
    )
    if back.status_code != 302:
        return back
    callback = urlparse(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


# -- the second factor ----------------------------------------------------------------------------------


def totp(secret: str, offset: int = 0) -> str:
    """RFC 6238's code, written here rather than taken from the library under test."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(time.time() + offset) // 30)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[start : start + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def require(*role_names: str) -> None:
    """What the AIMS manager's page saves: these roles must sign in with a second factor."""
    actor = User.objects.filter(is_superuser=False).first() or User.objects.create(username="policy-setter")
    SignInPolicy.objects.update_or_create(
        pk=SignInPolicy.ID, defaults={"mfa_roles": list(role_names), "updated_by": actor}
    )


def sign_in_with_password(client, user, password=PASSWORD):
    return client.post("/accounts/login/", {"username": user.username, "password": password})


# allauth says a second factor was added once its transaction commits (aims.mfa.second_factor_added marks
# the session then): tests that set one up through the page commit as a request does.
commits = pytest.mark.django_db(transaction=True)


def set_up_totp(client) -> str:
    """Activate an authenticator app as its person would, reading the secret off the page; its secret."""
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page
    secret = re.search(
        r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"|value="([A-Z2-7]+)"[^>]*id="authenticator_secret"',
        page.content.decode(),
    )
    secret = next(group for group in secret.groups() if group)
    done = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret, -30)})
    assert done.status_code == 302, done.content.decode()[:2000]
    return secret


@pytest.fixture(autouse=True)
def _one_step_tolerance(settings):
    # Each code is good once (allauth remembers used ones): a test that uses the app twice within 30
    # seconds takes the previous, current and next period's codes in turn.
    settings.MFA_TOTP_TOLERANCE = 1


# -- single sign-on -------------------------------------------------------------------------------------


def test_a_first_sign_in_makes_the_account_with_the_roles_its_groups_give(client, idp):
    landed = sign_in_through(client, idp, "alan")
    assert landed.status_code == 302 and landed["Location"] == "/"
    alan = User.objects.get(email="alan@example.org")
    assert alan.role_names == {roles.OWNER}  # aims-owners gives Owner; "staff" gives nothing
    assert alan.display_name == "Alan Turing" and not alan.has_usable_password()
    assert client.get("/").status_code == 200  # signed in


def test_each_sign_in_sets_the_roles_again_from_the_provider(client, idp):
    sign_in_through(client, idp, "alan")
    client.post("/accounts/logout/")
    idp.people["alan"]["groups"] = ["aims-auditors", "aims-owners"]
    sign_in_through(client, idp, "alan")
    assert User.objects.get(email="alan@example.org").role_names == {roles.AUDITOR, roles.OWNER}
    client.post("/accounts/logout/")
    idp.people["alan"]["groups"] = ["aims-auditors"]
    sign_in_through(client, idp, "alan")
    assert User.objects.get(email="alan@example.org").role_names == {roles.AUDITOR}
    assert User.objects.filter(email="alan@example.org").count() == 1


def test_forms_may_post_to_the_identity_provider_and_nowhere_else(client, idp):
    policy = dict(
        part.split(" ", 1) for part in client.get("/accounts/login/")["Content-Security-Policy"].split("; ")
    )
    # The sign-in button posts here and is redirected there: the browser holds the redirect to form-action.
    assert policy["form-action"] == f"'self' {idp.issuer}"


def test_someone_whose_groups_give_no_role_is_turned_away_and_no_account_made(client, idp):
    refused = sign_in_through(client, idp, "nobody")
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "No AIMS role for you yet" in page and "staff" in page and "aims-managers" in page
    assert not User.objects.filter(email="nobody@example.org").exists()
    assert client.get("/").status_code == 302  # not signed in


def test_the_role_map_comes_from_settings(client, idp, settings):
    settings.SSO_ROLE_MAP = {"staff": "board"}
    sign_in_through(client, idp, "nobody")
    assert User.objects.get(email="nobody@example.org").role_names == {roles.BOARD}


def test_a_wrong_password_at_the_provider_signs_nobody_in(client, idp):
    back = sign_in_through(client, idp, "alan", password="wrong")
    assert back.status_code == 200 and "Wrong username or password" in back.text
    assert not User.objects.filter(email="alan@example.org").exists()


def test_a_forged_callback_is_refused(client, idp):
    client.post(re.search(r'action="([^"]+)"', client.get("/accounts/login/").content.decode()).group(1))
    answer = client.get("/accounts/oidc/oidc/login/callback/?code=made-up&state=made-up")
    assert answer.status_code == 401 and "Third-Party Login Failure" in answer.content.decode()
    assert not User.objects.filter(email__endswith="example.org").exists()
    assert client.get("/").status_code == 302


def test_role_map_errors_name_the_setting_and_the_value():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="'admin' .*is not a role"):
        sso_settings.role_map("aims-managers=admin")
    with pytest.raises(ImproperlyConfigured, match="is not group=role"):
        sso_settings.role_map("aims-managers")
    assert sso_settings.role_map(" a = manager , b=board ") == {"a": "manager", "b": "board"}


@override_settings(LOCAL_SIGN_IN=False)
def test_local_accounts_can_be_turned_off(client, idp, owner):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password"' not in page and "Sign in with Example Corp" in page
    refused = sign_in_with_password(client, owner)
    assert refused.status_code == 403 and "turned off" in refused.content.decode()
    assert client.get("/").status_code == 302
    assert sign_in_through(client, idp, "alan").status_code == 302  # the provider still signs people in


def test_local_accounts_keep_working_beside_the_provider(client, idp, owner):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password"' in page and "Sign in with Example Corp" in page
    assert sign_in_with_password(client, owner).status_code == 302
    assert client.get("/").status_code == 200


def test_allauths_own_sign_up_and_password_pages_are_not_served(client, idp):
    for path in (
        "/accounts/signup/",
        "/accounts/password/set/",
        "/accounts/password/reset/",
        "/accounts/email/",
    ):
        assert client.get(path).status_code == 404, path


# -- the second factor ----------------------------------------------------------------------------------


@commits
def test_a_role_that_needs_a_second_factor_reaches_nothing_until_it_is_set_up(client, manager):
    require(roles.MANAGER)
    signed_in = sign_in_with_password(client, manager)
    assert signed_in.status_code == 302
    for path in ("/", "/risks/", "/accounts/tokens/"):
        turned = client.get(path)
        assert turned.status_code == 302 and turned["Location"].startswith("/accounts/2fa/totp/activate/"), (
            path
        )
    api = client.get("/api/v1/risks/")
    assert api.status_code == 403 and "second factor" in api.json()["detail"]
    set_up_totp(client)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/risks/").status_code == 200


@commits
def test_every_sign_in_then_asks_for_the_code(client, manager):
    require(roles.MANAGER)
    sign_in_with_password(client, manager)
    secret = set_up_totp(client)
    client.post("/accounts/logout/")
    asked = sign_in_with_password(client, manager)
    assert asked.status_code == 302 and asked["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").status_code == 302  # not signed in until the code is given
    wrong = client.post(
        "/accounts/2fa/authenticate/", {"code": "000000" if totp(secret) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and "code" in wrong.content.decode().lower()
    assert client.get("/").status_code == 302
    right = client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert right.status_code == 302
    assert client.get("/").status_code == 200


@commits
def test_a_recovery_code_signs_in_once(client, manager):
    require(roles.MANAGER)
    sign_in_with_password(client, manager)
    set_up_totp(client)
    codes = Authenticator.objects.get(user=manager, type="recovery_codes").wrap().get_unused_codes()
    assert len(codes) == 10
    client.post("/accounts/logout/")
    sign_in_with_password(client, manager)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    sign_in_with_password(client, manager)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 200  # used up
    assert client.get("/").status_code == 302


def test_the_provider_sign_in_asks_for_the_second_factor_too(client, idp):
    sign_in_through(client, idp, "ada")  # aims-managers: AIMS manager
    ada = User.objects.get(email="ada@example.org")
    require(roles.MANAGER)
    assert client.get("/")["Location"].startswith("/accounts/2fa/totp/activate/")
    # Setting one up asks to confirm who you are first: someone signed in through the provider does so there.
    Authenticator.objects.create(user=ada, type="totp", data={"secret": _encrypted("JBSWY3DPEHPK3PXP")})
    client.post("/accounts/logout/")
    asked = sign_in_through(client, idp, "ada")
    assert asked.status_code == 302 and asked["Location"] == "/accounts/2fa/authenticate/"
    assert client.post("/accounts/2fa/authenticate/", {"code": totp("JBSWY3DPEHPK3PXP")}).status_code == 302
    assert client.get("/").status_code == 200


def _encrypted(secret: str) -> str:
    from aims.mfa import MFAAdapter

    return MFAAdapter().encrypt(secret)


@commits
def test_the_authenticator_secret_is_kept_encrypted(client, manager):
    require(roles.MANAGER)
    sign_in_with_password(client, manager)
    secret = set_up_totp(client)
    stored = Authenticator.objects.get(user=manager, type="totp").data["secret"]
    assert secret not in stored and _encrypted(secret) != secret


@commits
def test_a_session_from_before_the_rule_must_sign_in_again_with_its_code(client, manager):
    sign_in_with_password(client, manager)
    secret = set_up_totp(client)
    client.post("/accounts/logout/")
    sign_in_with_password(client, manager)
    client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert client.get("/").status_code == 200
    # The same person, another browser, signed in before the rule was made (no code asked then).
    other = type(client)()
    other.force_login(manager)
    require(roles.MANAGER)
    assert client.get("/").status_code == 200  # this session used its code
    out = other.get("/risks/")
    assert out.status_code == 302 and out["Location"].startswith("/accounts/login/")
    assert other.get("/").status_code == 302


def test_roles_not_named_need_nothing(client, owner):
    require(roles.MANAGER, roles.BOARD)
    sign_in_with_password(client, owner)
    assert client.get("/").status_code == 200


def test_a_token_of_someone_who_needs_a_second_factor_works_only_once_they_have_one(client, manager):
    token, raw = ApiToken.issue(user=manager, name="pipeline")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/risks/", **headers).status_code == 200
    require(roles.MANAGER)
    refused = client.get("/api/v1/risks/", **headers)
    assert refused.status_code == 403 and "second factor" in refused.json()["detail"]
    Authenticator.objects.create(user=manager, type="totp", data={"secret": _encrypted("JBSWY3DPEHPK3PXP")})
    assert client.get("/api/v1/risks/", **headers).status_code == 200


@commits
def test_the_last_second_factor_of_someone_who_needs_one_cannot_be_removed(client, manager):
    require(roles.MANAGER)
    sign_in_with_password(client, manager)
    set_up_totp(client)
    client.post("/accounts/2fa/totp/deactivate/")
    assert Authenticator.objects.filter(user=manager, type="totp").exists()


def test_the_default_before_the_manager_chooses_is_the_setting(client, manager, settings):
    settings.MFA_REQUIRED_ROLES = ["manager", "board"]
    sign_in_with_password(client, manager)
    assert client.get("/")["Location"].startswith("/accounts/2fa/totp/activate/")


# -- the AIMS manager's page ----------------------------------------------------------------------------


def _signed_in_manager(client, manager):
    require()  # nobody needs a second factor while the manager sets the rule
    sign_in_with_password(client, manager)


def test_the_manager_chooses_the_roles_and_the_change_is_in_its_history(client, manager, owner):
    _signed_in_manager(client, manager)
    page = client.get("/accounts/security/").content.decode()
    assert "Sign-in security" in page and "Not changed yet" not in page
    saved = client.post("/accounts/security/", {"mfa_roles": [roles.OWNER, roles.BOARD], "version": 1})
    assert saved.status_code == 302
    assert SignInPolicy.objects.get().mfa_roles == [roles.BOARD, roles.OWNER]  # in the order of the roles
    change = SignInPolicyChange.objects.get(after=[roles.BOARD, roles.OWNER])
    assert change.actor == manager and change.before == []
    page = client.get("/accounts/security/").content.decode()
    assert "Owner" in page and "Not yet" in page and owner.username in page  # the owner has no second factor
    other = type(client)()
    sign_in_with_password(other, owner)
    assert other.get("/")["Location"].startswith("/accounts/2fa/totp/activate/")


def test_the_second_of_two_managers_saving_is_told_and_changes_nothing(client, manager):
    _signed_in_manager(client, manager)
    client.post("/accounts/security/", {"mfa_roles": [roles.BOARD], "version": 1})
    stale = client.post("/accounts/security/", {"mfa_roles": [roles.AUDITOR], "version": 1}, follow=True)
    assert "while you had it open" in stale.content.decode()
    assert SignInPolicy.objects.get().mfa_roles == [roles.BOARD]


def test_a_role_that_does_not_exist_is_refused_by_name(client, manager):
    _signed_in_manager(client, manager)
    answer = client.post("/accounts/security/", {"mfa_roles": ["Root"], "version": 1})
    assert answer.status_code == 200 and "Root is not one of the available choices" in answer.content.decode()
    assert SignInPolicy.objects.get().mfa_roles == []


@pytest.mark.parametrize("role", ["board", "owner", "auditor"])
def test_only_the_aims_manager_sets_the_rule(client, request, role):
    person = request.getfixturevalue(role)
    require()
    client.force_login(person)
    assert client.get("/accounts/security/").status_code == 403
    assert client.post("/accounts/security/", {"mfa_roles": [], "version": 1}).status_code == 403

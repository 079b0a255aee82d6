"""The second factor (allauth's MFA: an authenticator app with recovery codes, or a security key), and the
rule that the roles the AIMS manager names (aims.models.SignInPolicy) reach no page and no API without it.

allauth asks for the second factor at every sign-in of a person who has one, password or SSO alike, and
records it in the session. SecondFactorMiddleware turns away a session of a person whose role needs one
and did not use it: to set one up if they have none, else to sign in again. API tokens are checked where
they are read (aims.api.auth): a token of such a person works only once they have a second factor, since
a token is made from a signed-in session and then stands alone."""

import base64
import hashlib

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from aims.models import SignInPolicy
from aims.models.users import SECOND_FACTORS
from aims.views.errors import permission_denied

SETUP_NEEDED = "Your role ({roles}) must sign in with a second factor. Set one up to continue."
SETUP_NEEDED_API = (
    "Your role ({roles}) must sign in with a second factor, and you have none: sign in to AIMS and set one "
    "up under Account → Two-factor authentication; then this token works again."
)
SIGN_IN_AGAIN = "Your role ({roles}) must sign in with a second factor: sign in again and give your code."

# Pages a person whose role needs a second factor may still open without one: setting it up (allauth's
# pages under /accounts/2fa/ and the password check before it), signing out, and what those pages load.
OPEN_WITHOUT = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/logout/",
    "/static/",
    "/healthz",
    "/readyz",
)


def required_roles() -> list[str]:
    """The role names that need a second factor now."""
    return SignInPolicy.in_force(SignInPolicy.saved_roles())


def required_roles_of(user) -> str:
    return ", ".join(sorted(user.role_names.intersection(required_roles()))) or "none"


def used_second_factor(request, user) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(OPEN_WITHOUT):
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated or not user.second_factor_required or used_second_factor(request, user):
            return self.get_response(request)
        if not user.has_second_factor:
            message = SETUP_NEEDED.format(roles=required_roles_of(user))
            if request.path.startswith("/api/"):
                return permission_denied(request, PermissionDenied(message))
            messages.warning(request, message)
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
        # A second factor set up since this session began, or required since: sign in again with it.
        message = SIGN_IN_AGAIN.format(roles=required_roles_of(user))
        logout(request)
        if request.path.startswith("/api/"):
            return permission_denied(request, PermissionDenied(message))
        messages.warning(request, message)
        return redirect(f"{reverse('login')}?next={request.get_full_path()}")


def second_factor_added(sender, request=None, user=None, authenticator=None, **kwargs) -> None:
    """Setting up an authenticator proves the person holds it (they typed its code, or touched the key):
    the session counts as signed in with it, as a sign-in asking for the code would."""
    if request is not None and authenticator is not None and authenticator.type in SECOND_FACTORS:
        record_authentication(request, user, "mfa", type=authenticator.type, id=authenticator.pk)


class MFAAdapter(DefaultMFAAdapter):
    """allauth keeps an authenticator app's secret as given; here it is encrypted (Fernet, with a key of
    its own or derived from SECRET_KEY), so that a copy of the database does not hand out second factors.
    And the last second factor of a person whose role needs one cannot be removed."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        user = authenticator.user
        if authenticator.type not in SECOND_FACTORS:
            return True
        others = Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exclude(pk=authenticator.pk)
        return others.exists() or not user.second_factor_required


def _fernet() -> Fernet:
    key = settings.MFA_SECRET_KEY or hashlib.sha256(f"aims-mfa:{settings.SECRET_KEY}".encode()).digest()
    if isinstance(key, str):
        key = hashlib.sha256(key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))

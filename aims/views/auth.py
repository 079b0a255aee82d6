"""Sign-in with a limit on failed attempts per account and address (cache: Redis in production), then the
second factor where the person has one (allauth's login stages, aims.mfa); the identity providers'
buttons (aims.sso); sign-out, and the password change that also revokes the person's API tokens."""

import hashlib

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UsernameField
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from aims import sso
from aims.redirects import SafeNextMixin

LOCAL_SIGN_IN_OFF = (
    "Signing in with a username and password is turned off here: use your organisation's sign-in."
)


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def normalised_username(typed: str) -> str:
    """The name as the sign-in form hands it to authenticate(): surrounding whitespace (tabs too)
    dropped and Unicode compatibility forms folded (NFKC: a fullwidth "ｏ" is an "o")."""
    return UsernameField(max_length=get_user_model()._meta.get_field("username").max_length).clean(typed)


def lock_subject(typed: str) -> str:
    """What the failure count is kept for: the account the name resolves to, whatever its spelling
    (case, spaces, tabs, fullwidth letters), or the normalised name when no account has it; so no
    variant of a name earns more guesses than the name itself."""
    try:
        name = normalised_username(typed or "")
    except ValidationError:  # empty or too long: the form refuses it before any password is tried
        name = ""
    accounts = dict(
        get_user_model()._default_manager.filter(username__iexact=name).values_list("username", "pk")[:10]
    )
    if name in accounts:
        return f"account:{accounts[name]}"
    if len(accounts) == 1:
        return f"account:{next(iter(accounts.values()))}"
    # Hashed: a cache key holds no spaces or control characters, and no one's typing errors in clear.
    return "name:" + hashlib.sha256(name.casefold().encode()).hexdigest()


def failure_key(subject: str, address: str) -> str:
    return f"login-failures:{subject}:{address}"


class LoginView(SafeNextMixin, auth_views.LoginView):
    template_name = "auth/login.html"
    redirect_authenticated_user = True

    def _key(self) -> str:
        return failure_key(lock_subject(self.request.POST.get("username", "")), _client_address(self.request))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            local_sign_in=settings.LOCAL_SIGN_IN, providers=sso.sign_in_choices(self.request), **kwargs
        )

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_SIGN_IN:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, LOCAL_SIGN_IN_OFF)
            return self.render_to_response(self.get_context_data(form=form), status=403)
        failures = cache.get(self._key(), 0)
        if failures >= settings.LOGIN_MAX_FAILURES:
            form = self.get_form()
            minutes = max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)
            form.errors.clear()
            form.add_error(
                None,
                f"Too many failed sign-ins for this username from your address. Try again in {minutes} minutes.",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        key = self._key()
        if cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS) is False:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
        return super().form_invalid(form)

    def form_valid(self, form):
        # The account's own count, however the name was typed this time.
        cache.delete(self._key())
        # allauth's login stages from here: the second factor where the person has one, then the session.
        user = form.get_user()
        # The password typed just now also stands as the confirmation allauth asks for before a second factor
        # is set up (for ACCOUNT_REAUTHENTICATION_TIMEOUT): the person made to set one up is not asked again.
        record_authentication(
            self.request, user, "password", username=user.get_username(), reauthenticated=True
        )
        return perform_login(self.request, user, redirect_url=self.get_success_url())


class LogoutView(SafeNextMixin, auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    """A new password revokes every API token of its owner (aims.models.User.save): whoever learnt the
    old password may have made one. The page says so before and after."""

    template_name = "auth/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        active = self.request.user.api_tokens.filter(revoked_at__isnull=True).count()
        return super().get_context_data(active_tokens=active, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        revoked = getattr(form.user, "revoked_tokens", 0)
        if revoked:
            messages.warning(
                self.request,
                f"Your {revoked} API token{'s were' if revoked != 1 else ' was'} revoked with the old "
                "password; create new ones for your integrations under API tokens.",
            )
        return response

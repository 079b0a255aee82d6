"""Sign-in with a limit on failed attempts per username and address (cache: Redis in production)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def failure_key(username: str, address: str) -> str:
    return f"login-failures:{username.lower()[:150]}:{address}"


def _key(request, username: str) -> str:
    return failure_key(username, _client_address(request))


class LoginView(auth_views.LoginView):
    template_name = "auth/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        failures = cache.get(_key(request, username), 0)
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
        key = _key(self.request, self.request.POST.get("username", ""))
        if cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS) is False:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
        return super().form_invalid(form)

    def form_valid(self, form):
        cache.delete(_key(self.request, form.get_user().get_username()))
        return super().form_valid(form)

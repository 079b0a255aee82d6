"""Personal API tokens: `Authorization: Bearer aims_<lookup>.<secret>` (or `Token ...`).

Who the token is, and whether it still holds, is answered here (401 with the reason: unknown, revoked,
expired, its person deactivated); what it may do is answered by TokenScope, one of the API's default
permissions (403 with the reason: read-only, or outside the registers it is limited to)."""

import hmac

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, routers

from aims import mfa
from aims.models import ApiToken
from aims.models.users import keep_reads, with_roles


class PersonalTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        raw = header[1].decode(errors="replace")
        if not raw.startswith(ApiToken.PREFIX) or "." not in raw:
            raise exceptions.AuthenticationFailed("That is not an AIMS personal API token.")
        lookup, _, secret = raw.removeprefix(ApiToken.PREFIX).partition(".")
        live = ApiToken.objects.select_related("user").filter(lookup=lookup, revoked_at__isnull=True)
        token = with_roles(live, person="user_id").first()
        if token is None or not hmac.compare_digest(token.digest, ApiToken.hash(secret)):
            raise exceptions.AuthenticationFailed("Unknown or revoked API token.")
        if token.expired:
            raise exceptions.AuthenticationFailed(
                f"This API token expired on {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M %Z}. "
                "Make a new one under Account → API tokens."
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is deactivated.")
        keep_reads(token, token.user)  # the roles and second factor read with the token: its user's
        if token.user.second_factor_required and not token.user.has_second_factor:
            raise exceptions.PermissionDenied(
                mfa.SETUP_NEEDED_API.format(roles=mfa.required_roles_of(token.user))
            )
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def open_to_every_token(view):
    """Mark an API view a token limited to some registers may still reach: it tells who the token is or
    holds the catalogue everyone shares, nothing of the organisation's records."""
    getattr(view, "cls", view).open_to_every_token = True  # an @api_view function carries its class
    return view


class TokenScope(permissions.BasePermission):
    """What a personal token may do, beyond what its person may: a read-only token only reads; a token
    limited to some registers reaches only those (and the views marked open_to_every_token). Requests
    signed in through the browser are not tokens' business."""

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        if not token.writes and request.method not in permissions.SAFE_METHODS:
            self.message = (
                f"The token “{token.name}” is read-only: it may not {request.method} here. "
                "Make a read-write token for an integration that writes."
            )
            return False
        if not token.registers or getattr(view, "open_to_every_token", False):
            return True
        if isinstance(view, routers.APIRootView):
            return True
        model = getattr(view, "register_model", None)
        if model is not None and token.reaches(model):
            return True
        self.message = (
            f"The token “{token.name}” is limited to {limited_to(token)}; {request.path} is outside them."
        )
        return False


def register_names(token) -> list[str]:
    """The registers a token is limited to, named and ordered as the menus name them (a register since
    removed: its label, as stored)."""
    from aims.registry import registry

    names = {info.model._meta.label_lower: info.label for info in registry.registers}
    known = [label for label in names if label in token.registers]
    return [names[label] for label in known] + [label for label in token.registers if label not in names]


def limited_to(token) -> str:
    names = register_names(token)
    return "the register " + names[0] if len(names) == 1 else "the registers " + ", ".join(names)


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    """Describes personal tokens in the OpenAPI document (bearer scheme)."""

    target_class = "aims.api.auth.PersonalTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (Account → API tokens), sent as `Authorization: Bearer aims_…`.",
        }

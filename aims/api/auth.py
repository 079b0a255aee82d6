"""Personal API tokens: `Authorization: Bearer aims_<lookup>.<secret>` (or `Token ...`)."""

import hmac

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from aims.models import ApiToken
from aims.models.users import ROLES_READ, with_roles


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
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is deactivated.")
        if hasattr(token, ROLES_READ):  # the roles were read with the token: they belong to its user
            token.user.__dict__[ROLES_READ] = getattr(token, ROLES_READ)
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


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

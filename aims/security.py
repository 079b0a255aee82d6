"""Browser-side defences every response carries, in every environment (so tests and `make run` see
exactly what production sends).

The Content-Security-Policy lets a page run only scripts and styles served from this site: no inline
script, no inline style, no eval. An injected `<script>` or `onerror=` in a record's text (which the
templates escape anyway) would therefore still not run. Pages keep to it: their behaviour lives in
static/js/aims.js, driven by data- attributes; risk-level colours are set from data-colour there.
The Permissions-Policy switches off browser features AIMS never uses, so no page (or anything injected
into one) can ask for the camera, the microphone or a location.

Forms may post only to this site, and to the identity providers it signs people in through: their
sign-in button posts here and is redirected there, and the browser holds that redirect to the policy."""

import functools
from urllib.parse import urlparse

from django.conf import settings


@functools.lru_cache(maxsize=8)
def content_security_policy(form_origins: tuple[str, ...] = ()) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",  # Swagger UI draws its icons as data: URLs
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
            " ".join(["form-action 'self'", *form_origins]),
        ]
    )


def identity_provider_origins() -> tuple[str, ...]:
    """The origins of the identity providers configured (settings.SOCIALACCOUNT_PROVIDERS)."""
    urls = []
    for provider in settings.SOCIALACCOUNT_PROVIDERS.values():
        for app in provider.get("APPS", []):
            config = app.get("settings", {})
            idp = config.get("idp", {})
            urls += [config.get("server_url"), idp.get("sso_url"), idp.get("metadata_url")]
    origins = {
        f"{parts.scheme}://{parts.netloc}" for parts in map(urlparse, filter(None, urls)) if parts.netloc
    }
    return tuple(sorted(origins))


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Adds the two policies to every response that has not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(identity_provider_origins())
        )
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

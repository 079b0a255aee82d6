"""Browser-side defences every response carries, in every environment (so tests and `make run` see
exactly what production sends).

The Content-Security-Policy lets a page run only scripts and styles served from this site: no inline
script, no inline style, no eval. An injected `<script>` or `onerror=` in a record's text (which the
templates escape anyway) would therefore still not run. Pages keep to it: their behaviour lives in
static/js/aims.js, driven by data- attributes; risk-level colours are set from data-colour there.
The Permissions-Policy switches off browser features AIMS never uses, so no page (or anything injected
into one) can ask for the camera, the microphone or a location."""

CONTENT_SECURITY_POLICY = "; ".join(
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
        "form-action 'self'",
    ]
)

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
        "publickey-credentials-get",
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
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

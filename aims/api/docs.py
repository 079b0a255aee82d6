"""The OpenAPI document (/api/schema/) and its Swagger UI (/api/docs/).

Both describe every endpoint and field of the registers, so they are for signed-in people and API
tokens only, unless settings.API_DOCS_PUBLIC (AIMS_API_DOCS_PUBLIC=true) publishes them. The setting is
read on each request, not when the views are imported.

The document describes the code, never the data or who reads it (drf-spectacular's SERVE_PUBLIC): it takes
a second or two to build and is about a megabyte, so each process builds it once per format and language,
the first time someone asks, and serves those bytes after. A deploy (or runserver's reload) starts new
processes, so a code change is never described by a stale document.

The docs page keeps to the site's Content-Security-Policy (aims.security): Swagger UI's files come from
drf-spectacular-sidecar under /static/, and its start-up script is a separate request to this view
(drf-spectacular's split view) instead of an inline <script>."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer


class ApiDocsAccess(BasePermission):
    message = "Sign in, or send an API token, to read the API schema."

    def has_permission(self, request, view):
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


# (media type, language) -> (content, Content-Type, Content-Disposition), for this process's life.
_built: dict[tuple[str, str], tuple[bytes, str, str]] = {}


@receiver(setting_changed)
def _forget_built(setting, **kwargs):
    # A test that changes the URLs or the API's settings gets a document of what it changed.
    if setting in ("ROOT_URLCONF", "REST_FRAMEWORK", "SPECTACULAR_SETTINGS", "LANGUAGE_CODE"):
        _built.clear()


class ApiSchemaView(SpectacularAPIView):
    permission_classes = [ApiDocsAccess]

    def _key(self, request) -> tuple[str, str]:
        lang = request.GET.get("lang", "")
        known = {code for code, _ in settings.LANGUAGES}
        return (request.accepted_media_type, lang if lang in known else translation.get_language())

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        # Reached only past authentication, permissions and content negotiation (APIView.initial).
        built = _built.get(self._key(request))
        if built is None:
            return super().get(request, *args, **kwargs)
        content, content_type, disposition = built
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = disposition
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        built = getattr(request, "accepted_media_type", None) and self._key(request)
        if built and built not in _built and response.status_code == 200 and hasattr(response, "render"):
            response.render()
            _built[built] = (response.content, response["Content-Type"], response["Content-Disposition"])
        return response

    def permission_denied(self, request, message=None, code=None):
        raise NotAuthenticated(message)  # DRF's own drops the message for anonymous requests

    def handle_exception(self, exc):
        # A refusal is an API error like any other, in JSON; not a "schema" in YAML.
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return super().handle_exception(exc)


class ApiDocsView(SpectacularSwaggerSplitView):
    permission_classes = [ApiDocsAccess]
    template_name = "aims/api_docs.html"

    def dispatch(self, request, *args, **kwargs):
        # A person opening the docs in a browser is sent to sign in, and back, rather than shown a 403.
        if not (settings.API_DOCS_PUBLIC or request.user.is_authenticated):
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

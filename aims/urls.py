from django.urls import include, path

from aims.api.docs import ApiDocsView, ApiSchemaView

urlpatterns = [
    path("", include("aims.urls_core")),
    path("", include("registers.urls")),
    path("", include("lifecycle.urls")),
    path("", include("audits.urls")),
    path("", include("reviews.urls")),
    path("api/v1/", include("aims.api.urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
]

handler403 = "aims.views.errors.permission_denied"
handler404 = "aims.views.errors.page_not_found"
handler500 = "aims.views.errors.server_error"

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("aims.urls_core")),
    path("", include("registers.urls")),
    path("", include("lifecycle.urls")),
    path("", include("audits.urls")),
    path("", include("reviews.urls")),
    path("api/v1/", include("aims.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler403 = "aims.views.errors.permission_denied"
handler404 = "aims.views.errors.page_not_found"
handler500 = "aims.views.errors.server_error"

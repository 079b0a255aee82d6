from django.urls import include, path

urlpatterns = [
    path("", include("aims.urls_core")),
    path("", include("registers.urls")),
    path("api/v1/", include("aims.api.urls")),
]

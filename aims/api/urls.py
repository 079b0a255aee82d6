from django.urls import include, path

from .certification import readiness_api
from .router import router
from .views import JobViewSet, NotificationViewSet, RequirementViewSet, me

app_name = "api"  # URL names like "api:risk-list", apart from the pages' "risk-list"

router.register("requirements", RequirementViewSet, basename="requirement")
router.register("jobs", JobViewSet, basename="job")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/", me, name="me"),
    path("certification-readiness/", readiness_api, name="certification-readiness"),
    path("", include(router.urls)),
]

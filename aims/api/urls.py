from django.urls import include, path

from .router import router
from .views import JobViewSet, NotificationViewSet, RequirementViewSet, me

router.register("requirements", RequirementViewSet, basename="requirement")
router.register("jobs", JobViewSet, basename="job")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/", me, name="api-me"),
    path("", include(router.urls)),
]

"""The API's one router. Domain apps register their viewsets from AppConfig.ready()."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

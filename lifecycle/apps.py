from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    """Do: clause 8 -- AI systems through their life cycle."""

    name = "lifecycle"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import plugins  # noqa: F401  registers, API routes

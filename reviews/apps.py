from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Act: clauses 9.3 and 10 -- management reviews, nonconformities, corrective actions, lessons."""

    name = "reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            plugins,  # noqa: F401  registers, API routes
            policies,  # noqa: F401  who may do what, asked by aims.permissions
        )

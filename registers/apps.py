from django.apps import AppConfig


class RegistersConfig(AppConfig):
    """Plan: clauses 4-7 -- context, leadership, the AI risk register, objectives, support."""

    name = "registers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            plugins,  # noqa: F401  registers dashboard panels, reminders, reports
            policies,  # noqa: F401  who may do what, asked by aims.permissions
        )

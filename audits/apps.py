from django.apps import AppConfig


class AuditsConfig(AppConfig):
    """Check: clauses 9.1-9.2 -- evidence library, audit programme, audits, findings, evidence packs."""

    name = "audits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from aims import guests

        from . import (
            plugins,  # noqa: F401  registers, API routes
            policies,  # noqa: F401  who may do what, asked by aims.permissions
        )
        from .guests.services import log_refusal

        guests.refused.connect(log_refusal, dispatch_uid="audits-guest-refused")

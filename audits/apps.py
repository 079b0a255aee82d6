from django.apps import AppConfig


class AuditsConfig(AppConfig):
    """Check: clauses 9.1-9.2 -- audit programme, audits, findings, evidence packs."""

    name = "audits"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class AimsConfig(AppConfig):
    name = "aims"
    verbose_name = "AIMS core"
    default_auto_field = "django.db.models.BigAutoField"

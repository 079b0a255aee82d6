"""Names the apps give, in the OpenAPI schema, to choice sets that several of their registers share."""

from django.conf import settings


def name_choice_set(name: str, choices) -> None:
    """Give a shared choice set one name ("SideEnum") in the schema; otherwise drf-spectacular names it by
    a hash and warns, and `check --deploy` fails on the warning. Called from an app's plugins, as it
    installs, before any schema is built; the core's own sets are named in SPECTACULAR_SETTINGS."""
    overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    overrides[name] = choices

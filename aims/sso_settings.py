"""Single sign-on and the second factor, configured from the environment (README "Single sign-on").

Read by the settings module, so nothing here imports Django's models. allauth takes its providers from
SOCIALACCOUNT_PROVIDERS: one OpenID Connect provider and one SAML identity provider at most, each present
only when its variables are set."""

from django.core.exceptions import ImproperlyConfigured

from aims.env import env, env_list

# Role slugs of aims.roles.BY_SLUG; repeated here because the settings cannot import the app.
ROLE_SLUGS = ("manager", "board", "owner", "auditor")
DEFAULT_ROLE_MAP = "aims-managers=manager,aims-board=board,aims-owners=owner,aims-auditors=auditor"


def role_map(raw: str) -> dict[str, str]:
    """`group=role,group=role` from AIMS_SSO_ROLE_MAP as {group: role slug}: the identity provider's group
    names, as its group claim or attribute carries them, and the AIMS role each gives."""
    mapping = {}
    for pair in filter(None, (part.strip() for part in raw.split(","))):
        group, sep, role = (item.strip() for item in pair.rpartition("="))
        if not sep or not group:
            raise ImproperlyConfigured(f"AIMS_SSO_ROLE_MAP: {pair!r} is not group=role.")
        if role not in ROLE_SLUGS:
            raise ImproperlyConfigured(
                f"AIMS_SSO_ROLE_MAP: {role!r} (for group {group!r}) is not a role; use one of "
                f"{', '.join(ROLE_SLUGS)}."
            )
        mapping[group] = role
    return mapping


def roles_list(name: str, default: list[str]) -> list[str]:
    """Role slugs, comma-separated; `none` for no role at all (an empty value keeps the default)."""
    slugs = env_list(name, default)
    if slugs == ["none"]:
        return []
    unknown = [slug for slug in slugs if slug not in ROLE_SLUGS]
    if unknown:
        raise ImproperlyConfigured(
            f"{name}: {', '.join(unknown)} is not a role; use {', '.join(ROLE_SLUGS)}."
        )
    return slugs


def providers() -> dict:
    found = {}
    oidc_url = env("AIMS_OIDC_SERVER_URL")
    if oidc_url:
        client_id = env("AIMS_OIDC_CLIENT_ID")
        if not client_id:
            raise ImproperlyConfigured("AIMS_OIDC_SERVER_URL is set but AIMS_OIDC_CLIENT_ID is not.")
        found["openid_connect"] = {
            "APPS": [
                {
                    "provider_id": "oidc",
                    "name": env("AIMS_OIDC_NAME", "Single sign-on"),
                    "client_id": client_id,
                    "secret": env("AIMS_OIDC_CLIENT_SECRET"),
                    "settings": {"server_url": oidc_url, "scope": ["openid", "profile", "email"]},
                }
            ],
            "OAUTH_PKCE_ENABLED": True,
        }
    saml_entity = env("AIMS_SAML_ENTITY_ID")
    if saml_entity:
        idp = {"entity_id": saml_entity}
        if env("AIMS_SAML_METADATA_URL"):
            idp["metadata_url"] = env("AIMS_SAML_METADATA_URL")
        else:
            idp["sso_url"] = env("AIMS_SAML_SSO_URL")
            idp["x509cert"] = env("AIMS_SAML_X509_CERT")
            if not idp["sso_url"] or not idp["x509cert"]:
                raise ImproperlyConfigured(
                    "AIMS_SAML_ENTITY_ID is set: set AIMS_SAML_METADATA_URL, or both AIMS_SAML_SSO_URL and "
                    "AIMS_SAML_X509_CERT."
                )
        found["saml"] = {
            "APPS": [
                {
                    "provider_id": "saml",
                    "client_id": "idp",  # the organisation slug in the SAML URLs: /accounts/saml/idp/...
                    "name": env("AIMS_SAML_NAME", "Single sign-on (SAML)"),
                    "settings": {
                        "idp": idp,
                        "attribute_mapping": {
                            "uid": env_list("AIMS_SAML_UID_ATTRIBUTE", ["uid"]),
                            "username": env_list("AIMS_SAML_USERNAME_ATTRIBUTE", ["uid"]),
                            "email": env_list("AIMS_SAML_EMAIL_ATTRIBUTE", ["email", "mail"]),
                            "first_name": env_list("AIMS_SAML_FIRST_NAME_ATTRIBUTE", ["givenName"]),
                            "last_name": env_list("AIMS_SAML_LAST_NAME_ATTRIBUTE", ["sn"]),
                        },
                        # An assertion is accepted only signed by the identity provider's certificate.
                        "advanced": {"strict": True, "want_assertion_signed": True},
                    },
                }
            ]
        }
    return found

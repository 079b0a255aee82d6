"""Sign-in through the organisation's identity provider (allauth's OpenID Connect and SAML providers).

A person's first sign-in through the provider makes their AIMS account, with the roles their groups give
(settings.SSO_ROLE_MAP, from the group claim or attribute SSO_GROUPS_CLAIM); every later sign-in sets
their roles again from the groups, so that the identity provider stays the one place roles are granted and
withdrawn. Someone whose groups give no AIMS role is turned away, and no account is made for them. Local
accounts are made by the AIMS manager (`manage.py` or the admin of people), never by signing up."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.shortcuts import render

from aims import roles

logger = logging.getLogger(__name__)


def groups_of(extra_data: dict) -> list[str]:
    """The identity provider's groups for a person, from what allauth kept of the sign-in: OpenID Connect's
    userinfo or ID token claims, or SAML's attributes (each a list of values)."""
    claim = settings.SSO_GROUPS_CLAIM
    for source in (extra_data.get("userinfo"), extra_data.get("id_token"), extra_data):
        if isinstance(source, dict) and claim in source:
            value = source[claim]
            values = value if isinstance(value, list | tuple) else [value]
            return [str(item) for item in values if item not in (None, "")]
    return []


def roles_for(groups: list[str]) -> set[str]:
    """The AIMS role names the groups give, by settings.SSO_ROLE_MAP."""
    return {roles.BY_SLUG[settings.SSO_ROLE_MAP[group]] for group in groups if group in settings.SSO_ROLE_MAP}


def set_roles(user, names: set[str]) -> None:
    before = set(user.groups.values_list("name", flat=True))
    if before != names:
        user.groups.set(Group.objects.filter(name__in=names))
        user.__dict__.pop("role_names", None)
        logger.info(
            "Roles of %s set from the identity provider: %s -> %s",
            user.username,
            sorted(before),
            sorted(names),
        )


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False  # nobody makes their own local account


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True  # a first sign-in through the provider makes the account (roles checked first)

    def pre_social_login(self, request, sociallogin) -> None:
        granted = roles_for(groups_of(sociallogin.account.extra_data))
        if not granted:
            groups = groups_of(sociallogin.account.extra_data)
            raise ImmediateHttpResponse(
                render(
                    request,
                    "auth/sso_refused.html",
                    {
                        "groups": groups,
                        "claim": settings.SSO_GROUPS_CLAIM,
                        "mapped": sorted(settings.SSO_ROLE_MAP),
                    },
                    status=403,
                )
            )
        if sociallogin.is_existing:
            set_roles(sociallogin.user, granted)

    @transaction.atomic
    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        set_roles(user, roles_for(groups_of(sociallogin.account.extra_data)))
        return user

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        full = " ".join(part for part in (user.first_name, user.last_name) if part)
        user.display_name = data.get("name") or full
        return user


def sign_in_choices(request) -> list[dict]:
    """The identity providers the sign-in page offers: each button's label and where it posts."""
    from allauth.socialaccount.adapter import get_adapter

    return [
        {"name": provider.name, "url": provider.get_login_url(request)}
        for provider in get_adapter().list_providers(request)
    ]

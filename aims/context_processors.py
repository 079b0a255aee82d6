from functools import lru_cache

from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject, new_method_proxy
from django.utils.safestring import mark_safe

from aims.catalogue_data import REQUIREMENTS
from aims.notifications import unread_count
from aims.permissions import may_use_settings
from aims.registry import registry

# The top-level clauses of ISO/IEC 42001 by code: a menu group named by one reads "6 Planning".
CLAUSES = {code: title for code, _, kind, title, _ in REQUIREMENTS if kind == "clause"}


def _group_order(group: str) -> tuple:
    """Headings of their own ("Readiness and roll-out") first, then the clauses in the standard's order,
    so a reader who knows ISO/IEC 42001 finds a register where the standard puts it."""
    return (1, int(group), "") if group in CLAUSES else (0, 0, group)


def _group_title(group: str) -> str:
    return f"{group} {CLAUSES[group]}" if group in CLAUSES else group


@lru_cache(maxsize=8)
def _menu(script_prefix: str, registers: int) -> dict:
    """{cycle: [(group title, [(label, url), ...]), ...]}: the same for every person and page, so resolved
    once per process (two dozen registers made the menu's URL lookups a fifth of a list page's rendering
    time). A register's extra pages sit in its group, right after it."""
    cycles: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for info in registry.registers:
        items = cycles.setdefault(info.cycle, {}).setdefault(info.menu_group, [])
        items.append((info.label, reverse(info.list_url)))
        items.extend((label, reverse(url_name)) for label, url_name in info.more_links)
    for cycle, label, url_name, group in registry.menu_links:
        cycles.setdefault(cycle, {}).setdefault(group, []).append((label, reverse(url_name)))
    return {
        cycle: [(_group_title(g), groups[g]) for g in sorted(groups, key=_group_order)]
        for cycle, groups in cycles.items()
    }


@lru_cache(maxsize=8)
def _menu_html(script_prefix: str, registers: int) -> str:
    """The menu's groups as HTML, drawn once per process: drawn by the template's loops on every page,
    its 150 links cost more than the rest of a small page together."""
    html = render_to_string("partials/main_menu.html", {"nav_cycle": _menu(script_prefix, registers)})
    return mark_safe(html.strip())  # noqa: S308 - drawn by the template engine, escaped there


class LazyNumber(SimpleLazyObject):
    """A number worked out when first drawn; filters such as pluralize ask float() of it."""

    __int__ = new_method_proxy(int)
    __float__ = new_method_proxy(float)


def navigation(request):
    """Menus follow the PDCA cycle, each grouped by clause; unread count for the bell. One cheap query
    per page drawn."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    menu = (get_script_prefix(), len(registry.registers) + len(registry.menu_links))
    return {
        "nav_cycle": _menu(*menu),
        "nav_menu": _menu_html(*menu),
        # Counted when drawn: a kept page (aims.freshness) has it drawn already, as of the last write.
        "unread_count": LazyNumber(lambda: unread_count(user)),
        "may_manage_webhooks": may_use_settings(user, "webhooks"),
        "may_set_sign_in": may_use_settings(user, "sign_in_policy"),
        "may_invite_guests": may_use_settings(user, "outside_auditors"),
    }

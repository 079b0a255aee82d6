from functools import lru_cache

from django.urls import get_script_prefix, reverse

from aims.registry import registry


@lru_cache(maxsize=8)
def _menu(script_prefix: str, registers: int) -> dict:
    """{cycle: [(label, url), ...]}: the same for every person and page, so resolved once per process
    (two dozen registers made the menu's URL lookups a fifth of a list page's rendering time)."""
    cycle: dict[str, list[tuple[str, str]]] = {}
    for info in registry.registers:
        items = cycle.setdefault(info.cycle, [])
        items.append((info.label, reverse(info.list_url)))
        items.extend((label, reverse(url_name)) for label, url_name in info.more_links)
    for name, label, url_name in registry.menu_links:
        cycle.setdefault(name, []).append((label, reverse(url_name)))
    return cycle


def navigation(request):
    """Menus follow the PDCA cycle; unread count for the bell. One cheap query per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_cycle": _menu(get_script_prefix(), len(registry.registers) + len(registry.menu_links)),
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
    }

from aims.registry import registry


def navigation(request):
    """Menus follow the PDCA cycle; unread count for the bell. One cheap query per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cycle = {}
    for info in registry.registers:
        cycle.setdefault(info.cycle, []).append(info)
    return {
        "nav_cycle": cycle,
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
    }

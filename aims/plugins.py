"""Registers built from the shared parts, one module each in an app's `standard` package (e.g.
registers/standard/, lifecycle/standard/). A module declares

    MENU = (label, url_prefix, position)   # e.g. ("Context issues", "context-issues", 10)
    views = make_views(...)                # the pages
    ViewSet = ...                          # the API viewset (make_api)
    EXTRA_URLS = [path(...), ...]          # optional: pages beyond list/detail/form, matched before
                                           # <reference>/ so words like "grid" stay free
    MORE_LINKS = (("RACI matrix", "aimsrole-raci"),)  # optional: menu links under the register

and the app's plugins.py calls `install(package, cycle)`, its urls.py `urlpatterns_for(package)`."""

import pkgutil
from importlib import import_module

from aims.api.router import router
from aims.registry import RegisterInfo, registry
from aims.urls_records import record_urlpatterns


def modules(package) -> list:
    found = [
        import_module(f"{package.__name__}.{info.name}") for info in pkgutil.iter_modules(package.__path__)
    ]
    return sorted((m for m in found if hasattr(m, "MENU")), key=lambda m: m.MENU[2])


def _as_is(records):
    return records


def install(package, cycle: str) -> None:
    """Menu, reminders, catalogue back-links, "waiting for my decision" and the API route of each."""
    for module in modules(package):
        label, prefix, _ = module.MENU
        model = module.views.list.model
        registry.add_register(
            RegisterInfo(
                model=model,
                label=label,
                cycle=cycle,
                list_url=f"{model._meta.model_name}-list",
                more_links=getattr(module, "MORE_LINKS", ()),
                # restrict(user, "approve") already narrows to what waits for a decision (in review ...)
                awaiting_decision=_as_is if hasattr(model, "restrict_approve") else None,
            )
        )
        router.register(prefix, module.ViewSet, basename=model._meta.model_name)


def urlpatterns_for(package) -> list:
    patterns = []
    for module in modules(package):
        patterns += record_urlpatterns(module.MENU[1], module.views, extra=getattr(module, "EXTRA_URLS", ()))
    return patterns

"""Registers built entirely from the shared parts (aims.services, aims.views.records.make_views, the
records/ templates): one module each, found here by discovery. A module declares

    MENU = (label, url_prefix, position)   # e.g. ("Context issues", "context-issues", 10)
    views = make_views(...)                # the pages
    ViewSet = ...                          # the API viewset
    EXTRA_URLS = [path(...), ...]          # optional: pages beyond list/detail/form (e.g. an approve action),
                                           # matched before <reference>/ so "new"-style words stay free
    MORE_LINKS = (("RACI matrix", "aimsrole-raci"),)  # optional: menu links under the register

and registers/plugins.py and registers/urls.py pick it up: nothing else to edit."""

import pkgutil
from importlib import import_module


def modules():
    found = [import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
    return sorted((m for m in found if hasattr(m, "MENU")), key=lambda m: m.MENU[2])

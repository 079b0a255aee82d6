"""Plugs declared registers (aims.register.Register subclasses, one module each in an app's `standard`
package, e.g. registers/standard/, lifecycle/standard/) into the core.

An app's plugins.py calls `install(package, cycle)`, its urls.py `urlpatterns_for(package)`."""

import inspect
import pkgutil
from importlib import import_module

from aims.api.router import router
from aims.register import Register
from aims.registry import RegisterInfo, registry


def declared(package) -> list[Register]:
    """The registers declared in `package`'s modules, in menu order. A register split into a package of
    its own (kpis/ with register.py, forms.py, services.py ...) is found through its __init__.py."""
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = import_module(f"{package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            home = cls.__module__
            mine = home == module.__name__ or (info.ispkg and home.startswith(f"{module.__name__}."))
            if issubclass(cls, Register) and mine and cls.model is not None:
                found.append(cls)
    return sorted(found, key=lambda cls: (cls.position, cls.label))


def install_register(register: Register) -> None:
    """Menu, reminders, catalogue back-links, "waiting for my decision" and the API route of one."""
    registry.add_register(
        RegisterInfo(
            model=register.model,
            label=register.label,
            cycle=register.cycle,
            list_url=register.list_url,
            more_links=register.more_links,
            menu_group=register.menu_group,
            awaiting_decision=register.awaiting_decision if register.takes_decisions else None,
            register=register,
        )
    )
    if register.viewset is not None:
        router.register(register.url_prefix, register.viewset, basename=register.name)


def install(package, cycle: str) -> None:
    for cls in declared(package):
        install_register(cls(cycle=cycle))


def urlpatterns_for(package) -> list:
    patterns = []
    for cls in declared(package):
        info = registry.register_for(cls.model)
        patterns += (info.register if info and info.register else cls()).urls()
    return patterns

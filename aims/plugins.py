"""Plugs declared registers (aims.register.Register subclasses, one module each in an app's `standard`
package, e.g. registers/standard/, lifecycle/standard/) into the core.

An app's plugins.py calls `install(package, cycle)`, its urls.py `urlpatterns_for(package)`."""

import inspect
import pkgutil
from importlib import import_module

from aims.api.router import router
from aims.policies import policy_of
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
            awaiting_decision=register.awaiting_decision if register.takes_decisions else None,
            register=register,
        )
    )
    if register.viewset is not None:
        router.register(register.url_prefix, register.viewset, basename=register.name)


def install(package, cycle: str) -> None:
    for cls in declared(package):
        install_register(cls(cycle=cycle))
    _install_legacy(package, cycle)


def urlpatterns_for(package) -> list:
    patterns = []
    for cls in declared(package):
        info = registry.register_for(cls.model)
        patterns += (info.register if info and info.register else cls()).urls()
    from aims.urls_records import record_urlpatterns

    for module in _legacy_modules(package):
        patterns += record_urlpatterns(module.MENU[1], module.views, extra=getattr(module, "EXTRA_URLS", ()))
    return patterns


# TRANSITION: modules still built with make_views/make_api; removed once every register is declared.
def _legacy_modules(package) -> list:
    found = [
        import_module(f"{package.__name__}.{info.name}") for info in pkgutil.iter_modules(package.__path__)
    ]
    return sorted((m for m in found if hasattr(m, "MENU")), key=lambda m: m.MENU[2])


def _install_legacy(package, cycle: str) -> None:
    for module in _legacy_modules(package):
        label, prefix, _ = module.MENU
        model = module.views.list.model
        registry.add_register(
            RegisterInfo(
                model=model,
                label=label,
                cycle=cycle,
                list_url=f"{model._meta.model_name}-list",
                more_links=getattr(module, "MORE_LINKS", ()),
                awaiting_decision=(lambda records: records) if policy_of(model).decides else None,
            )
        )
        router.register(prefix, module.ViewSet, basename=model._meta.model_name)

"""Small registries the core offers; each domain app plugs into them from AppConfig.ready().

The core never imports a domain app: navigation, catalogue back-links, reminders, dashboard panels
and jobs all learn about registers from here."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RegisterInfo:
    model: type
    label: str  # plural, for menus: "AI risks"
    cycle: str  # Plan, Do, Check, Act: where it sits in navigation
    list_url: str  # URL name of the list page
    more_links: tuple[tuple[str, str], ...] = ()  # (label, URL name) shown under it in the menu
    # Narrows the records a user may approve to those waiting for a decision ("my work").
    awaiting_decision: Callable | None = None


@dataclass
class Registry:
    registers: list[RegisterInfo] = field(default_factory=list)
    dashboard_panels: list[Callable] = field(default_factory=list)
    # job kind -> callable(job) returning (filename, bytes); run by aims.tasks.run_job
    job_runners: dict[str, Callable] = field(default_factory=dict)
    # callable(today) yielding (user, kind, key, message, url): reminders beyond review dates
    # (policy acknowledgements, expiring training ...), sent by the same daily sweep and digest
    reminder_sources: list[Callable] = field(default_factory=list)
    # (cycle, label, URL name): pages that are not registers but belong in a cycle's menu (evidence packs)
    menu_links: list[tuple[str, str, str]] = field(default_factory=list)

    def add_register(self, info: RegisterInfo) -> None:
        if all(r.model is not info.model for r in self.registers):
            self.registers.append(info)

    def add_dashboard_panel(self, panel: Callable) -> None:
        if panel not in self.dashboard_panels:
            self.dashboard_panels.append(panel)

    def add_reminder_source(self, source: Callable) -> None:
        if source not in self.reminder_sources:
            self.reminder_sources.append(source)

    def add_job_runner(self, kind: str, runner: Callable) -> None:
        self.job_runners[kind] = runner

    def add_menu_link(self, cycle: str, label: str, url_name: str) -> None:
        if (cycle, label, url_name) not in self.menu_links:
            self.menu_links.append((cycle, label, url_name))

    def register_for(self, model) -> RegisterInfo | None:
        return next((r for r in self.registers if r.model is model), None)


registry = Registry()

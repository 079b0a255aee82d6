"""Small registries the core offers; each domain app plugs into them from AppConfig.ready().

The core never imports a domain app: navigation, catalogue back-links, reminders, dashboard panels
and jobs all learn about registers from here."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

# How long a job may run without a sign of progress before the sweep calls it dead: beyond the task's
# hard time limit (aims.tasks.run_job), so a job that never reports progress is not failed while it works.
DEFAULT_JOB_SILENCE = timedelta(minutes=20)


@dataclass(frozen=True)
class RegisterInfo:
    model: type
    label: str  # plural, for menus: "AI risks"
    cycle: str  # Plan, Do, Check, Act: where it sits in navigation
    list_url: str  # URL name of the list page
    more_links: tuple[tuple[str, str], ...] = ()  # (label, URL name) shown under it in the menu
    menu_group: str = ""  # a clause ("6") or a heading: where its cycle's menu lists it
    # Narrows the records a user may approve to those waiting for a decision ("my work").
    awaiting_decision: Callable | None = None
    register: object = None  # the aims.register.Register it was declared by


@dataclass(frozen=True)
class JobKind:
    """What a kind of background job declares beyond its runner (aims.jobs)."""

    silence: timedelta = DEFAULT_JOB_SILENCE
    retry_refusal: Callable | None = None


@dataclass(frozen=True)
class RecordTab:
    """A tab every record page shows (the evidence linked to the record ...), from a domain app.

    `context(request, record)` returns the tab's context, with "template" naming the partial that draws it;
    it runs only when the tab is open, and must ask a fixed number of queries whatever the data.
    `applies(model)` says on which registers' pages the tab appears (default: all)."""

    name: str  # the ?tab= value, also its label: "evidence"
    context: Callable
    applies: Callable = lambda model: True


@dataclass(frozen=True)
class RequirementSection:
    """A section of a catalogue requirement's page (evidence serving the requirement ...).

    `context(request, requirement)` returns its context with "template"; `replaces` is a register whose
    plain "records mapped" list the section shows in its own way (so it is not listed twice)."""

    context: Callable
    replaces: type | None = None


@dataclass(frozen=True)
class ReadinessCheck:
    """One row of certification readiness: is the documented information `code` asks for present,
    current and approved? `check(today)` returns an aims.certification.CheckResult."""

    key: str  # unique: "4.3", "6.1.3-soa", "A.5.4"
    code: str  # the ISO/IEC 42001 clause or control it answers for
    title: str
    check: Callable


@dataclass(frozen=True)
class EvidenceRef:
    """A piece of evidence as a page of another app shows it (the evidence library is a later layer than
    most registers). `visible`: whether the person asking may see it; a page shows the reference and
    title only then, and "evidence you may not see" otherwise."""

    pk: int
    reference: str
    title: str
    url: str
    visible: bool = True


@dataclass
class Registry:
    registers: list[RegisterInfo] = field(default_factory=list)
    dashboard_panels: list[Callable] = field(default_factory=list)
    # job kind -> callable(job, progress) returning (filename, bytes); run by aims.tasks.run_job
    job_runners: dict[str, Callable] = field(default_factory=dict)
    # job kind -> JobKind: what else a kind declares (how long it may stay silent, whether it may be retried)
    job_kinds: dict[str, "JobKind"] = field(default_factory=dict)
    # callable(today) yielding (user, kind, key, message, url): reminders beyond review dates
    # (policy acknowledgements, expiring training ...), sent by the same daily sweep and digest
    reminder_sources: list[Callable] = field(default_factory=list)
    record_tabs: list[RecordTab] = field(default_factory=list)
    requirement_sections: list[RequirementSection] = field(default_factory=list)
    # key -> ReadinessCheck (aims.certification): the documented information each clause and control needs
    readiness_checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    # callable(today) -> {control code: applicable?} from the Statement of Applicability, None without one
    control_applicability: Callable | None = None
    # callable(targets, *, today, user=None) -> {key: [EvidenceRef]}: the current evidence serving each
    # target, a (requirement id or None, record or None) pair under the caller's key -- mapped to the
    # requirement (or one a crosswalk links to it) or attached to the record. Counted whoever asks; `user`
    # only marks what they may see. Set by the evidence library (audits); None without it.
    evidence_serving: Callable | None = None
    # callable(requirements, records, *, today, user=None) -> reads with `querysets` and `answer(rows,
    # targets)`: evidence_serving's reads, for a page to ask in its own round trip. Set with it.
    evidence_reads: Callable | None = None
    # callable() -> date of the latest management review held, or None (the stakeholder report shows it)
    latest_management_review: Callable | None = None
    # callable() -> {"algorithm", "fingerprint", "url"} of the key that signs evidence packs now (the
    # stakeholder report publishes it, so anyone handed a pack can check it)
    pack_signing_key: Callable | None = None
    # (cycle, label, URL name, menu group): pages that are not registers, listed in a cycle's menu
    menu_links: list[tuple[str, str, str, str]] = field(default_factory=list)
    # "app_label.ModelName" -> aims.actions.RecordAction a later app offers on that register's records
    # ("Raise nonconformity" on a finding, by the Act app): a button on the page and an API endpoint
    record_actions: dict[str, list] = field(default_factory=dict)
    # "app_label.ModelName" -> aims.links.Related a later app shows on that register's record pages (the
    # nonconformities raised from an audit's findings, by the Act app): the link back, both ways
    related: dict[str, list] = field(default_factory=dict)
    # (order, callable(users) -> records made): each app's part of the demo organisation, run by
    # `manage.py seed_demo` in order (a later stage's records point at the earlier ones)
    demo_seeders: list[tuple[int, Callable]] = field(default_factory=list)
    # aims.bench.BenchMeasure parts of `manage.py bench`, and the one callable that makes its volume data
    # (prepare(risks=, users=, stdout=) -> facts for the report), from the app that owns seed_scale
    bench_measures: list = field(default_factory=list)
    bench_prepare: Callable | None = None

    def add_register(self, info: RegisterInfo) -> None:
        if all(r.model is not info.model for r in self.registers):
            self.registers.append(info)

    def add_dashboard_panel(self, panel: Callable, *, roles: tuple[str, ...] = (), order: int = 100) -> None:
        """`roles`: whom the panel speaks to (aims.roles; none named: everyone). A person sees the panels
        of their roles only, so a dashboard holds what they can act on; `order` places it among them."""
        if panel not in self.dashboard_panels:
            panel.dashboard_roles, panel.dashboard_order = tuple(roles), order
            self.dashboard_panels.append(panel)
            self.dashboard_panels.sort(key=lambda p: p.dashboard_order)  # stable: ties keep their order

    def dashboard_panels_for(self, user) -> list[Callable]:
        return [
            p for p in self.dashboard_panels if not p.dashboard_roles or user.has_role(*p.dashboard_roles)
        ]

    def add_reminder_source(self, source: Callable) -> None:
        if source not in self.reminder_sources:
            self.reminder_sources.append(source)

    def add_record_tab(self, tab: RecordTab) -> None:
        if all(t.name != tab.name for t in self.record_tabs):
            self.record_tabs.append(tab)

    def record_tabs_for(self, model) -> list[RecordTab]:
        return [t for t in self.record_tabs if t.applies(model)]

    def add_requirement_section(self, section: RequirementSection) -> None:
        if section not in self.requirement_sections:
            self.requirement_sections.append(section)

    def add_job_runner(
        self, kind: str, runner: Callable, *, silence: timedelta = DEFAULT_JOB_SILENCE, retry_refusal=None
    ) -> None:
        """`silence`: how long a run of this kind may go without progress before the sweep fails it;
        `retry_refusal(job) -> str`: why a failed job of this kind cannot run again ("" when it can)."""
        self.job_runners[kind] = runner
        self.job_kinds[kind] = JobKind(silence=silence, retry_refusal=retry_refusal)

    def job_kind(self, kind: str) -> "JobKind":
        return self.job_kinds.get(kind) or JobKind()

    def add_readiness_check(self, code: str, title: str, check: Callable, *, key: str | None = None) -> None:
        """Add, or replace (same key, which defaults to the code), a certification readiness check."""
        key = key or code
        self.readiness_checks[key] = ReadinessCheck(key=key, code=code, title=title, check=check)

    def set_control_applicability(self, source: Callable) -> None:
        self.control_applicability = source

    def set_evidence_serving(self, source: Callable, reads: Callable | None = None) -> None:
        self.evidence_serving, self.evidence_reads = source, reads

    def set_latest_management_review(self, source: Callable) -> None:
        self.latest_management_review = source

    def set_pack_signing_key(self, source: Callable) -> None:
        self.pack_signing_key = source

    def add_menu_link(self, cycle: str, label: str, url_name: str, *, group: str = "") -> None:
        """`group`: a clause ("9") or a heading, as a register's `menu_group`."""
        if all(link[:3] != (cycle, label, url_name) for link in self.menu_links):
            self.menu_links.append((cycle, label, url_name, group))

    def add_demo_seeder(self, seeder: Callable, *, order: int) -> None:
        if all(s is not seeder for _, s in self.demo_seeders):
            self.demo_seeders.append((order, seeder))
            self.demo_seeders.sort(key=lambda pair: pair[0])

    def add_bench_measure(self, measure) -> None:
        if measure not in self.bench_measures:
            self.bench_measures.append(measure)
            self.bench_measures.sort(key=lambda m: m.order)

    def add_record_action(self, model_label: str, action) -> None:
        """Offer `action` on the records of `model_label` ("audits.Finding"), which the calling app may not
        import: its layer is earlier in the cycle. Call it from AppConfig.ready(), before URLs load."""
        actions = self.record_actions.setdefault(model_label.lower(), [])
        if all(a.name != action.name for a in actions):
            actions.append(action)

    def record_actions_for(self, model) -> list:
        return list(self.record_actions.get(model._meta.label_lower, ()))

    def add_related(self, model_label: str, related) -> None:
        """Show `related` (aims.links.Related) on the record pages of `model_label`, which the calling app
        may not import. Call it from AppConfig.ready()."""
        groups = self.related.setdefault(model_label.lower(), [])
        if all(r.label != related.label for r in groups):
            groups.append(related)

    def related_for(self, model) -> list:
        return list(self.related.get(model._meta.label_lower, ()))

    def register_for(self, model) -> RegisterInfo | None:
        return next((r for r in self.registers if r.model is model), None)


registry = Registry()

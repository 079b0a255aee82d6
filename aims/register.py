"""A register, declared once as a named class, the way Django's ModelAdmin declares a model's admin.

    class ContextIssueRegister(Register):
        model = ContextIssue
        label, url_prefix, position = "Context issues", "context-issues", 10
        services = RecordServices(ContextIssue, FIELDS)
        form = ContextIssueForm
        filterset = ContextIssueFilterSet
        viewset = ContextIssueViewSet
        columns = [...]
        fieldsets = [...]

The register's pages are the shared views (aims.views.records) handed the declaration through
`as_view(**initkwargs)`; where a register differs it names its own subclass (`detail_view =
ConcernDetailView`) or overrides a hook method (`detail_context`, `extra_urls`). Nothing is built with
type() or replaced afterwards: every register is a class you can grep for.

An app's plugins.py calls aims.plugins.install(package, cycle), which finds the Register subclasses in
the package's modules and plugs each into the menu, the API router and the core's registries."""

from django.urls import path

from aims.models import Publishable
from aims.policies import policy_of
from aims.registry import registry
from aims.views.records import (
    RecordActionView,
    RecordDelegatesView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    VersionCompareView,
)


class Register:
    model = None
    label = ""  # plural, for menus: "Context issues"
    url_prefix = ""  # /context-issues/
    position = 100  # order within its cycle's menu
    cycle = ""  # Plan, Do, Check, Act: set by aims.plugins.install
    more_links: tuple[tuple[str, str], ...] = ()  # (label, URL name) shown under it in the menu
    # The group of its cycle's menu it sits in: an ISO/IEC 42001 clause ("6", shown as "6 Planning") or
    # a heading of its own for what serves no one clause ("Readiness and roll-out").
    menu_group = ""

    services = None  # aims.services.RecordServices, or anything with the same methods
    form = None  # an aims.forms.RecordForm subclass
    filterset = None  # an aims.filters.RecordFilterSet subclass: the list page and the API share it
    viewset = None  # the API: a named aims.api.base.RecordViewSet subclass

    columns: list[tuple] = []  # (label, attribute or callable, sort key or None)
    export_columns = None  # default: aims.exports.default_columns(model)
    fieldsets: list[tuple[str, list[str]]] = []  # the detail page: (heading, [field names])
    form_fieldsets: list[tuple[str, list[str]]] = []  # the form: (legend, [field names])
    lead = ""  # one line under the list's title: what the register is for, which clause it serves
    empty_text = "Nothing recorded yet."
    select_related: tuple[str, ...] = ("owner",)
    prefetch_related: tuple[str, ...] = ("requirements",)
    list_prefetch_related: tuple[str, ...] = ()  # many-to-many links a list column shows ("systems",)
    actions: tuple = ()  # aims.actions.RecordAction: buttons on the record page and API endpoints
    related: tuple = ()  # aims.links.Related: records related to a record, as links on its page
    starters: dict = {}  # "New from template": key -> {"label": ..., field: value}
    detail_template = None  # a template of the register's own for the record page

    list_view = RecordListView
    detail_view = RecordDetailView
    form_view = RecordFormView

    archive_done = "{reference} archived. It stays in history and can be restored."
    restore_done = "{reference} restored."
    reviewed_done = "{reference} marked as reviewed; the next review date moved on."

    def __init__(self, cycle: str = ""):
        self.cycle = cycle or self.cycle

    # -- hooks ------------------------------------------------------------------------------------
    def detail_context(self, request, record, tab) -> dict:
        """Context of the register's own record template (`detail_template`), for the open tab."""
        return {}

    def sample(self, people: dict, n: int = 0):
        """Make the `n`th sample record, owned by people["owner"], through the register's services, and
        return it. The contract suite (tests/test_register_contract.py) builds every register's checks --
        permissions per role, history, export, API, restricted choices, queries per page -- on it, and the
        volume of a page from `n` = 0..49, so each call must make a distinct, valid record.

        `people` holds one user per role: "manager", "board", "owner", "other_owner", "auditor"."""
        raise NotImplementedError(f"{type(self).__name__} declares no sample record.")

    def extra_urls(self) -> list:
        """Pages beyond list, detail and form (a grid, a file download ...), matched before
        `<reference>/`, so words like "grid" stay free."""
        return []

    def awaiting_decision(self, records):
        """Narrow the records a user may approve to those waiting for a decision ("my work").
        restrict(user, "approve") already narrows them where the model's policy `decides`."""
        return records

    def review_reminders(self, records):
        """Narrow the records whose due review the daily sweep reminds their owner of; a register whose
        records have a reminder of their own while in some state (an unanswered finding) leaves those out,
        so nobody is reminded twice of one record."""
        return records

    @property
    def takes_decisions(self) -> bool:
        """Whether "waiting for my decision" lists this register's records."""
        return policy_of(self.model).decides

    # -- derived ----------------------------------------------------------------------------------
    def all_actions(self) -> tuple:
        """The register's own actions, then those later apps offer on its records (registry)."""
        return (*self.actions, *registry.record_actions_for(self.model))

    @property
    def name(self) -> str:
        return self.model._meta.model_name

    @property
    def list_url(self) -> str:
        return f"{self.name}-list"

    @property
    def publishable(self) -> bool:
        return issubclass(self.model, Publishable)

    def _base(self) -> dict:
        return {"model": self.model, "select_related": self.select_related, "register": self}

    def list_options(self) -> dict:
        return {
            **self._base(),
            "filterset_class": self.filterset,
            "prefetch_related": self.list_prefetch_related,
            "columns": self.columns,
            "export_columns": self.export_columns,
            "lead": self.lead,
            "empty_text": self.empty_text,
            "starters": self.starters,
        }

    def detail_options(self) -> dict:
        """What the record page is handed; an extra page drawn like it (risk acceptance) takes the same."""
        options = {
            **self._base(),
            "fieldsets": self.fieldsets,
            "prefetch_related": self.prefetch_related,
            "actions": self.all_actions(),
            "detail_context": self.detail_context,
        }
        if self.publishable:
            options["tabs"] = ("details", "versions", "links", "history")
        if self.detail_template:
            options["template_name"] = self.detail_template
        return options

    def form_options(self) -> dict:
        return {
            **self._base(),
            "form_class": self.form,
            "fieldsets": list(self.form_fieldsets),
            "starters": self.starters,
            "create_service": self.services.create,
            "update_service": self.services.update,
        }

    def list_page(self):
        return self.list_view.as_view(**self.list_options())

    def detail_page(self):
        return self.detail_view.as_view(**self.detail_options())

    def form_page(self):
        return self.form_view.as_view(**self.form_options())

    def action_page(self, service, done: str, action=None):
        return RecordActionView.as_view(**self._base(), service=service, done_message=done, action=action)

    def urls(self) -> list:
        """The register's URL patterns, named <model_name>-list, -detail, -add ... (record_url_names)."""
        name, prefix, ref = self.name, self.url_prefix, "<str:reference>"
        patterns = [
            path(f"{prefix}/", self.list_page(), name=f"{name}-list"),
            path(f"{prefix}/new/", self.form_page(), name=f"{name}-add"),
            *self.extra_urls(),
            path(f"{prefix}/{ref}/", self.detail_page(), name=f"{name}-detail"),
            path(f"{prefix}/{ref}/edit/", self.form_page(), name=f"{name}-edit"),
            path(
                f"{prefix}/{ref}/archive/",
                self.action_page(self.services.archive, self.archive_done),
                name=f"{name}-archive",
            ),
            path(
                f"{prefix}/{ref}/restore/",
                self.action_page(self.services.restore, self.restore_done),
                name=f"{name}-restore",
            ),
            path(
                f"{prefix}/{ref}/reviewed/",
                self.action_page(self.services.mark_reviewed, self.reviewed_done),
                name=f"{name}-reviewed",
            ),
            path(
                f"{prefix}/{ref}/delegates/",
                RecordDelegatesView.as_view(**self._base()),
                name=f"{name}-delegates",
            ),
        ]
        if self.publishable:
            patterns.append(
                path(
                    f"{prefix}/{ref}/compare/",
                    VersionCompareView.as_view(**self._base()),
                    name=f"{name}-compare",
                )
            )
        for action in self.all_actions():
            patterns.append(
                path(
                    f"{prefix}/{ref}/{action.name}/",
                    self.action_page(action.service, action.done, action),
                    name=f"{name}-{action.name}",
                )
            )
        return patterns

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url_prefix}>"

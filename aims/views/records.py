"""Generic views every register uses: list (search, filters, sort, pagination, export), detail with
tabs, create, edit (stale edits refused), archive and restore. A register subclasses these and names
its model, form, filterset and services; see registers/views.py."""

import datetime as dt
from functools import partial

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from aims import freshness, permissions
from aims.forms import owner_choices
from aims.links import PageLinks, linked_rows, linked_sections, related_groups, relations_for
from aims.policies import allows, policy_of, require
from aims.prepared import prepared_together
from aims.records import StaleEdit, delegates, history, set_delegates
from aims.registry import registry


def querystring_without(request, *names) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


class RecordMixin(LoginRequiredMixin):
    model = None
    register = None  # the aims.register.Register whose page this is, handed over by as_view()
    select_related: tuple[str, ...] = ("owner",)
    prefetch_related: tuple[str, ...] = ()

    def visible(self):
        queryset = self.model.objects.restrict(self.request.user, "view")
        return queryset.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    def get_record(self):
        user, reference = self.request.user, self.kwargs["reference"]
        if type(self).visible is not RecordMixin.visible:  # a view of its own reading: asked its own way
            return permissions.get_visible(self.visible(), user, reference=reference)
        # Every record's page reads its record through the person's view of the register: with its SQL
        # kept per set of roles (aims.prepared), not built and compiled for each page.
        related = (self.select_related, self.prefetch_related)
        read = partial(_record_read, self.model, *related)
        found = prepared_together(("record", self.model, related), read, user, reference=reference)
        if not found[0]:
            raise Http404(f"No {self.model._meta.verbose_name} matches the given reference.")
        return found[0][0]


class RecordListView(RecordMixin, TemplateView):
    """A register's list. With the shared template, name `columns`: (label, attribute or callable,
    sort key or None); the first column links to the record."""

    template_name = "records/list.html"
    filterset_class = None
    paginate_by = 50
    page_sizes = (25, 50, 100, 200)
    columns: list[tuple] = []
    lead = ""  # one line under the title: what the register is for and which clause it serves
    empty_text = "Nothing recorded yet."
    starters: dict = {}  # offered as "New from template" links (see RecordFormView.starters)
    export_columns = None  # default: aims.exports.default_columns(model)

    def filtered(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.visible(), request=self.request
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            return self.visible().none()
        return self.filterset.qs

    def page_size(self) -> int:
        try:
            size = int(self.request.GET.get("page_size", self.paginate_by))
        except ValueError:
            return self.paginate_by
        return size if size in self.page_sizes else self.paginate_by

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt:
            queryset = self.filtered()
            if not self.filterset.too_many:
                return self.export(queryset, fmt)
        # Kept whole for the person, chrome included, like a record's page (aims.freshness): a repeat
        # view reads no register table and draws no template.
        return freshness.kept_page(request, lambda: self.draw(request, *args, **kwargs))

    def draw(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # The page says which filter took too many values, as the API does, with the same status (kept
        # with the page).
        if self.filterset_class.refusals(request.GET or None):
            response.status_code = 400
        return response

    def export(self, queryset, fmt):
        from aims.exports import default_columns, export_response

        columns = self.export_columns or default_columns(self.model)
        stem = slugify(self.model._meta.verbose_name_plural)
        try:
            return export_response(queryset, columns, fmt, stem)
        except ValueError as exc:
            raise PermissionDenied(f"Unknown export format {fmt!r}: use csv or xlsx.") from exc

    # Query parameters of the page itself, not filters.
    PAGE_PARAMS = frozenset({"page", "page_size", "ordering", "export"})

    def unapplied(self) -> list[str]:
        """Query parameters the list did not apply: not one of its filters, or refused by it. A link that
        promises a filtered list (a dashboard figure) and lands on one showing more is caught by this,
        which the page states (data-unapplied) next to its total (data-total)."""
        filterset = self.built_filterset()
        known = set(filterset.filters) | self.PAGE_PARAMS
        refused = set(filterset.errors) if filterset.is_bound else set()
        return sorted({name for name in self.request.GET if name not in known} | refused)

    def cells(self, record) -> list:
        values = []
        for _, getter, _ in self.columns:
            value = getter(record) if callable(getter) else _attribute(record, getter)
            values.append(value.isoformat() if isinstance(value, dt.date) else value)
        return values

    @cached_property
    def page(self):
        """The page of the filtered list asked for (the last one past the end). Worked out only when the
        page draws it: a kept page (aims.freshness, {% kept %} in the list templates) counts no rows,
        builds no filterset and reads no records."""
        paginator = Paginator(self.rows_read(self.filtered()), self.page_size())
        try:
            return paginator.page(self.request.GET.get("page", 1))
        except PageNotAnInteger:
            return paginator.page(1)
        except EmptyPage:
            return paginator.page(paginator.num_pages)

    def rows_read(self, queryset):
        """`queryset` (the filtered list) with what the page's rows show of other records, for a list
        that shows less of them than a whole row (the export reads its own)."""
        return queryset

    def built_filterset(self):
        """The filterset the page was filtered with (built with the page)."""
        self.page  # noqa: B018 - the page is filtered by it, and builds it
        return self.filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lazy = SimpleLazyObject
        context.update(
            filterset=lazy(self.built_filterset),
            page_obj=lazy(lambda: self.page),
            records=lazy(lambda: self.page.object_list),
            paginator=lazy(lambda: self.page.paginator),
            is_filtered=any(
                v for k, v in self.request.GET.items() if k not in ("page", "page_size", "ordering")
            ),
            unapplied=lazy(self.unapplied),
            querystring=querystring_without(self.request, "page"),
            sort_querystring=querystring_without(self.request, "page", "ordering"),
            current_ordering=self.request.GET.get("ordering", ""),
            can_add=permissions.can_add(self.request.user, self.model),
            model_meta=self.model._meta,
            urls=record_url_names(self.model),
            view=self,
            more_links=getattr(registry.register_for(self.model), "more_links", ()),
        )
        if self.columns:
            context["rows"] = lazy(
                lambda: linked_rows(
                    PageLinks(self.request.user),
                    [(record, self.cells(record)) for record in self.page.object_list],
                )
            )
            context["headers"] = [(label, sort) for label, _, sort in self.columns]
        return context


class RecordDetailView(RecordMixin, TemplateView):
    """A record's page. With the shared template, name `fieldsets`: [(heading, [field names])]."""

    template_name = "records/detail.html"
    tabs = ("details", "links", "history")
    fieldsets: list[tuple[str, list[str]]] = []
    actions: tuple = ()  # aims.actions.RecordAction offered as buttons
    detail_context = None  # callable(request, record, tab) -> dict, for a register's own template

    def get(self, request, *args, **kwargs):
        with permissions.remembered(request.user):  # each button asks the same questions
            # Refused (404) before anything kept is looked at; then the page is kept for the person.
            self.record = self.get_record()
            return freshness.kept_page(
                request, lambda: super(RecordDetailView, self).get(request, *args, **kwargs)
            )

    def all_tabs(self, extra_tabs) -> tuple:
        """The register's tabs plus those domain apps add to every record (registry.add_record_tab),
        before the history, which stays last."""
        tabs = [t for t in self.tabs if t != "history"] + list(extra_tabs)
        return (*tabs, "history") if "history" in self.tabs else tuple(tabs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.record if getattr(self, "record", None) is not None else self.get_record()
        extra_tabs = {t.name: t for t in registry.record_tabs_for(self.model)}
        tabs = self.all_tabs(extra_tabs)
        tab = self.request.GET.get("tab", "details")
        tab = tab if tab in tabs else "details"
        user = self.request.user
        links = PageLinks(user).known([record])  # the viewer opened it: its reference links to it
        sections = linked_sections(links, record, self.fieldsets, lambda name: _label(self.model, name))
        context.update(
            record=record,
            tab=tab,
            tabs=tabs,
            page_links=links,  # for a register's own template: {{ value|as_links:page_links }}
            title_html=SimpleLazyObject(lambda: links.text(record.title)),  # drawn after the page's reads
            # can_change: the record's state may move (mark reviewed ...); can_edit: its fields too, which a
            # publishable record allows only in a draft. One guard answers both (aims.policies).
            can_change=allows("edit", user, record),
            can_edit=getattr(record, "is_editable", True) and allows("edit", user, record),
            can_archive=permissions.allowed(user, "archive", record),
            today=timezone.localdate(),
            model_meta=self.model._meta,
            urls=record_url_names(self.model),
            sections=sections,
            record_actions=[
                (action, f"{self.model._meta.model_name}-{action.name}")
                for action in self.actions
                if not record.is_archived and action.available(user, record)
            ],
        )
        if tab in extra_tabs:  # drawn by templates/partials/record_tab.html
            context["record_tab"] = extra_tabs[tab].context(self.request, record)
        if tab == "history":
            context["changes"] = history(record).select_related("actor")
        if self.detail_context is not None:
            context.update(self.detail_context(self.request, record, tab))
            # What the register's template draws with `as_links`, asked about in one go: with the related
            # records when the tab shows them (related_groups asks what is pending), else before drawing.
            drawn = list(context.get("linked", ()))
            links.learn(drawn, texts=[v for v in drawn if isinstance(v, str)], now=False)
        if tab in ("details", "links"):
            context["related"] = related_groups(relations_for(self.model), record, links)
        if tab == "versions":
            from aims import publishing

            context["versions"] = list(publishing.versions(record))
        if tab == "links":
            context["delegates"] = delegates(record)
            context["can_delegate"] = can_delegate(user, record)
            if context["can_delegate"]:
                context["delegate_choices"] = owner_choices().exclude(pk=record.owner_id)
        return context


class RecordFormView(RecordMixin, TemplateView):
    """Create when there is no `reference` in the URL, edit otherwise. With the shared template, name
    `fieldsets`: [(legend, [field names])]; without them every field shows in one group."""

    template_name = "records/form.html"
    fieldsets: list[tuple[str, list[str]]] = []
    form_class = None
    create_service = None  # callable(*, actor, fields, requirements)
    update_service = None  # callable(record, *, actor, expected_version, fields, requirements)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.record = self.get_record() if "reference" in kwargs else None
        if self.record is None:
            permissions.require_add(request.user, self.model)
        else:
            require(policy_of(self.record), "edit", request.user, self.record)
        return super().dispatch(request, *args, **kwargs)

    starters: dict = {}  # key -> {"label": ..., field: value}: "new from template" (?template=key)

    def get_form(self, data=None):
        initial = {} if self.record else {"owner": self.request.user}
        starter = self.starters.get(self.request.GET.get("template", "")) if not self.record else None
        if starter:
            initial.update({k: v for k, v in starter.items() if k != "label"})
        files = self.request.FILES if data is not None else None  # forms with a file field
        return self.form_class(data, files, instance=self.record, initial=initial, user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context.update(
            record=self.record,
            model_meta=self.model._meta,
            urls=record_url_names(self.model),
            starters=self.starters,
        )
        form = context["form"]
        groups = self.fieldsets or [("", [n for n in form.fields if n != "version"])]
        context["groups"] = [
            (legend, [form[n] for n in names if n in form.fields]) for legend, names in groups
        ]
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        stale = None
        if form.is_valid():
            fields = form.service_fields()
            requirements = form.cleaned_data.get("requirements")
            try:
                if self.record is None:
                    record = self.create_service(actor=request.user, fields=fields, requirements=requirements)
                    messages.success(request, f"{record.reference} created.")
                else:
                    version = form.cleaned_data.get("version") or 0
                    record = self.update_service(
                        self.record,
                        actor=request.user,
                        expected_version=version,
                        fields=fields,
                        requirements=requirements,
                    )
                    messages.success(request, f"{record.reference} saved.")
                return HttpResponseRedirect(record.get_absolute_url())
            except StaleEdit as exc:
                stale = exc
                form.add_error(None, exc.message)
            except ValidationError as exc:
                form.apply_errors(exc)
        return self.render_to_response(
            self.get_context_data(form=form, stale=stale), status=409 if stale else 400
        )


class RecordActionView(RecordMixin, View):
    """POST-only actions on one record (archive, restore, mark reviewed ...) with the version."""

    service = None  # callable(record, *, actor, expected_version)
    done_message = "{reference} updated."
    action = None  # an aims.actions.RecordAction, when the view serves one

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            messages.error(
                request, "The form was missing the record's version; reload the page and try again."
            )
            return redirect(record.get_absolute_url())
        try:
            inputs = self.action.clean_inputs(request.POST) if self.action else {}
            record = self.service(record, actor=request.user, expected_version=version, **inputs)
        except StaleEdit as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, self.done_message.format(reference=record.reference))
        return redirect(record.get_absolute_url())


def can_delegate(user, record) -> bool:
    return allows("delegate", user, record)


class RecordDelegatesView(RecordMixin, View):
    """Set who may change a record besides its owner (object permissions through django-guardian)."""

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        require(policy_of(record), "delegate", request.user, record)
        ids = [v for v in request.POST.getlist("delegates") if v.isdigit()]
        people = list(owner_choices().filter(pk__in=ids))
        if len(people) != len(set(ids)):
            messages.error(request, "Delegates must be active owners or AIMS managers; nothing was changed.")
        else:
            set_delegates(record, actor=request.user, users=people)
            messages.success(request, f"Delegates of {record.reference} saved.")
        return redirect(f"{record.get_absolute_url()}?tab=links")


def _record_read(model, select_related, prefetch_related, user, reference):
    """RecordMixin.visible() narrowed to one reference, for prepared_together()."""
    queryset = model.objects.restrict(user, "view").select_related(*select_related)
    return [queryset.prefetch_related(*prefetch_related).filter(reference=reference)[:1]]


def record_url_names(model) -> dict[str, str]:
    """URL names of a register's pages: risk-list, risk-detail, risk-add ... (see aims.register.Register.urls)."""
    name = model._meta.model_name
    return {
        v: f"{name}-{v}"
        for v in ("list", "detail", "add", "edit", "archive", "restore", "reviewed", "delegates", "compare")
    }


def _attribute(record, dotted: str):
    value = record
    for part in dotted.split("."):
        display = getattr(value, f"get_{part}_display", None)
        value = display() if display else getattr(value, part, None)
        if value is None:
            return ""
    return value


def _label(model, name: str) -> str:
    from django.utils.text import capfirst

    try:
        return capfirst(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a property: its name is its label
        return capfirst(name.replace("_", " "))


def _shown(record, name: str) -> str:
    from aims.records import display_value

    try:
        field = record._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a property
        return str(getattr(record, name, "") or "")
    return display_value(record, field)


class VersionCompareView(RecordMixin, TemplateView):
    """Two approved versions of a publishable record side by side, changed words marked (?a=1&b=2;
    "current" stands for the draft as it is now)."""

    template_name = "records/compare.html"

    def get_context_data(self, **kwargs):
        from aims import publishing

        context = super().get_context_data(**kwargs)
        record = self.get_record()
        frozen = {v.number: v for v in publishing.versions(record)}
        numbers = sorted(frozen)

        def pick(name, default):
            raw = self.request.GET.get(name, "")
            if raw == "current":
                return "current"
            return int(raw) if raw.isdigit() and int(raw) in frozen else default

        newer = pick("b", numbers[-1] if numbers else "current")
        older = pick("a", numbers[-2] if len(numbers) > 1 else (numbers[0] if numbers else "current"))
        content = {n: v.content for n, v in frozen.items()} | {"current": publishing.freeze(record)}
        context.update(
            record=record,
            model_meta=self.model._meta,
            urls=record_url_names(self.model),
            versions=[frozen[n] for n in reversed(numbers)],
            older=older,
            newer=newer,
            older_version=frozen.get(older),
            newer_version=frozen.get(newer),
            rows=publishing.compare(content[older], content[newer]),
        )
        return context

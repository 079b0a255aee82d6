"""Filters every register's list shares: search, owner, mine, review state, clause/control, archive."""

import copy
import datetime as dt

import django_filters as filters
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters.filters import BaseCSVFilter, FilterMethod
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from aims.models import Requirement
from aims.models.catalogue import naming


class YesNoFilter(filters.BooleanFilter):
    """A yes/no filter whose empty choice reads "Any" (django-filter's default says "Unknown")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")]))
        super().__init__(*args, **kwargs)


class _CopiedCheaply(dict):
    """A filterset's filters, which django-filter deep-copies for every instance: the querysets, choices and
    widgets they hold, some 1,200 objects for a register's list, were a tenth of a list page drawn. Each
    filter is copied on its own, with its own `extra`: what an instance changes -- its model, its
    parent, a narrowed queryset (RecordFilterSet._offer_visible_records) -- is set on the copy, never
    inside what the copies share; a method filter's caller (FilterMethod) is made for the copy. A form
    field already made from a filter is deep-copied, as it was (a field made from a copy deep-copies its
    widget in turn)."""

    def __deepcopy__(self, memo):
        return {name: _filter_copy(spec) for name, spec in self.items()}


def _filter_copy(spec):
    copied = copy.copy(spec)
    # A queryset read once keeps its rows: each copy gets its own, so no request sees another's rows.
    copied.extra = {k: v.all() if isinstance(v, QuerySet) else v for k, v in spec.extra.items()}
    if isinstance(spec.__dict__.get("queryset"), QuerySet):
        copied.queryset = spec.queryset.all()
    if isinstance(spec.__dict__.get("filter"), FilterMethod):  # a method filter calls its own filterset's
        copied.filter = FilterMethod(copied)
    if "_field" in spec.__dict__:
        copied._field = copy.deepcopy(spec._field)
    return copied


# The most values one filter takes (?status=a&status=b..., or a comma list such as ?ordering=a,b): a
# person picks a handful, and each value costs the filter's checking and the query's work.
MAX_FILTER_VALUES = 100


def _over_cap(data, base_filters) -> dict[str, str]:
    """The filters given more than MAX_FILTER_VALUES values, with the refusal that names each."""
    over = {}
    for name, spec in base_filters.items():
        if name not in data or not isinstance(spec, filters.MultipleChoiceFilter | BaseCSVFilter):
            continue
        given = data.getlist(name) if hasattr(data, "getlist") else data[name]
        given = given if isinstance(given, list | tuple) else [given]
        count = sum(str(v).count(",") + 1 for v in given) if isinstance(spec, BaseCSVFilter) else len(given)
        if count > MAX_FILTER_VALUES:
            over[name] = (
                f"The filter {name} was given {count:,} values; it takes at most {MAX_FILTER_VALUES}. "
                "Narrow the choice, or leave the filter out to see everything."
            )
    return over


def _one_csv_value(data, base_filters):
    """A comma-list filter (?ordering=title,-reference) given as repeated values instead
    (?ordering=title&ordering=-reference), as generated API clients send any list: joined into one, so
    every value counts rather than the last alone."""
    if data is None or not hasattr(data, "getlist"):
        return data
    repeated = [
        name
        for name, spec in base_filters.items()
        if isinstance(spec, BaseCSVFilter) and len(data.getlist(name)) > 1
    ]
    if not repeated:
        return data
    data = data.copy()
    for name in repeated:
        data.setlist(name, [",".join(data.getlist(name))])
    return data


class RecordFilterSet(filters.FilterSet):
    """Subclasses name `search_fields`; archived records are hidden unless `archived` asks for them.
    A filter given more than MAX_FILTER_VALUES values is refused by name (a 400 from the API and the
    list page), and its values are not even checked."""

    search_fields: tuple[str, ...] = ("reference", "title")

    search = filters.CharFilter(method="filter_search", label="Search")
    owner = filters.CharFilter(field_name="owner__username", label="Owner (username)")
    mine = filters.BooleanFilter(
        method="filter_mine",
        label="Mine only",
        widget=forms.Select(choices=[("", "Everyone's"), ("true", "Mine only")]),
    )
    review = filters.ChoiceFilter(
        choices=[
            ("overdue", "Overdue"),
            ("due", "Due soon"),
            ("due_or_overdue", "Due soon or overdue"),
            ("current", "Current"),
        ],
        method="filter_review",
        label="Review",
        empty_label="Any",
    )
    requirement = filters.CharFilter(method="filter_requirement", label="Clause or control")
    archived = filters.ChoiceFilter(
        choices=[("no", "Live only"), ("yes", "Archived only"), ("all", "Live and archived")],
        method="filter_archived",
        empty_label=None,
        label="Archived",
    )

    @classmethod
    def get_filters(cls):
        # django-filter tells a filter its model only on an instance's copies; the OpenAPI generator reads
        # the class's own filters, whose form field (label included) is then made without the model's
        # verbose name and copied into every later instance: the list pages lost their filter labels
        # once /api/schema/ had been built. Told here, the label comes from the model whoever asks first.
        found = super().get_filters()
        for spec in found.values():
            if cls._meta.model is not None:
                spec.model = cls._meta.model
        return found

    @classmethod
    def refusals(cls, data) -> dict[str, str]:
        """The filters of `data` (a query string) refused for taking too many values, with why: known
        from the query string alone, before any filterset is built."""
        return _over_cap(_one_csv_value(data, cls.base_filters), cls.base_filters) if data is not None else {}

    def __init__(self, data=None, *args, **kwargs):
        self.base_filters = _CopiedCheaply(type(self).base_filters)  # read by django-filter's __init__
        data = _one_csv_value(data, self.base_filters)
        self.too_many = _over_cap(data, self.base_filters) if data is not None else {}
        if self.too_many:  # dropped before the form reads them: refusing costs nothing per value
            data = data.copy()
            for name in self.too_many:
                data.pop(name)
        super().__init__(data, *args, **kwargs)
        self.user = getattr(self.request, "user", None)
        self._offer_awaiting_decision()
        self._offer_visible_records()

    def _offer_awaiting_decision(self):
        """On a register whose records wait for decisions: the records waiting for mine, the list behind
        "waiting for my decision" on the dashboard (the same selector: aims.views.core.awaiting)."""
        from aims.registry import registry

        info = registry.register_for(self._meta.model)
        if info is None or info.awaiting_decision is None:
            return
        spec = YesNoFilter(method="filter_awaiting_decision", label="Waiting for my decision")
        spec.model, spec.parent = self._meta.model, self
        self.filters["awaiting_decision"] = spec

    def filter_awaiting_decision(self, queryset, name, value):
        if value is None:
            return queryset
        waiting = awaiting_decision(self._meta.model, self.user)
        return (
            queryset.filter(pk__in=waiting.values("pk"))
            if value
            else queryset.exclude(pk__in=waiting.values("pk"))
        )

    def _offer_visible_records(self):
        """A filter choosing another record offers only records the person may see (restrict): a filter
        must not reveal the title of a record its list would hide."""
        if self.request is None:  # a job applying a saved filter: its records were restricted already
            return
        user = self.user
        for spec in self.filters.values():
            # django-filter builds a choice filter's field from `spec.queryset` (a queryset, or a callable
            # of the request), overwriting extra["queryset"]: narrow what it will read.
            queryset = getattr(spec, "queryset", None)
            if callable(queryset):
                spec.queryset = lambda request, chosen=queryset: _visible(chosen(request), user)
            elif queryset is not None:
                spec.queryset = _visible(queryset, user)
            if "queryset" in spec.extra and not callable(spec.extra["queryset"]):
                spec.extra["queryset"] = _visible(spec.extra["queryset"], user)

    @property
    def form(self):
        form = super().form
        if self.too_many and not getattr(form, "refused_values", False):
            form.refused_values = True  # once: each refusal is an error on its field
            for name, message in self.too_many.items():
                form.add_error(name, message)
        return form

    @property
    def qs(self):
        if self.too_many:  # refused, never applied in part
            return self.queryset.none()
        queryset = super().qs
        if not (self.data or {}).get("archived"):
            queryset = self.live_only(queryset)
        return queryset

    @classmethod
    def live_only(cls, queryset):
        """The live records, as the list shows unless `archived` asks otherwise: with no filter asked
        for, all the FilterSet does (in the default order)."""
        return queryset.filter(archived_at__isnull=True)

    @classmethod
    def asks_nothing(cls, data, ignored) -> bool:
        """Whether `data` (a query string) names none of the filters, only `ignored` parameters (the page,
        the page size): then the FilterSet would give live_only(queryset), and building it -- every
        filter copied, a form of some 25 fields made and cleaned -- can be skipped. Its filters'
        names are not among `ignored`; tests/test_api_fast_paths.py holds every register to
        that equivalence."""
        return all(key in ignored and key not in cls.base_filters for key in data)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        model = queryset.model
        for field in self.search_fields:
            match = Q(**{f"{field}__icontains": value})
            link = model._meta.get_field(field.split("__")[0])
            if link.many_to_many or link.one_to_many:
                # Matched through a subquery: a join would list a record once per matching link.
                match = Q(pk__in=model._base_manager.filter(match).values("pk"))
            condition |= match
        return queryset.filter(condition)

    def filter_mine(self, queryset, name, value):
        if value and self.user is not None and self.user.is_authenticated:
            return queryset.filter(owner=self.user)
        return queryset

    def filter_review(self, queryset, name, value):
        today = timezone.localdate()
        soon = today + dt.timedelta(days=settings.REMINDER_DUE_WITHIN_DAYS)
        if value == "overdue":
            return queryset.filter(next_review_on__lt=today)
        if value == "due":
            return queryset.filter(next_review_on__gte=today, next_review_on__lte=soon)
        if value == "due_or_overdue":  # what "my work" on the dashboard lists
            return queryset.filter(next_review_on__lte=soon)
        if value == "current":
            return queryset.filter(Q(next_review_on__gt=soon) | Q(next_review_on__isnull=True))
        return queryset

    def filter_requirement(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # A bare code ("4.1") means ISO/IEC 42001's; another standard's is reached by its key.
        requirement = (
            Requirement.objects.filter(key=value).first()
            or Requirement.objects.mappable().filter(code=value).first()
        )
        if requirement is None:
            return queryset.none()
        return naming(queryset, requirement)

    def filter_archived(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(archived_at__isnull=False)
        if value == "all":
            return queryset
        return queryset.filter(archived_at__isnull=True)


def awaiting_decision(model, user):
    """The live records of `model` waiting for `user`'s decision: those they may approve, narrowed by the
    register (a risk above appetite and not accepted ...). One definition for the dashboard and the list."""
    from aims.permissions import restrict
    from aims.registry import registry

    info = registry.register_for(model)
    return info.awaiting_decision(restrict(model.objects.all(), user, "approve").live())


def _visible(queryset, user):
    """Another register's records as `user` may see them; anything else (categories, people) as it is."""
    from aims.models import BaseRecord
    from aims.permissions import restrict

    model = getattr(queryset, "model", None)
    return (
        restrict(queryset, user, "view") if model is not None and issubclass(model, BaseRecord) else queryset
    )


# One value's type: drf-spectacular makes a multiple-choice filter an array of it (?x=a&x=b) itself;
# annotating the array here made it an array of arrays, which generated clients send as ['a'].
@extend_schema_field(OpenApiTypes.STR)
class ReferencesFilter(filters.ModelMultipleChoiceFilter):
    """Linked records by reference (?system=SYS-0001&system=SYS-0002); `field_name` ends in
    `__reference`, and the choices are narrowed to what the person may see (RecordFilterSet). A list
    page draws every record as an option: only what an option shows is read, and drawn at once."""

    def __init__(self, *args, **kwargs):
        from aims.widgets import ManyRecords

        kwargs.setdefault("widget", ManyRecords)
        super().__init__(*args, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).only("pk", "reference", "title")

"""One FilterSet for the risk list page, its exports and reports, and the API (same query parameters)."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from aims.filters import RecordFilterSet, ReferencesFilter, YesNoFilter

from .models import Risk, RiskCategory, RiskCriteria
from .selectors import risks_awaiting_acceptance, treatments_overdue


def _level_choices():
    try:
        return [(b.slug, b.name) for b in RiskCriteria.current().band_list]
    except Exception:  # noqa: BLE001 - before migrations have run (schema generation, checks)
        return []


# One value's type: drf-spectacular makes a multiple-choice filter an array of it (?x=a&x=b) itself;
# annotating the array here made it an array of arrays, which generated clients send as ['a'].
@extend_schema_field(OpenApiTypes.STR)
class SlugsFilter(filters.ModelMultipleChoiceFilter):
    """Several related rows by slug (?category=privacy&category=safety)."""


SCALE_CHOICES = [(i, str(i)) for i in range(1, 6)]


class RiskFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "systems__title", "system_note", "treatment_plan")

    level = filters.MultipleChoiceFilter(
        choices=_level_choices, method="filter_level", label="Residual level"
    )
    inherent_level = filters.MultipleChoiceFilter(
        choices=_level_choices, method="filter_level", label="Inherent level"
    )
    category = SlugsFilter(
        field_name="category__slug",
        to_field_name="slug",
        queryset=RiskCategory.objects.all(),
        label="Category",
    )
    status = filters.MultipleChoiceFilter(choices=Risk.Status.choices)
    treatment = filters.MultipleChoiceFilter(choices=Risk.Treatment.choices)
    risk_source = filters.MultipleChoiceFilter(choices=Risk.RiskSource.choices)
    above_appetite = YesNoFilter(method="filter_above_appetite", label="Above appetite")
    accepted = YesNoFilter(field_name="accepted_by", lookup_expr="isnull", exclude=True)
    awaiting_acceptance = YesNoFilter(
        method="filter_awaiting_acceptance", label="Awaiting the board's acceptance"
    )
    inherent_likelihood = filters.TypedChoiceFilter(choices=SCALE_CHOICES, coerce=int)
    inherent_impact = filters.TypedChoiceFilter(choices=SCALE_CHOICES, coerce=int)
    residual_likelihood = filters.TypedChoiceFilter(choices=SCALE_CHOICES, coerce=int)
    residual_impact = filters.TypedChoiceFilter(choices=SCALE_CHOICES, coerce=int)
    # ?system=SYS-0001: the risks of one AI system (its page links here); the choices are narrowed to
    # the systems the person may see (RecordFilterSet).
    system = ReferencesFilter(
        field_name="systems__reference", to_field_name="reference", label="AI system", distinct=True,
        queryset=lambda request: Risk._meta.get_field("systems").related_model.objects.live(),
    )  # fmt: skip
    reassessment_due = YesNoFilter(method="filter_reassessment_due", label="Reassessment due")
    treatment_overdue = YesNoFilter(method="filter_treatment_overdue", label="Treatment overdue")

    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("category__name", "category"),
            ("owner__username", "owner"),
            ("inherent_score", "inherent"),
            ("residual_score", "residual"),
            ("status", "status"),
            ("next_review_on", "next_review"),
            ("updated_at", "updated"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Risk
        fields = []

    @property
    def criteria(self) -> RiskCriteria:
        if not hasattr(self, "_criteria"):
            self._criteria = RiskCriteria.current()
        return self._criteria

    def filter_level(self, queryset, name, value: list[str]):
        if not value:
            return queryset
        field = "inherent_score" if name == "inherent_level" else "residual_score"
        condition = Q()
        for slug in value:
            band = self.criteria.band_named(slug)
            if band:
                condition |= Q(**{f"{field}__range": (band.min, band.max)})
        return queryset.filter(condition)

    def filter_reassessment_due(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(reassessment_due="") if value else queryset.filter(reassessment_due="")

    def filter_treatment_overdue(self, queryset, name, value):
        """Past its due date and not in place: the selector readiness (8.3) counts with."""
        if value is None:
            return queryset
        late = treatments_overdue(Risk.objects.all(), timezone.localdate()).values("pk")
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)

    def filter_awaiting_acceptance(self, queryset, name, value):
        """Above appetite, not accepted and not closed: the selector the dashboard counts with."""
        if value is None:
            return queryset
        waiting = risks_awaiting_acceptance(Risk.objects.all()).values("pk")
        return queryset.filter(pk__in=waiting) if value else queryset.exclude(pk__in=waiting)

    def filter_above_appetite(self, queryset, name, value):
        if value is None:
            return queryset
        appetite = self.criteria.appetite_max
        return (
            queryset.filter(residual_score__gt=appetite)
            if value
            else queryset.filter(residual_score__lte=appetite)
        )

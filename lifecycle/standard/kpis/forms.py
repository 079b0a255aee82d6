"""The KPI form and FilterSet, and the two forms on a KPI's pages: one measurement, and a CSV file."""

import django_filters as filters
from django import forms

from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from lifecycle.models import KPI, AISystem
from registers.models import Objective

from .selectors import FLAGGED, State, not_overdue, overdue
from .services import FIELDS


class KPIForm(RecordForm):
    class Meta:
        model = KPI
        fields = [*FIELDS, "requirements"]
        help_texts = {
            "target": "The value aimed for.",
            "warning": "Past this value the KPI shows a warning.",
            "breach": "Past this value the KPI is in breach: the owner is told and an incident drafted.",
        }


class KPIFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "metric")
    state = filters.ChoiceFilter(choices=State.choices, empty_label="Any")
    system = filters.ModelChoiceFilter(
        queryset=AISystem.objects.all(), to_field_name="reference", empty_label="Any", label="AI system"
    )
    objective = filters.ModelChoiceFilter(
        queryset=Objective.objects.all(), to_field_name="reference", empty_label="Any", label="AI objective"
    )
    overdue = YesNoFilter(method="filter_overdue", label="Measurement overdue")
    flagged = YesNoFilter(method="filter_flagged", label="In breach or warning")
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("state", "state"),
            ("last_measured_at", "last_measured"),
        )
    )

    class Meta:
        model = KPI
        fields = []

    def filter_flagged(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(FLAGGED) if value else queryset.exclude(FLAGGED)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return overdue(queryset) if value else not_overdue(queryset)


class MeasurementForm(forms.Form):
    """One measurement on the KPI's page; the service checks the value and time (one set of rules)."""

    value = forms.DecimalField(help_text="Up to 4 decimal places are kept.")
    measured_at = forms.DateTimeField(
        label="Measured at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty: now.",
    )
    note = forms.CharField(max_length=500, required=False, help_text="e.g. the sample or the data set.")


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV file with the columns measured_at, value and note.")

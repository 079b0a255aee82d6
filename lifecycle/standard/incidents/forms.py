"""The incident form and FilterSet (open, serious, reporting overdue ...)."""

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from lifecycle.models import AISystem, Incident

from .selectors import AWAITING_COMPLETE, OPEN, UNREPORTED, with_deadline
from .services import FIELDS


class IncidentForm(RecordForm):
    class Meta:
        model = Incident
        fields = [*FIELDS, "requirements"]
        labels = {"title": "Incident"}
        widgets = {
            "occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "detected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reported_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "complete_report_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["detected_on"].initial = timezone.localdate()


class IncidentFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "harm")
    severity = filters.MultipleChoiceFilter(choices=Incident.Severity.choices)
    status = filters.MultipleChoiceFilter(choices=Incident.Status.choices)
    open = YesNoFilter(method="filter_open", label="Open")
    system = filters.ModelChoiceFilter(
        queryset=AISystem.objects.all(), to_field_name="reference", empty_label="Any", label="AI system"
    )
    serious = YesNoFilter(label="Serious (EU AI Act)")
    to_report = YesNoFilter(method="filter_to_report", label="Serious, still to report")
    reporting_overdue = YesNoFilter(method="filter_reporting_overdue", label="Reporting overdue")
    awaiting_complete_report = YesNoFilter(
        method="filter_awaiting_complete_report", label="Reported, awaiting the complete report"
    )
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("severity", "severity"),
            ("status", "status"),
            ("detected_on", "detected"),
        )
    )

    class Meta:
        model = Incident
        fields = []

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(OPEN) if value else queryset.exclude(OPEN)

    def filter_to_report(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(UNREPORTED) if value else queryset.exclude(UNREPORTED)

    def filter_awaiting_complete_report(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(AWAITING_COMPLETE) if value else queryset.exclude(AWAITING_COMPLETE)

    def filter_reporting_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(pk__in=with_deadline(Incident.objects.filter(UNREPORTED)).filter(
            deadline_on__lt=timezone.localdate()
        ).values("pk"))  # fmt: skip
        return queryset.filter(late) if value else queryset.exclude(late)

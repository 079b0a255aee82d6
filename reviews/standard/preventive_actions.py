"""Preventive actions (ISO/IEC 42001 10.1): acting before a nonconformity happens, from an AI risk (raised
on the risk's page) or from a trend seen in the measurements. Who does what by when; overdue ones remind
their owner and, 14 days late, the governance board."""

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.register import Register
from lifecycle.models import KPI
from registers.models import Risk
from reviews.improvement import PA_FIELDS, pa_services
from reviews.models import PreventiveAction

OPEN = Q(status__in=PreventiveAction.OPEN_STATUSES)


class PreventiveActionForm(RecordForm):
    class Meta:
        model = PreventiveAction
        fields = [*PA_FIELDS, "requirements"]
        labels = {"title": "Preventive action"}
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "done_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class PreventiveActionFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "trend")
    source = filters.ChoiceFilter(choices=PreventiveAction.Source.choices, empty_label="Any")
    status = filters.MultipleChoiceFilter(choices=PreventiveAction.Status.choices)
    risk = filters.ModelChoiceFilter(
        queryset=Risk.objects.all(), to_field_name="reference", empty_label="Any", label="AI risk"
    )
    kpi = filters.ModelChoiceFilter(queryset=KPI.objects.all(), to_field_name="reference", empty_label="Any")
    overdue = YesNoFilter(method="filter_overdue", label="Overdue")
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("due_on", "due"), ("status", "status"))
    )

    class Meta:
        model = PreventiveAction
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = OPEN & Q(due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class PreventiveActionSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = PreventiveAction
        fields = record_fields(PA_FIELDS)


class PreventiveActionViewSet(RecordViewSet):
    """Preventive actions (10.1). `risk` and `kpi` by reference; filter ?overdue=true. DELETE archives."""

    serializer_class = PreventiveActionSerializer
    filterset_class = PreventiveActionFilterSet
    services = pa_services


class PreventiveActionRegister(Register):
    model = PreventiveAction
    label, url_prefix, position = "Preventive actions", "preventive-actions", 50
    menu_group = "10"
    services = pa_services
    form = PreventiveActionForm
    filterset = PreventiveActionFilterSet
    viewset = PreventiveActionViewSet
    select_related = ("owner", "risk", "kpi")
    columns = [
        ("Preventive action", "title", "title"),
        ("Source", "source", None),
        ("From", lambda pa: pa.risk or pa.kpi or "trend", None),
        ("Due", "due_on", "due"),
        ("Status", "status", "status"),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("What will be done", ["description", "due_on", "status", "done_on"]),
        ("Why", ["source", "risk", "kpi", "trend"]),
    ]
    form_fieldsets = [
        ("What will be done", ["title", "description", "due_on", "status", "done_on"]),
        ("Why", ["source", "risk", "kpi", "trend", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = "ISO/IEC 42001 10.1: actions taken before a nonconformity happens, from an AI risk or a trend."
    empty_text = (
        "No preventive actions yet. Raise one from an AI risk's page, or record one when a KPI trends "
        "towards its threshold."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"Back-test the scores, {n}",
            "source": PreventiveAction.Source.TREND,
            "trend": "Scores drift up each month.",
            "description": "A quarterly back-test against outcomes.",
            "due_on": timezone.localdate() + dt.timedelta(days=30),
        }
        return self.services.create(actor=people["owner"], fields=fields)

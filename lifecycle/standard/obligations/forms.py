"""The obligation form (only the fields its duty asks for) and the FilterSet the list and API share:
AI system, state, role, duty, overdue."""

import django_filters as filters
from django import forms

from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from lifecycle.models import AISystem, HighRiskObligation
from lifecycle.models.obligations import DEPLOYER, DETAIL_FIELDS, DUTIES, PROVIDER

from .position import eu_position
from .selectors import overdue
from .services import FIELDS

DATES = ("due_on", "next_review_on", "declared_on", "registered_on", "placed_on_market_on", "notified_on")


class HighRiskObligationForm(RecordForm):
    class Meta:
        model = HighRiskObligation
        fields = [*FIELDS, "requirements"]
        widgets = {name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in DATES}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = "Leave empty for the obligation's name and the system's."
        record = self.instance
        if not record.pk:  # the details follow once the obligation exists and says which it needs
            for name in DETAIL_FIELDS:
                self.fields.pop(name, None)
            return
        for name in ("system", "duty"):  # the services refuse a change: archive it and record another
            self.fields[
                name
            ].help_text = "An obligation keeps it; archive it and record another to change it."
        for name in DETAIL_FIELDS:
            if name not in record.spec.details:
                self.fields.pop(name, None)
        if "public_body" in self.fields and eu_position(record.system).public_body is not None:
            self.fields.pop("public_body")  # the classification answers it
        if "impact_assessment" in self.fields:
            field = self.fields["impact_assessment"]
            field.queryset = field.queryset.filter(system=record.system_id)
            field.help_text = "An impact assessment of this system, with its fundamental rights part."


ROLES = [(PROVIDER, "Provider"), (DEPLOYER, "Deployer")]


class HighRiskObligationFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "how_met", "not_applicable_reason")
    system = filters.ModelChoiceFilter(
        queryset=AISystem.objects.all(), to_field_name="reference", empty_label="Any", label="AI system"
    )
    state = filters.MultipleChoiceFilter(choices=HighRiskObligation.State.choices)
    role = filters.ChoiceFilter(choices=ROLES, method="filter_role", empty_label="Any", label="Our role")
    duty = filters.MultipleChoiceFilter(choices=[(d.key, d.title) for d in DUTIES], label="Obligation")
    overdue = YesNoFilter(method="filter_overdue", label="Overdue")
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("system__title", "system"),
            ("state", "state"),
            ("due_on", "due"),
        )
    )

    class Meta:
        model = HighRiskObligation
        fields = []

    def filter_role(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(duty__in=[d.key for d in DUTIES if d.role == value])

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue()) if value else queryset.exclude(overdue())

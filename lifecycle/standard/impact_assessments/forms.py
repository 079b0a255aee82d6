"""The impact assessment form and FilterSet, and the harm form on the record's page."""

import django_filters as filters
from django import forms

from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.models import Lifecycle
from lifecycle.models import AISystem, Harm, ImpactAssessment

from .harms import HARM_FIELDS, LIKELIHOOD, SEVERITY
from .services import FIELDS, FRIA_NOTE


class ImpactAssessmentForm(RecordForm):
    class Meta:
        model = ImpactAssessment
        fields = [*FIELDS, "requirements"]
        help_texts = {"fria_needed": FRIA_NOTE}


class ImpactAssessmentFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "scope", "interested_parties", "measures")
    system = filters.ModelChoiceFilter(
        queryset=AISystem.objects.all(), to_field_name="reference", empty_label="Any", label="AI system"
    )
    status = filters.MultipleChoiceFilter(choices=Lifecycle.choices)
    trigger = filters.MultipleChoiceFilter(choices=ImpactAssessment.Trigger.choices)
    reassessment_due = YesNoFilter(label="Reassessment due")
    ordering = filters.OrderingFilter(fields=(("reference", "reference"), ("title", "title")))

    class Meta:
        model = ImpactAssessment
        fields = []


class HarmForm(forms.ModelForm):
    likelihood = forms.TypedChoiceField(choices=LIKELIHOOD, coerce=int)
    severity = forms.TypedChoiceField(choices=SEVERITY, coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Harm
        fields = HARM_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {"description": "The harm", "affected": "Who is affected"}


class ThresholdsForm(forms.Form):
    sensitive_from = forms.TypedChoiceField(
        label="Sensitive use from harm severity", choices=SEVERITY, coerce=int,
        help_text="A harm this severe or more makes the use sensitive: more scrutiny before and in use.",
    )  # fmt: skip
    restricted_from = forms.TypedChoiceField(
        label="Restricted use from harm severity", choices=SEVERITY, coerce=int,
        help_text="A harm this severe or more makes the use restricted: allowed only under conditions, if at all.",
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput)

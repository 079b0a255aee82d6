"""The bias assessment form (the checklist as fields, the predictions CSV) and its FilterSet."""

import django_filters as filters
from django import forms

from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.views.files import PrivateFileInput
from lifecycle.fairness import EMPTY, MAX_ROWS, check_csv_type
from lifecycle.models import AISystem, BiasAssessment

from .checklist import ANSWERS, CHECKLIST
from .services import FIELDS


class BiasAssessmentForm(RecordForm):
    file = forms.FileField(
        label="Predictions (CSV)",
        required=False,
        validators=[check_csv_type],
        widget=PrivateFileInput("biasassessment-file", "file_name"),
        error_messages={"empty": EMPTY},
        help_text="Columns y_true and y_pred (0 or 1) and one or more sensitive attribute columns; "
        f"at most {MAX_ROWS:,} rows. Uploading a file measures it again.",
    )
    sensitive_columns = forms.CharField(
        required=False,
        max_length=500,
        help_text="Comma-separated, e.g. gender, age_band. Empty: every column besides y_true and y_pred.",
    )

    class Meta:
        model = BiasAssessment
        fields = [f for f in FIELDS if f not in ("checklist", "file")] + ["requirements"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # RecordForm offers the live systems the person may see (and one already linked); by title here.
        self.fields["system"].queryset = self.fields["system"].queryset.order_by("title")
        self.fields["system"].label = "AI system"
        given = self.instance.checklist or {}
        for key, label, help_text, control in CHECKLIST:
            self.fields[f"check_{key}"] = forms.ChoiceField(
                label=label, choices=[("", "Not answered"), *ANSWERS], required=False,
                help_text=f"{help_text} ({control})", initial=given.get(key, {}).get("answer", ""),
            )  # fmt: skip
            self.fields[f"note_{key}"] = forms.CharField(
                label=f"Note on {label.lower()}", required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}), initial=given.get(key, {}).get("note", ""),
            )  # fmt: skip

    def service_fields(self) -> dict:
        data = super().service_fields()
        checklist = {}
        for key, *_ in CHECKLIST:
            answer, note = data.pop(f"check_{key}", ""), data.pop(f"note_{key}", "").strip()
            if answer or note:
                checklist[key] = {"answer": answer, "note": note}
        data["checklist"] = checklist
        return data


class BiasAssessmentFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "system__title", "file_name")
    system = filters.ModelChoiceFilter(
        queryset=AISystem.objects.all(), to_field_name="reference", empty_label="Any", label="AI system"
    )
    result = filters.ChoiceFilter(
        choices=[("passed", "Passed"), ("failed", "Failed"), ("none", "Not measured")],
        method="filter_result",
        label="Result",
        empty_label="Any",
    )
    ordering = filters.OrderingFilter(fields=(("reference", "reference"), ("system__title", "system")))

    class Meta:
        model = BiasAssessment
        fields = []

    def filter_result(self, queryset, name, value):
        return queryset.filter(passed={"passed": True, "failed": False, "none": None}.get(value))

from django import forms

from aims.forms import RecordForm, RequirementChoiceField

from .models import IMPACT_LABELS, LIKELIHOOD_LABELS, Risk, RiskCategory

LIKELIHOOD = [("", "—")] + [(k, f"{k} {v}") for k, v in LIKELIHOOD_LABELS.items()]
IMPACT = [("", "—")] + [(k, f"{k} {v}") for k, v in IMPACT_LABELS.items()]


class RiskForm(RecordForm):
    requirements = RequirementChoiceField(label="Clauses and Annex A controls")

    class Meta:
        model = Risk
        fields = [
            "title", "description", "systems", "system_note", "category", "risk_source",
            "affects_organisation", "affects_individuals", "affects_groups", "affects_society",
            "inherent_likelihood", "inherent_impact", "existing_controls",
            "treatment", "treatment_plan", "treatment_due_on", "treatment_done_on",
            "residual_likelihood", "residual_impact", "target_likelihood", "target_impact",
            "status", "owner", "review_cadence", "next_review_on", "requirements",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "existing_controls": forms.Textarea(attrs={"rows": 3}),
            "treatment_plan": forms.Textarea(attrs={"rows": 3}),
            "inherent_likelihood": forms.Select(choices=LIKELIHOOD),
            "residual_likelihood": forms.Select(choices=LIKELIHOOD),
            "target_likelihood": forms.Select(choices=LIKELIHOOD),
            "inherent_impact": forms.Select(choices=IMPACT),
            "residual_impact": forms.Select(choices=IMPACT),
            "target_impact": forms.Select(choices=IMPACT),
            "next_review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "treatment_due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "treatment_done_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = RiskCategory.objects.filter(active=True)
        self.fields["status"].choices = [
            c for c in self.fields["status"].choices if self.instance.status_editable_to(c[0])
        ]
        self.fields["next_review_on"].required = False
        self.fields["next_review_on"].help_text = "Leave empty to set it from the review cadence."
        self.fields["treatment_plan"].help_text = "Required unless the treatment is Accept."


class AcceptRiskForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why the residual risk is acceptable (recorded with your name and today's date).",
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV or XLSX file in the layout of the export.")

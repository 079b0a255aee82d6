from django import forms
from django.contrib.auth import password_validation

from aims.forms import RequirementField
from audits.models import NOT_CONFORMING, Audit, EvidencePack, Result


class InviteForm(forms.Form):
    name = forms.CharField(label="Guest's name", max_length=150)
    email = forms.EmailField(help_text="The invitation link goes here; it works for 7 days.")
    organisation = forms.CharField(
        max_length=200, required=False, help_text="The certification body or firm."
    )
    audit = forms.ModelChoiceField(
        Audit.objects.live().order_by("-starts_on"), required=False,
        help_text="Its record, checklist, findings and the evidence sampled for it, read-only.",
    )  # fmt: skip
    packs = forms.ModelMultipleChoiceField(
        EvidencePack.objects.filter(job__status="done").order_by("-created_at"),
        required=False, widget=forms.CheckboxSelectMultiple, label="Evidence packs shared",
    )  # fmt: skip
    until = forms.DateField(
        label="Access ends on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The last day the guest can sign in; at most 180 days away.",
    )  # fmt: skip
    may_download_packs = forms.BooleanField(
        label="May download the packs shared", required=False, initial=True
    )
    may_raise_findings = forms.BooleanField(label="May raise findings on the audit", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        packs = self.fields["packs"]
        if not packs.queryset.exists():
            packs.help_text = "No evidence pack is finished yet: export one under Evidence packs first."

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("audit") is None and not data.get("packs"):
            raise forms.ValidationError("Choose the audit, or at least one evidence pack, the guest may see.")
        return data


class AcceptForm(forms.Form):
    """The guest's account: their name as it will show in the history, and a password."""

    name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                password_validation.validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class GuestFindingForm(forms.Form):
    requirement = RequirementField(label="Clause or control")
    grade = forms.ChoiceField(choices=[(value, Result(value).label) for value in NOT_CONFORMING])
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), help_text="What was seen, and why it falls short."
    )

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        # The audit's clauses and controls; an audit that names none audits them all.
        scope = audit.scope.order_by("position")
        if scope.exists():
            self.fields["requirement"].queryset = scope

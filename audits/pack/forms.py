"""The "new evidence pack" form: scope (whole AIMS, clauses, controls, AI systems), the standard that
indexes it and the as-of date."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, When
from django.utils import timezone

from aims.models import Requirement, Standard
from aims.widgets import RequirementPicker, grouped

from .scope import DEFAULT_STANDARD, Scope


def requirement_choices():
    """Mappable requirements of every standard in the catalogue, grouped by clause and control objective,
    keyed by catalogue key; ISO/IEC 42001's first, the other standards after them by name."""
    rows = Requirement.objects.filter(kind__in=Requirement.MAPPABLE).select_related("standard")
    primary_first = Case(When(standard__key=DEFAULT_STANDARD, then=0), default=1)
    return grouped(
        rows.order_by(primary_first, "standard__name", "position"), value=lambda r: r.key, label=str
    )


class EvidencePackForm(forms.Form):
    title = forms.CharField(
        max_length=200, required=False, help_text="Optional; e.g. 'Stage 2 audit, risk clauses'."
    )
    whole = forms.BooleanField(
        label="The whole AIMS", required=False,
        help_text="Every clause and control of the chosen standard and every AI system in scope.",
    )  # fmt: skip
    standard = forms.ChoiceField(label="Index by", help_text="Folders follow this standard's clauses.")
    requirements = forms.MultipleChoiceField(
        label="Clauses and controls", required=False, widget=RequirementPicker
    )
    systems = forms.MultipleChoiceField(label="AI systems", required=False)
    as_of = forms.DateField(
        label="As of", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Records as they were at the end of this day. Empty: now.",
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = list(Standard.objects.values_list("key", "name"))
        self.fields["standard"].initial = DEFAULT_STANDARD
        self.fields["requirements"].choices = requirement_choices()
        self.fields["systems"].choices = self._system_choices(user)
        self.fields["systems"].widget.attrs["size"] = 6

    @staticmethod
    def _system_choices(user):
        try:
            from lifecycle.models import AISystem
        except ImportError:
            return []
        systems = AISystem.objects.restrict(user, "view").live().order_by("reference")
        return [(s.reference, f"{s.reference} {s.title}") for s in systems.only("reference", "title")]

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day and day > timezone.localdate():
            raise ValidationError(
                "The as-of date cannot be in the future: a pack shows what was, not what will be."
            )
        return day

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["scope"] = Scope.from_params(
                {"whole": data.get("whole"), "standard": data.get("standard"),
                 "requirements": data.get("requirements") or [], "systems": data.get("systems") or []}
            )  # fmt: skip
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return data

"""Form pieces every register shares: the optimistic version, requirement choices, error mapping."""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import ModelFormMetaclass
from django.utils.choices import CallableChoiceIterator

from aims import roles
from aims.models import Requirement, User
from aims.permissions import restrict
from aims.widgets import RequirementPicker, grouped


class _GroupedRequirements:
    """Choices grouped by clause and Annex A control objective, worked out when the form is drawn (forms
    are defined at import time, before the catalogue table may exist)."""

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"

    def _grouped(self):
        groups = grouped(self.queryset, value=self.prepare_value, label=self.label_from_instance)
        return groups if self.empty_label is None else [("", self.empty_label), *groups]

    def _get_choices(self):
        return CallableChoiceIterator(self._grouped)


class RequirementChoiceField(_GroupedRequirements, forms.ModelMultipleChoiceField):
    """Several clauses and Annex A controls, in the requirement picker."""

    def __init__(self, queryset=None, **kwargs):
        if queryset is None:
            queryset = Requirement.objects.mappable().order_by("position")
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", RequirementPicker())
        super().__init__(queryset=queryset, **kwargs)

    choices = property(_GroupedRequirements._get_choices, forms.ModelMultipleChoiceField.choices.fset)


class RequirementField(_GroupedRequirements, forms.ModelChoiceField):
    """One clause or Annex A control, in the requirement picker."""

    def __init__(self, queryset=None, **kwargs):
        if queryset is None:
            queryset = Requirement.objects.mappable().order_by("position")
        kwargs.setdefault("widget", RequirementPicker(multiple=False))
        super().__init__(queryset=queryset, **kwargs)

    choices = property(_GroupedRequirements._get_choices, forms.ModelChoiceField.choices.fset)


def as_requirement_field(field):
    """A model form's own choice of requirements (a finding's clause, an SoA entry's control) drawn by the
    picker like every other: the same queryset, label and help, in RequirementField(s)."""
    if isinstance(field, RequirementChoiceField | RequirementField):
        return field
    if not isinstance(field, forms.ModelChoiceField) or field.queryset.model is not Requirement:
        return field
    options = {"required": field.required, "label": field.label, "help_text": field.help_text}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return RequirementChoiceField(queryset=field.queryset, **options)
    return RequirementField(queryset=field.queryset, empty_label=field.empty_label, **options)


def owner_choices():
    """People who may own records: owners and AIMS managers who are active."""
    return User.objects.filter(is_active=True, groups__name__in=[roles.OWNER, roles.MANAGER]).distinct()


class _NarrowedAfterInit(ModelFormMetaclass):
    """Narrows a form's record choices once every __init__ in its class chain has run, so a register's
    form may set or filter a link's choices in its own __init__ and still offer only what may be seen;
    draws every choice of requirements with the requirement picker."""

    def __new__(mcs, name, bases, attrs):
        form = super().__new__(mcs, name, bases, attrs)
        for field_name, field in getattr(form, "base_fields", {}).items():
            form.base_fields[field_name] = as_requirement_field(field)
        return form

    def __call__(cls, *args, **kwargs):
        form = super().__call__(*args, **kwargs)
        form._offer_live_records()
        return form


class RecordForm(forms.ModelForm, metaclass=_NarrowedAfterInit):
    """Adds the hidden version the record had when the form was opened (optimistic concurrency), and the
    record's links to clauses and Annex A controls (put "requirements" in a fieldset to show them).

    Given the `user` filling it in, every choice of another record offers, and accepts, only the records
    that user may see (restrict(user, "view")); without one (a command, a test) nothing is narrowed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    requirements = RequirementChoiceField(label="Clauses and Annex A controls")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "requirements" not in (self._meta.fields or ()):
            # Not on this register's form: without the field, saving never touches the record's links.
            self.fields.pop("requirements", None)
        if "owner" in self.fields:
            self.fields["owner"].queryset = owner_choices()
        if self.instance.pk:
            self.initial["version"] = self.instance.version

    def _offer_live_records(self):
        """Links to other records offer the live ones, plus any archived one already linked (dropping it
        from the choices would make every later save of this form invalid), of those only what the user
        may see; by reference unless the register's form chose another order."""
        from aims.models import BaseRecord

        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None or not issubclass(queryset.model, BaseRecord):
                continue
            linked = self.initial.get(name)
            if isinstance(linked, (list, tuple)):
                keep = [getattr(item, "pk", item) for item in linked]
            else:
                keep = [getattr(linked, "pk", linked)] if linked else []
            queryset = queryset.filter(Q(archived_at__isnull=True) | Q(pk__in=keep))
            if not queryset.query.order_by:
                queryset = queryset.order_by("reference")
            field.queryset = restrict(queryset, self.user, "view") if self.user is not None else queryset

    def _post_clean(self):
        """Run the model's own rules on the fields that cleaned, so cross-field errors show together
        with the per-field ones; the service runs them again on the record as it will be saved."""
        scratch = copy.copy(self.instance)
        concrete = {f.name for f in scratch._meta.concrete_fields}
        for name, value in self.cleaned_data.items():
            if name in concrete:
                setattr(scratch, name, value)
        try:
            scratch.clean()
        except ValidationError as exc:
            for field, messages in getattr(exc, "message_dict", {None: exc.messages}).items():
                if field in self.fields and field not in self.errors:
                    self.add_error(field, messages)
                elif field not in self.fields:
                    self.add_error(None, messages)

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("version", "requirements")}

    def apply_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names (or above the form)."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)

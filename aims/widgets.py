"""The requirement picker: every field that chooses clauses or Annex A controls draws one widget.

Without JavaScript it is a plain <select> (multiple where the field takes several) whose options are
grouped by clause and by Annex A control objective (<optgroup>). static/js/picker.js turns each
[data-picker] select into a search box over a grouped list of check boxes, kept in step with the select,
so the form posts exactly what the plain select would."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from aims.models import Requirement
from aims.models.catalogue import PRIMARY_STANDARD


class RequirementPicker(forms.SelectMultiple):
    """One widget for choosing one requirement or several (`multiple`)."""

    def __init__(self, attrs=None, choices=(), multiple=True):
        super().__init__({"data-picker": "requirements", **(attrs or {})}, choices)
        self.allow_multiple_selected = multiple
        if multiple:
            self.attrs.setdefault("size", 12)

    def value_from_datadict(self, data, files, name):
        if self.allow_multiple_selected:
            return super().value_from_datadict(data, files, name)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False if self.allow_multiple_selected else name not in data


def group_label(requirement, by_pk) -> str:
    """The heading a requirement is listed under: its clause ("4 Context of the organization") or its
    Annex A control objective ("A.6 AI system life cycle"); another standard's name leads its groups."""
    chain = [requirement]
    while chain[-1].parent_id in by_pk:
        chain.append(by_pk[chain[-1].parent_id])
    root = chain[-1]
    node = chain[-2] if root.kind == Requirement.Kind.ANNEX and len(chain) > 1 else root
    prefix = "" if node.standard.key == PRIMARY_STANDARD else f"{node.standard.name}: "
    return f"{prefix}{node.code} {node.title}"


def grouped(requirements, value=lambda r: r.pk, label=str) -> list:
    """[(group heading, [(value, label), ...]), ...] in the order given; two queries in all."""
    requirements = list(requirements)
    standards = {r.standard_id for r in requirements}
    by_pk = {r.pk: r for r in Requirement.objects.filter(standard__in=standards).select_related("standard")}
    groups: dict[str, list] = {}
    for requirement in requirements:
        heading = group_label(by_pk.get(requirement.pk, requirement), by_pk)
        groups.setdefault(heading, []).append((value(requirement), label(requirement)))
    return list(groups.items())


class ManyRecords(forms.SelectMultiple):
    """A multiple select of records (a list filter's AI systems), its options written out here: the HTML
    SelectMultiple's templates give, without a template per option -- 60 ms for the thousand AI systems
    a filter offers at volume, 3 ms written out. Grouped choices are left to SelectMultiple."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = [choice for choice in self.choices]  # list() would count them first: a query
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        chosen = {str(v) for v in self.format_value(value)}
        selected = mark_safe(" selected")
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            ((str(v), selected if str(v) in chosen else "", label) for v, label in choices),
        )
        final = {**self.build_attrs(self.attrs, attrs), "multiple": True}
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(final), options)

"""The form renderer writes the commonest widgets out in Python (aims/form_rendering.py): every widget it
draws must be byte for byte what Django's own templates draw, for every value they may hold, and every
field of every form and filter of the AIMS."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from aims import form_rendering
from aims.filters import RecordFilterSet
from aims.form_rendering import FormRenderer
from aims.models import User
from tests.base import defined_in_our_apps

STOCK, OURS = DjangoTemplates(), FormRenderer()

TRICKY = ['a "quoted" <b>&amp;</b> value', "l'été", mark_safe("<i>safe</i>"), "", "  spaced  ", "%s %d %%"]
ATTRS = [
    {},
    {"class": "wide", "required": True, "disabled": False, "maxlength": 200, "data-x": '"<&>"'},
    {"aria-describedby": mark_safe("id_<x>"), "size": 0, "pair": (1, 2), "empty": ""},
]
CHOICES = [
    [("", "---------"), ("low", "Low <1>"), ("high", mark_safe("<b>High</b>")), (3, gettext_lazy("Three"))],
    [
        ("Clause 4", [("4.1", "Context & issues"), ("4.2", "Parties")]),
        ("A.2", [("A.2.2", "Policy")]),
        ("x", "X"),
    ],
    [],
]


def _same(widget, name, value, attrs=None):
    ours = widget.render(name, value, attrs, OURS)
    assert ours == widget.render(name, value, attrs, STOCK), (type(widget).__name__, value, attrs)
    return ours


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize(
    "widget",
    [forms.TextInput, forms.NumberInput, forms.EmailInput, forms.URLInput, forms.HiddenInput, forms.SearchInput,
     forms.PasswordInput, forms.DateInput, forms.DateTimeInput, forms.TimeInput, forms.CheckboxInput,
     forms.Textarea, forms.ColorInput, forms.TelInput],
)  # fmt: skip
def test_inputs_and_textareas_are_drawn_as_the_templates_draw_them(widget, attrs):
    for value in [
        None,
        0,
        12,
        1.5,
        True,
        False,
        dt.date(2026, 12, 7),
        dt.datetime(2026, 12, 7, 9, 30),
        *TRICKY,
    ]:
        _same(widget(attrs=attrs), "field", value, {"id": "id_field"})
    assert (
        _same(forms.TextInput(), "title", 'a "b"')
        == '<input type="text" name="title" value="a &quot;b&quot;">'
    )


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("choices", CHOICES)
@pytest.mark.parametrize("widget", [forms.Select, forms.SelectMultiple, forms.NullBooleanSelect])
def test_selects_are_drawn_as_the_templates_draw_them(widget, choices, attrs):
    made = widget(attrs=attrs) if widget is forms.NullBooleanSelect else widget(attrs=attrs, choices=choices)
    lists = [] if widget is forms.NullBooleanSelect else [["low", "high"], ["4.1", "A.2.2"]]
    for value in [None, "", "low", 3, "3", *lists, True, "unknown", *TRICKY]:
        _same(made, "level", value, {"id": "id_level"})


def test_what_only_the_templates_can_draw_goes_to_them():
    # A label the template would localise (a number, a date), a value it would call: drawn by the
    # templates, as before, and the same.
    for choices in ([(1, 2026)], [("d", dt.date(2026, 12, 7))], [("g", [(1, "one")]), (5, [(2, "two")])]):
        _same(forms.Select(choices=choices), "n", 1)
    _same(forms.TextInput(), "n", lambda: "called")
    _same(forms.Textarea(), "n", lambda: "called")
    # Widgets it does not write out at all are the templates' own.
    for widget in (forms.CheckboxSelectMultiple(choices=[("a", "A")]), forms.RadioSelect(choices=[("a", "A")]),
                   forms.ClearableFileInput(), forms.SplitDateTimeWidget()):  # fmt: skip
        _same(widget, "w", None)
    assert form_rendering._WRITTEN  # the written ones are those the settings use
    assert isinstance(forms.Form().renderer, FormRenderer)


def _fields_drawn_alike(form) -> int:
    drawn = 0
    for name in form.fields:
        form.renderer = STOCK
        theirs = str(form[name])
        form.renderer = OURS
        assert str(form[name]) == theirs, f"{type(form).__name__}.{name}"
        drawn += 1
    return drawn


@pytest.mark.django_db
def test_every_field_of_every_form_and_filter_is_drawn_as_the_templates_draw_it(demo):
    manager = User.objects.get(username="manager")
    drawn, forms_drawn = 0, 0
    for form_class in sorted(
        defined_in_our_apps(forms.BaseForm), key=lambda c: f"{c.__module__}.{c.__name__}"
    ):
        model = getattr(getattr(form_class, "_meta", None), "model", None)
        if issubclass(form_class, forms.ModelForm) and model is None:
            continue  # a base every register's form builds on
        instance = model._default_manager.order_by("pk").first() if model is not None else None
        for kwargs in (
            {"user": manager, "instance": instance},
            {"instance": instance},
            {"user": manager},
            {},
        ):
            if instance is None:
                kwargs.pop("instance", None)
            try:
                form = form_class(**kwargs)
            except TypeError:  # a form needing what its own view gives it: built by its own tests
                continue
            drawn += _fields_drawn_alike(form)
            forms_drawn += 1
            break
    for filterset_class in defined_in_our_apps(RecordFilterSet):
        if filterset_class._meta.model is None:
            continue
        queryset = filterset_class._meta.model._default_manager.all()
        for data in (None, {"search": 'a "b" <c>', "archived": "true"}):
            drawn += _fields_drawn_alike(filterset_class(data, queryset=queryset).form)
            forms_drawn += 1
    assert forms_drawn > 60 and drawn > 500, (forms_drawn, drawn)

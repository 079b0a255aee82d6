"""The form renderer: Django's own, with its commonest widgets written out in Python.

Every list page draws its filters and every record's form its fields through Django's widget templates:
an <input> is three templates (text.html, input.html, attrs.html), a <select> one more for each option.
Drawing the AI system list's 14 filters that way was a fifth of the page's time, the risk list's 8 a
sixth. Here the text inputs (text, number, date, e-mail, URL, search, password, hidden, check box), the
textarea and the select are written out as those templates write them, byte for byte, escaping as they
escape; anything else -- another widget's template, a value the templates would localise or call -- is
left to the templates, as before. tests/aims/test_form_rendering.py holds every widget of every filter
and form of every register to the templates' own HTML."""

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
_INPUTS = ("text", "number", "date", "datetime", "time", "email", "url", "search", "tel", "color", "password",
           "hidden", "checkbox", "file")  # fmt: skip


class _Unwritten(Exception):
    """A value only the templates can draw as they would."""


class FormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: the widgets above written out, everything else through the templates."""

    def render(self, template_name, context, request=None):
        write = _WRITTEN.get(template_name)
        if write is not None and "widget" in context:
            try:
                return write(context["widget"])
            except _Unwritten:
                pass
        return super().render(template_name, context, request)


def _text(value) -> str:
    """{{ value }} for a string: escaped unless marked safe. Anything else the template would localise
    (a number, a date), so it is left to the template."""
    if type(value) is str or type(value) is SafeString:
        return conditional_escape(value)
    if isinstance(value, Promise):  # a lazy translation: the template makes it a plain string first
        return conditional_escape(str(value))
    raise _Unwritten


def _formatted(value) -> str:
    """{{ value|stringformat:'s' }}: the filter keeps a safe string safe (is_safe), then it is escaped."""
    if callable(value):  # the template would call it
        raise _Unwritten
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 - the stringformat filter's own operation, errors included
    except (ValueError, TypeError):
        text = ""
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" + ("" if value is True else f'="{_formatted(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget) -> str:
    """django/forms/widgets/input.html (and the templates that only include it)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'


def _textarea(widget) -> str:
    """django/forms/widgets/textarea.html."""
    value = widget["value"]
    if callable(value):
        raise _Unwritten
    text = _text(value) if value else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


def _select(widget) -> str:
    """django/forms/widgets/select.html, each option as select_option.html draws it."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != f"{WIDGETS}select_option.html":
                raise _Unwritten
            value, label = _formatted(option["value"]), _text(option["label"])
            parts.append(f'\n  <option value="{value}"{_attrs(option["attrs"])}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


_WRITTEN = {
    **{f"{WIDGETS}{name}.html": _input for name in (*_INPUTS, "input")},
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}select.html": _select,
}

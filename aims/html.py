"""HTML built in Python where a template's loop cost more than the page's queries (the SoA's table, the
risk list's rows): each value escaped exactly as `{{ value }}` escapes it with autoescape on."""

import html

from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.safestring import SafeData

_AUTOESCAPED = Context(autoescape=True)


def escaped(value) -> str:
    """`{{ value }}`: conditional_escape, without its cost per call (thousands a page). None is "None",
    as the template shows it."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


def shown(value) -> str:
    """`{{ value }}` of any value: text and HTML through escaped(); anything else (numbers, dates, lazy
    text) localised and escaped as the template does."""
    if isinstance(value, str | SafeData):
        return escaped(value)
    return render_value_in_context(value, _AUTOESCAPED)

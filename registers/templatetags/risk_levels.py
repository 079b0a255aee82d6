"""A risk level as the lists, the risk page and the criteria page draw it: a tag, not an included template,
because the risk list draws two per row and an include costs a template context each time."""

import functools

from django import template
from django.utils.safestring import mark_safe

from aims.html import escaped

register = template.Library()


@register.simple_tag
def level(band, score=None):
    """The band's badge with its score ("High · 12"), or a dash when the score has no band."""
    if not band:
        return mark_safe('<span class="muted">—</span>')
    return _badge(band.name, band.slug, band.colour, score)


@functools.lru_cache(maxsize=1024)
def _badge(name, slug, colour, score):
    """Two a row of the risk list, from a few bands and 25 scores: each drawn once per process, escaped
    here rather than through format_html."""
    shown = f"{escaped(name)} · {escaped(score)}" if score else escaped(name)
    return mark_safe(  # noqa: S308 - every value escaped above
        f'<span class="level level-{escaped(slug)}" data-colour="{escaped(colour)}">{shown}</span>'
    )

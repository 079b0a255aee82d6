"""A risk level as the lists, the risk page and the criteria page draw it: a tag, not an included template,
because the risk list draws two per row and an include costs a template context each time."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def level(band, score=None):
    """The band's badge with its score ("High · 12"), or a dash when the score has no band."""
    if not band:
        return format_html('<span class="muted">{}</span>', "—")
    shown = format_html("{} · {}", band.name, score) if score else band.name
    return format_html(
        '<span class="level level-{}" data-colour="{}">{}</span>', band.slug, band.colour, shown
    )

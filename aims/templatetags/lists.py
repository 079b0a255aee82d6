from django import template

register = template.Library()


@register.filter
def labelled(cells, headers):
    """A list row's cells as (column label, cell): at phone width each row is drawn as a card of
    "label: value" lines, which reads without the header row (records/list.html)."""
    return zip((label for label, _ in headers), cells, strict=False)

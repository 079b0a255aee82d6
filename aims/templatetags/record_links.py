"""Drawing other records on a register's own page template, as the viewer may see them (aims.links):

    {% load record_links %}
    {{ item.notes|as_links:page_links|linebreaksbr }}   references in a text made links
    {{ item.finding|as_links:page_links }}             a record, or a list of records, as links

`page_links` is the record page's aims.links.PageLinks; a register's `detail_context` returns what its
template draws this way under "linked", so the page asks about all of it at once."""

from django import template

register = template.Library()


@register.filter
def as_links(value, page_links):
    if page_links is None:
        return value
    return page_links.draw(value)

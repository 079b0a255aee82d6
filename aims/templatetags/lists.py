"""The shared register list's rows ({% record_rows %}, records/list.html), drawn in Python.

A register's list page shows up to 200 records, each a row of links and cells; drawn by the template's
loop, the rows were half of an AI system list page drawn afresh (every `{{ }}` a lookup through the
context, a conditional escape, a localisation) and more than all its queries. Here each row is built in
Python, each value rendered as `{{ value }}` renders it, so the HTML is the one the loop drew:
tests/aims/test_record_rows.py holds the two to the same text for every register's list."""

from django import template
from django.utils.safestring import mark_safe

from aims.html import escaped, shown

register = template.Library()

ARCHIVED_BADGE = ' <span class="badge badge-archived">Archived</span>'


@register.simple_tag
def record_rows(rows, headers):
    """Each (record, cells) of `rows` as the table's <tr>: the reference and the first cell link to the
    record; each later cell carries its column's label (`headers`: (label, sort key)), so that at phone
    width each row reads as a card of "label: value" lines; "—" when empty."""
    labels = [escaped(label) for label, _ in headers]
    return mark_safe("".join(_row(record, cells, labels) for record, cells in rows))  # noqa: S308 - escaped


def _row(record, cells, labels) -> str:
    url = escaped(record.get_absolute_url())
    archived = record.is_archived
    drawn = [
        f'\n      <td class="nowrap card-ref"><a href="{url}">{escaped(record.reference)}</a>'
        f"{ARCHIVED_BADGE if archived else ''}</td>\n      "
    ]
    for n, (label, cell) in enumerate(zip(labels, cells, strict=False)):
        if n == 0:
            drawn.append(f'<td class="card-title"><a href="{url}">{shown(cell)}</a></td>')
        else:
            drawn.append(f'<td data-label="{label}">{shown(cell if cell else "—")}</td>')
    opened = '<tr class="archived">' if archived else "<tr>"
    return f"\n    {opened}{''.join(drawn)}\n    </tr>\n  "


@register.simple_tag(takes_context=True)
def sort_header(context, key, label):
    """A sortable column's <th>: a link ordering by `key` (descending when it already orders by it), and
    which way it is sorted now. A tag, not an included template: a list draws up to nine, and an include
    costs a template context each."""
    current, querystring = context.get("current_ordering", ""), context.get("sort_querystring", "")
    ascending, descending = current == key, current == f"-{key}"
    sort = ' aria-sort="ascending"' if ascending else ' aria-sort="descending"' if descending else ""
    arrow = " ▲" if ascending else " ▼" if descending else ""
    link = f"?{escaped(querystring)}{'&' if querystring else ''}ordering={'-' if ascending else ''}{escaped(key)}"
    return mark_safe(f'<th scope="col"{sort}><a href="{link}">{escaped(label)}{arrow}</a></th>')  # noqa: S308

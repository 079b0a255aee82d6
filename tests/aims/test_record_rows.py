"""The shared register list's rows drawn in Python ({% record_rows %}, aims/templatetags/lists.py) are the
HTML the template's loop drew, character for character: for every kind of cell (text to escape, HTML a
register built, links, numbers, dates, empty values, lazy text) and every register's list of the demo."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from aims.registry import registry
from tests.base import client_for

# The loop records/list.html drew its rows with before the tag, kept here as the reference.
LOOP = """  {% for record, cells in rows %}
    <tr{% if record.is_archived %} class="archived"{% endif %}>
      <td class="nowrap card-ref"><a href="{{ record.get_absolute_url }}">{{ record.reference }}</a>{% if record.is_archived %} <span class="badge badge-archived">Archived</span>{% endif %}</td>
      {% for label, cell in cells %}{% if forloop.first %}<td class="card-title"><a href="{{ record.get_absolute_url }}">{{ cell }}</a></td>{% else %}<td data-label="{{ label }}">{{ cell|default:"—" }}</td>{% endif %}{% endfor %}
    </tr>
  {% endfor %}
"""
TAG = "{% load lists %}  {% record_rows rows headers %}\n"


class Record:
    def __init__(self, reference, archived=False):
        self.reference, self.is_archived = reference, archived

    def get_absolute_url(self):
        return f"/things/{self.reference}/?a=1&b=<2>"


def both(rows, headers) -> tuple[str, str]:
    # The loop's `cells|labelled:headers` filter, applied here: (column label, cell) of each row.
    labelled = [(record, zip((label for label, _ in headers), cells, strict=False)) for record, cells in rows]
    by_loop = Template(LOOP).render(Context({"rows": labelled}))
    return by_loop, Template(TAG).render(Context({"rows": rows, "headers": headers}))


def test_every_kind_of_cell_is_drawn_as_the_loop_drew_it():
    headers = [("Title", "title"), ("Owner <role>", None), ("Score", "score"), ("Due", None), ("Links", None),
               ("Flag", None), ("Kind", None), ("Empty", None)]  # fmt: skip
    rows = [
        (
            Record("AIS-001"),
            [
                "Quotes \"and\" <tags> & 'apostrophes'",
                "Ada & co",
                0,
                "2026-12-07",
                mark_safe('<a href="/x/">RSK-0001</a>'),
                True,
                gettext_lazy("Machine learning"),
                "",
            ],
        ),  # fmt: skip
        (
            Record("AIS-002", archived=True),
            [None, None, 12, dt.date(2026, 1, 2), [], False, Decimal("1.50"), 2.5],
        ),
        (Record("AIS-<3>"), [7, "", 1234567, "", None, 0.0, mark_safe("<b>bold</b>"), dt.date(2027, 5, 6)]),
        (Record("AIS-004"), ["Fewer cells than headers"]),
        (Record("AIS-005"), []),
    ]
    by_loop, by_tag = both(rows, headers)
    assert by_tag == by_loop
    for drawn in ('class="archived"', "Archived</span>", "&#x27;apostrophes&#x27;", "—", "1234567", "1.50",
                  '<a href="/x/">RSK-0001</a>', 'data-label="Owner &lt;role&gt;"', "AIS-&lt;3&gt;", "None"):  # fmt: skip
        assert drawn in by_tag, drawn  # every kind was drawn


@pytest.mark.django_db
def test_every_registers_list_of_the_demo_draws_the_rows_the_loop_drew(demo):
    from aims.models import User

    manager = User.objects.get(username="manager")
    client = client_for(manager)
    compared = 0
    for info in registry.registers:
        try:
            url = reverse(info.model.url_name("list"))
        except NoReverseMatch:
            continue
        response = client.get(url, {"page_size": 200})
        assert response.status_code == 200, url
        if "records/list.html" not in [t.name for t in response.templates]:
            continue  # a register with a list of its own (the risk register's, tested in its module)
        rows, headers = response.context["rows"], response.context["headers"]
        by_loop, by_tag = both(rows, headers)
        assert by_tag == by_loop, url
        assert by_tag.strip() in response.content.decode(), url
        compared += bool(rows)
    assert compared >= 10  # the demo fills most registers: their lists were compared row by row


# The template the lists included for each sortable column before the tag, kept as the reference.
SORT_HEADER = (
    '<th scope="col"{% if current_ordering == key %} aria-sort="ascending"{% elif current_ordering == "-"|add:key %}'
    ' aria-sort="descending"{% endif %}><a href="?{{ sort_querystring }}{% if sort_querystring %}&{% endif %}'
    'ordering={% if current_ordering == key %}-{% endif %}{{ key }}">{{ label }}{% if current_ordering == key %}'
    ' ▲{% elif current_ordering == "-"|add:key %} ▼{% endif %}</a></th>'
)


@pytest.mark.parametrize("ordering", ["", "title", "-title", "status", "-reference"])
@pytest.mark.parametrize("querystring", ["", 'status=open&q=<a "b">', "level=high"])
def test_a_sortable_header_is_drawn_as_the_included_template_drew_it(ordering, querystring):
    context = {"current_ordering": ordering, "sort_querystring": querystring}
    for key, label in (("title", "Title"), ("reference", "Ref"), ("status", "Status & <stage>")):
        included = Template(SORT_HEADER).render(Context({**context, "key": key, "label": label}))
        tag = Template("{% load lists %}{% sort_header key label %}").render(
            Context({**context, "key": key, "label": label})
        )
        assert tag == included

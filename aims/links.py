"""Links to other records, drawn as the person looking may see them (DESIGN.md "How the records connect":
every related record shown on a page is a link, and the link exists in both directions).

What every page that names other records shares:

- `PageLinks`, for one viewer and one page: which of the records the page names the viewer may open
  (one query per register, however many records), and which references written in its texts (a
  description saying "see RSK-0004", a question about SYS-0002) name a record the viewer may open (one
  query per kind of reference). `draw(value)` turns a record, a list of records or a text into HTML: a
  record the viewer may open is a link with its reference and title; one they may not is "a record you
  may not see", never its reference or title; a reference in a text is a link where the viewer may open
  the record, and stays the text the author wrote where they may not.
- `Related`: the records related to a register's record -- an audit's findings, the nonconformities
  raised from them, the lessons drawn from it -- declared on the register (`Register.related`) or, by a
  later app on an earlier app's records, through `registry.add_related`, and drawn by one partial
  (templates/partials/related_records.html) on the record's page."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe

from aims.models import BaseRecord, Requirement
from aims.permissions import restrict
from aims.registry import registry
from aims.together import together, totals

HIDDEN = "a record you may not see"
# A reference as the base record draws them: 2 to 6 capitals, a dash, at least four digits (RSK-0042).
REFERENCE = re.compile(r"\b([A-Z]{2,6})-(\d{4,9})\b")
# Stands for a reference in a reversed URL (letters and a dash: nothing to quote), replaced after.
PLACEHOLDER = "REF-PLACEHOLDER"


def is_record(value) -> bool:
    return isinstance(value, BaseRecord)


def is_record_model(model) -> bool:
    return isinstance(model, type) and issubclass(model, BaseRecord)


def _records_in(value) -> list:
    if is_record(value):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if is_record(v)]
    return []


class PageLinks:
    """The links one page draws for one viewer. Tell it what the page shows (`learn`) before drawing:
    the questions -- one per register (records) and per reference prefix (texts) -- are asked together in
    one query, with the page's own reads when it has some left (`ask`), and once however often the page
    draws the same record."""

    def __init__(self, user):
        self.user = user
        self._asked: dict[type, set] = {}  # model -> pks asked about
        self._visible: dict[type, set] = {}  # model -> pks the viewer may open
        self._refs_asked: set[str] = set()
        self._ref_urls: dict[str, str] = {}  # reference -> URL, for the references the viewer may open
        self._pending: list[tuple] = []  # (what to do with the rows, queryset): questions not asked yet

    # -- asking ---------------------------------------------------------------------------------------
    def learn(self, values: Iterable = (), texts: Iterable[str] = (), *, now: bool = True) -> "PageLinks":
        """Find out which of these records, lists of records and references in `texts` (and in the
        titles of the records) the viewer may open: now, or (`now=False`) with the page's next read
        (`ask`), at the latest before anything is drawn."""
        wanted: dict[type, set] = {}
        titles = []
        for value in values:
            for record in _records_in(value):
                model = record._meta.model
                if record.pk not in self._asked.get(model, ()):
                    wanted.setdefault(model, set()).add(record.pk)
                titles.append(record.title)
        for model, pks in wanted.items():
            seen = restrict(model.objects.filter(pk__in=pks), self.user, "view").values_list("pk", flat=True)
            self._pending.append((self._visible.setdefault(model, set()).update, seen))
            self._asked.setdefault(model, set()).update(pks)
        self._learn_references([*texts, *titles])
        if now:
            self.ask()
        return self

    def ask(self, *querysets) -> list:
        """Every question not asked yet, in one query (aims.together) with `querysets`, the page's own
        reads that the same round trip can carry; returns the rows of `querysets`."""
        pending, self._pending = self._pending, []
        found = together(*(question for _, question in pending), *querysets)
        for (take, _), rows in zip(pending, found, strict=False):
            take(rows)
        return found[len(pending) :]

    def _learn_references(self, texts) -> None:
        by_prefix: dict[str, set[str]] = {}
        for text in texts:
            for prefix, number in REFERENCE.findall(str(text or "")):
                reference = f"{prefix}-{number}"
                if reference not in self._refs_asked:
                    by_prefix.setdefault(prefix, set()).add(reference)
        if not by_prefix:
            return
        models = {info.model.reference_prefix: info.model for info in registry.registers}
        for prefix, references in by_prefix.items():
            self._refs_asked |= references
            model = models.get(prefix)
            if model is None:  # PROC-2024-117, a supplier's contract number: no register of ours
                continue
            visible = restrict(model.objects.filter(reference__in=references), self.user, "view")
            # One reverse() per register, not per reference: a gate's text can name hundreds of risks.
            url = reverse(model.url_name("detail"), args=[PLACEHOLDER])
            self._pending.append((partial(self._link_to, url), visible.values_list("reference", flat=True)))

    def _link_to(self, url: str, references) -> None:
        self._ref_urls.update({reference: url.replace(PLACEHOLDER, reference) for reference in references})

    def known(self, records: Iterable) -> "PageLinks":
        """Records the viewer may open, read through restrict(view) already (the page's own record, its
        related records): nothing is asked of them, but of the references in their titles."""
        records = list(records)
        for record in records:
            model = record._meta.model
            self._asked.setdefault(model, set()).add(record.pk)
            self._visible.setdefault(model, set()).add(record.pk)
            self._refs_asked.add(record.reference)
            self._ref_urls[record.reference] = record.get_absolute_url()
        self._learn_references([record.title for record in records])
        return self

    def sees(self, record) -> bool:
        model = record._meta.model
        if record.pk not in self._asked.get(model, ()):
            self.learn([record])
        elif self._pending:
            self.ask()
        return record.pk in self._visible.get(model, ())

    # -- drawing --------------------------------------------------------------------------------------
    def text(self, text) -> SafeString:
        """`text`, escaped, with each reference the viewer may open made a link."""
        text = "" if text is None else str(text)
        if not REFERENCE.search(text):
            return escape(text)
        self._learn_references([text])
        if self._pending:
            self.ask()
        parts, last = [], 0
        for match in REFERENCE.finditer(text):
            url = self._ref_urls.get(match.group(0))
            if url is None:
                continue
            parts += [
                escape(text[last : match.start()]),
                format_html('<a href="{}">{}</a>', url, match.group(0)),
            ]
            last = match.end()
        parts.append(escape(text[last:]))
        return mark_safe("".join(parts))  # every part is escaped or built by format_html

    def record(self, record, *, title: bool = True) -> SafeString:
        """A link to `record` with its reference (and title), or "a record you may not see"."""
        if not self.sees(record):
            return format_html('<span class="muted">{}</span>', HIDDEN)
        link = format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.reference)
        return format_html("{} {}", link, self.text(record.title)) if title else link

    def draw(self, value, *, separator: str = "<br>"):
        """A record or a list of records as links, any other value as text with its references linked;
        an empty value stays empty (so a template's `default` still applies)."""
        if is_record(value):
            return self.record(value)
        if isinstance(value, list | tuple) and value and all(is_record(v) for v in value):
            return mark_safe(separator.join(self.record(v) for v in value))  # each link is built escaped
        if isinstance(value, list | tuple) and not value:
            return ""
        if not isinstance(value, str) or isinstance(value, SafeData) or not value:
            return value  # a number, a date, HTML a register built itself: as it is
        return self.text(value)


def field_value(record, name: str):
    """A field as a record page shows it: the record or records it links to (for `PageLinks.draw`), or
    its text."""
    from aims.records import display_value

    try:
        field = record._meta.get_field(name)
    except FieldDoesNotExist:  # a property: its value as it is
        return str(getattr(record, name, "") or "")
    if field.is_relation and is_record_model(field.related_model):
        return list(getattr(record, name).all()) if field.many_to_many else (getattr(record, name) or "")
    if field.is_relation and field.related_model is Requirement:
        if field.many_to_many:  # codes only: a record may serve many clauses and controls
            linked = sorted(getattr(record, name).all(), key=lambda r: r.position)
            return mark_safe(", ".join(requirement_link(r, title=False) for r in linked))
        requirement = getattr(record, name)
        return requirement_link(requirement) if requirement else ""
    return display_value(record, field)


def requirement_link(requirement, *, title: bool = True) -> SafeString:
    """A clause or control as a link to its catalogue page, where every record mapped to it is listed:
    the catalogue is public to every role, so nothing is hidden."""
    link = format_html('<a href="{}">{}</a>', requirement.get_absolute_url(), requirement.code)
    return format_html("{} {}", link, requirement.title) if title else link


def linked_sections(links: PageLinks, record, fieldsets, label: Callable) -> list:
    """A record page's fieldsets [(heading, [field names])] as [(heading, [(label, HTML)])], the records
    they link to as links, references in their texts (and in the record's title) linked. Drawn when the
    page is: what they ask is asked with the page's next read (PageLinks.ask), its related records'."""
    raw = [
        (heading, [(label(name), field_value(record, name)) for name in names])
        for heading, names in fieldsets
    ]
    values = [value for _, items in raw for _, value in items]
    links.learn(values, texts=[record.title, *(v for v in values if isinstance(v, str))], now=False)
    return SimpleLazyObject(
        lambda: [(heading, [(name, links.draw(value)) for name, value in items]) for heading, items in raw]
    )


def linked_rows(links: PageLinks, rows: list) -> list:
    """A list page's rows [(record, cells)]: the first cell links to the row's record (the template draws
    it), every other cell is drawn by `links`."""
    cells = [v for _, row in rows for v in row[1:]]
    # HTML a register built itself (SafeData) is drawn as it is: its references are not asked about.
    links.learn(cells, texts=[v for v in cells if isinstance(v, str) and not isinstance(v, SafeData)])
    return [(record, [row[0], *map(links.draw, row[1:])]) for record, row in rows]


# -- related records -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Related:
    """Records related to a register's record, shown on its page as links.

    `records(record)` returns a queryset of them (a related manager's queryset, or a filter on another
    register); `detail(related)` a few words after each (grade, status: shown only to those who may open
    it); `empty` the words shown when there are none (else the group is left out)."""

    label: str
    records: Callable
    detail: Callable | None = None
    empty: str = ""
    limit: int = 50
    more_url: Callable | None = None  # more_url(record): the list of them all, when they do not fit


@dataclass
class RelatedGroup:
    label: str
    items: list  # [(link, detail)]
    more: int = 0
    empty: str = ""
    count: int = 0  # all of them, those shown and the rest
    more_url: str = ""


def related_of(relation: Related, record, user):
    """The records of `relation` related to `record` that `user` may see (restrict(view)): a record they
    may not open is left out of the group and of its count, never named (a confidential piece of
    evidence, someone else's concern). The system page and its dossier both ask this."""
    return restrict(relation.records(record), user, "view")


def related_groups(relations: Iterable[Related], record, links: PageLinks) -> list[RelatedGroup]:
    """The related records of `record` the viewer may see, grouped as declared: every group's first rows
    and its size in one query (aims.together), with what the page has left to ask (PageLinks.ask). They
    are read through restrict(view), so the viewer may open each of them (PageLinks.known)."""
    relations = list(relations)
    groups = [related_of(r, record, links.user) for r in relations]
    found = links.ask(
        *(rows[: r.limit + 1] for r, rows in zip(relations, groups, strict=True)), *map(_count, groups)
    )
    fetched, sizes = found[: len(relations)], found[len(relations) :]
    links.known(row for rows in fetched for row in rows)
    drawn = []
    for relation, rows, size in zip(relations, fetched, sizes, strict=True):
        shown = rows[: relation.limit]
        if not shown and not relation.empty:
            continue
        items = [(links.record(row), relation.detail(row) if relation.detail else "") for row in shown]
        count = size[0]["n"]
        more_url = relation.more_url(record) if count > len(shown) and relation.more_url else ""
        drawn.append(RelatedGroup(relation.label, items, count - len(shown), relation.empty, count, more_url))
    return drawn


def _count(rows):
    """How many rows a group holds: counted as they are, or by key when they are grouped (an annotated
    count of harms) or DISTINCT. Not a window on the first rows: it would walk every row of a system's
    10,000 risks where the index stops at the 11th; a count of a few rows costs an index probe."""
    if rows.query.distinct or rows.query.group_by is not None:
        rows = rows.model._base_manager.filter(pk__in=rows.values("pk"))
    return totals(rows, n=Count("pk"))


def relations_for(model) -> list[Related]:
    """What a register declares on its own records, then what later apps add (registry.add_related)."""
    info = registry.register_for(model)
    own = list(getattr(getattr(info, "register", None), "related", ()) or ())
    return [*own, *registry.related_for(model)]

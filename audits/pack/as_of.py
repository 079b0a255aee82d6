"""Records as they were at a moment, rebuilt from their history (aims.models.Change).

Every change stores, per field, the old and new value as display strings (aims.records.snapshot). Taking
a record's current snapshot and undoing, newest first, every change made after the moment gives the
snapshot it had then. A record created after the moment did not exist yet; one whose archive state at
the moment was "archived" is left out, as a live register would have left it out.

Chunked: records are read `chunk_size` at a time and their later changes fetched in one query per chunk,
so memory stays flat whatever the register holds. Their many-to-many links (clauses and controls, AI
systems, people) are read per chunk too, as the display values history keeps (aims.records.display_value:
codes, or the linked records' names, sorted): two small queries a field, where prefetch_related made a
queryset and a related manager for every record and every field, a third of the time of a whole pass."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import OuterRef, Subquery

from aims.models import Change
from aims.records import display_value, display_value_dt, tracked_fields

ARCHIVED = "archived_at"  # the field name archive/restore write into history
CHUNK_SIZE = 500  # records held at once: what bounds a pack's memory, whatever the register holds


@dataclass
class RecordAsOf:
    record: object  # the model instance, as it is now (for its reference, model and ids)
    values: dict[str, str]  # field name -> display value at the moment
    version: int  # the record's version at the moment

    @property
    def requirement_codes(self) -> list[str]:
        text = self.values.get("requirements", "")
        return [code for code in text.split(", ") if code]


def roll_back(values: dict[str, str], changes: Iterable[Change], version: int) -> tuple[dict[str, str], int]:
    """Undo `changes` (newest first) on a copy of `values`; return the values and version before them."""
    values = dict(values)
    for change in changes:
        for entry in change.changes:
            values[entry["field"]] = entry.get("old", "")
        version = min(version, change.version - 1) if change.action != Change.Action.CREATED else version
    return values, max(version, 1)


def changes_after(model, ids: list[int], moment: dt.datetime) -> dict[int, list[Change]]:
    """Each record's changes made after `moment`, newest first: one query for the whole chunk."""
    found: dict[int, list[Change]] = defaultdict(list)
    if not ids:
        return found
    rows = Change.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=ids, at__gt=moment
    ).order_by("-at", "-id")
    for change in rows.only("object_id", "version", "action", "changes", "at"):
        found[change.object_id].append(change)
    return found


@cache
def _fields(model) -> tuple:
    return tuple(tracked_fields(model))


def current_values(record, links: dict[str, dict[int, str]] | None = None) -> dict[str, str]:
    """The record's snapshot now (aims.records.snapshot, field for field and in its order), its
    many-to-many fields read from `links` (see `_links`) when given."""
    values = {}
    for field in _fields(type(record)):
        if links is not None and field.many_to_many:
            values[field.name] = links[field.name].get(record.pk, "")
        else:
            values[field.name] = display_value(record, field)
    values[ARCHIVED] = display_value_dt(record.archived_at)
    return values


def _links(model, ids: list[int]) -> dict[str, dict[int, str]]:
    """Per many-to-many field, each record's links as display_value shows them: the linked records' codes
    (clauses and controls) or names, sorted and joined. The targets come through their model's default
    manager, as `record.field.all()` would have them."""
    found: dict[str, dict[int, str]] = {}
    for field in _fields(model):
        if not field.many_to_many:
            continue
        through = field.remote_field.through._meta
        source = through.get_field(field.m2m_field_name()).attname
        target = through.get_field(field.m2m_reverse_field_name())
        links = through.model.objects.filter(**{f"{source}__in": ids})
        each: dict[int, list[str]] = defaultdict(list)
        if _shown_by_code(field.related_model):  # clauses and controls: their codes, in the same query
            for record_id, code in links.values_list(source, f"{target.name}__code"):
                each[record_id].append(str(code))
        else:
            pairs = list(links.values_list(source, target.attname))
            targets = field.related_model._default_manager.filter(pk__in={t for _, t in pairs})
            shown = {item.pk: str(getattr(item, "code", item)) for item in targets}
            for record_id, target_id in pairs:
                if target_id in shown:
                    each[record_id].append(shown[target_id])
        found[field.name] = {record_id: ", ".join(sorted(names)) for record_id, names in each.items()}
    return found


@cache
def _shown_by_code(model) -> bool:
    """Whether display_value shows a link to `model` by a `code` column that a join can read: a concrete
    field named code, and a default manager that filters nothing out (as `.all()` would)."""
    has_code = any(f.name == "code" for f in model._meta.concrete_fields)
    return has_code and not model._default_manager.all().query.has_filters()


def _with_relations(queryset):
    """Snapshots read every tracked foreign key: load them with the rows, not one query per record (the
    many-to-many fields are read per chunk, `_links`)."""
    related = [f.name for f in _fields(queryset.model) if f.many_to_one or f.one_to_one]
    return queryset.select_related(*related)


@contextmanager
def every_row_read():
    """While a pack is built: PostgreSQL plans each query read through a cursor (QuerySet.iterator, as
    records_as_of reads) for the first tenth of its rows (cursor_tuple_fraction), so a folder's query
    walked a register's whole reference index to return its first rows soon, 60 ms where 8 ms will do.
    A pack reads every row it asks for: the queries are planned for all of them until it is built."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('cursor_tuple_fraction', '1.0', false)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")


def records_as_of(
    queryset, moment: dt.datetime | None = None, *, chunk_size: int | None = None
) -> Iterator[RecordAsOf]:
    """The records of `queryset` that existed and were not archived at `moment` (None: now), each with
    its field values as they were then. The queryset is narrowed by the caller (permissions first)."""
    chunk_size = chunk_size or CHUNK_SIZE
    queryset = _with_relations(queryset)
    if moment is None:
        queryset = queryset.filter(archived_at__isnull=True)
    else:
        queryset = queryset.filter(created_at__lte=moment)
    chunk: list = []
    for record in queryset.iterator(chunk_size=chunk_size):
        chunk.append(record)
        if len(chunk) >= chunk_size:
            yield from _chunk_as_of(queryset.model, chunk, moment)
            chunk = []
    yield from _chunk_as_of(queryset.model, chunk, moment)


def _chunk_as_of(model, records: list, moment: dt.datetime | None) -> Iterator[RecordAsOf]:
    if not records:
        return
    ids = [r.pk for r in records]
    links = _links(model, ids)
    if moment is None:
        for record in records:
            yield RecordAsOf(record, current_values(record, links), record.version)
        return
    later = changes_after(model, ids, moment)
    for record in records:
        values, version = roll_back(current_values(record, links), later.get(record.pk, ()), record.version)
        if values.get(ARCHIVED):
            continue  # archived at the moment: out of the register then
        yield RecordAsOf(record, values, version)


def ids_with_requirement_changes(model, moment: dt.datetime | None) -> set[int]:
    """Records whose clause and control links changed after `moment`: their current links may not be
    the ones they had then, so a selection by requirement must consider them too."""
    if moment is None:
        return set()
    rows = Change.objects.filter(content_type=ContentType.objects.get_for_model(model), at__gt=moment)
    return {
        object_id
        for object_id, changes in rows.values_list("object_id", "changes").iterator(chunk_size=2000)
        if any(entry.get("field") == "requirements" for entry in changes)
    }


def files_as_of(evidence_ids: list[int], moment: dt.datetime | None) -> dict:
    """evidence id -> the EvidenceFile current at `moment` (the newest uploaded by then)."""
    from audits.models import EvidenceFile

    files = EvidenceFile.objects.filter(evidence_id__in=evidence_ids)
    if moment is not None:
        files = files.filter(uploaded_at__lte=moment)
    newest = files.filter(evidence=OuterRef("evidence")).order_by("-number").values("number")[:1]
    return {f.evidence_id: f for f in files.filter(number=Subquery(newest))}

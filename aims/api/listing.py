"""What a page of a register's list fetches besides its rows, in as little time as PostgreSQL and Django
allow: the people it names, and the records and clauses it links to.

People (owner, created_by, updated_by, accepted_by ...) come in one query once the page is known, not
joined into the page's query: PostgreSQL plans a query in time that grows steeply with its joins, and with
four joins to the user table besides the register's own links, planning the risk list's page took some
3.5 ms, ten times running it (EXPLAIN ANALYZE, 100,000 risks). Naming the page's few people by id costs a
few hundredths of a millisecond, whatever the page size; each record then holds its people exactly as
select_related would have left them, so nothing reads them lazily.

Many-to-many links shown as a list of references or codes (the serializer's link fields) are fetched
into a plain list on each record (read by aims.api.representation), not into a queryset per record:
Django builds and filters one queryset per record and link otherwise, which cost more than the query. Only
the columns the link field shows are read (the key and the reference or code), in one query per link from
the link's own table, ordered as the linked model orders itself.

Both queries name the page's records by id, and their SQL depends on nothing else but how many there are.
So it is compiled once per process for each count (a page holds at most its size), and run with the
page's ids: Django's prefetch machinery, building and compiling these queries afresh for each page, cost
about 1.6 ms a link on the risk list -- four times running them. On PostgreSQL the people and every link
go in one round trip (together_by_ids, each read a JSON part of one statement): the risk list's three
reads took 0.8 ms in three trips, and the page 8 % less in one."""

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Prefetch
from rest_framework import relations

from aims import statements
from aims.together import Compiled, record_maker

from .fields import RecordLinkField, VisibleRecordLinks
from .representation import link_attr

# Link fields that read nothing of a linked record but its key and the slug they show.
_SLUG_ONLY = (relations.SlugRelatedField.to_representation, RecordLinkField.to_representation)
_LIST_OF = (relations.ManyRelatedField.to_representation, VisibleRecordLinks.to_representation)


def split_people(model, names) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`names` (select_related) as (still joined, people): people are the record's own links to a user."""
    user = get_user_model()
    people = tuple(
        name
        for name in names
        if "__" not in name
        and (field := model._meta.get_field(name)).many_to_one
        and field.related_model is user
    )
    return tuple(n for n in names if n not in people), people


def attach(records, people, links: dict[str, tuple[str, ...]]) -> None:
    """Leave on `records` (a page) the people `people` names, each as select_related would, and, as a plain
    list on each record, the records each many-to-many link of `links` holds, reading only the given
    columns (see the module's doc): on PostgreSQL in one round trip for all of them (together_by_ids)."""
    if not records:
        return
    reads = [read for read in (_people_read(records, people), *_link_reads(records, links)) if read]
    found = dict(
        zip((key for key, _, _, _ in reads), together_by_ids(records[0]._state.db, reads), strict=True)
    )
    for key, _, _, apply in reads:
        apply(found[key])


def _people_read(records, names):
    if not names:
        return None
    model = type(records[0])
    links = [model._meta.get_field(name) for name in names]
    ids = sorted({getattr(record, link.attname) for record in records for link in links} - {None})
    user = get_user_model()
    columns = [field.attname for field in user._meta.concrete_fields]
    db = records[0]._state.db

    def people(ids):
        return user._base_manager.filter(pk__in=ids).values_list(*columns)

    def apply(rows):
        found = {person.pk: person for person in (user.from_db(db, columns, row) for row in rows)}
        for record in records:
            for link in links:
                person_id = getattr(record, link.attname)
                if person_id is None or person_id in found:
                    link.set_cached_value(record, found.get(person_id))

    return ("people", user), people, ids, apply


def link_columns(serializer_class, names) -> dict[str, tuple[str, ...] | None]:
    """Of the many-to-many `names` (prefetch_related), those the serializer shows through a link field of
    its own name, each with the only columns that field reads (None: it may read any)."""
    model = serializer_class.Meta.model
    shown = serializer_class().fields
    found = {}
    for name in names:
        field = shown.get(name)
        if "__" in name or any(other.startswith(f"{name}__") for other in names):
            continue  # a deeper lookup goes through it: Django needs its queryset per record
        if not _is_many_to_many(model, name) or not isinstance(field, relations.ManyRelatedField):
            continue
        if field.source != name or type(field).get_attribute is not relations.ManyRelatedField.get_attribute:
            continue
        child = field.child_relation
        slug = getattr(child, "slug_field", None)
        columns = None
        if type(field).to_representation in _LIST_OF and type(child).to_representation in _SLUG_ONLY:
            if slug and "__" not in slug:
                columns = (model._meta.get_field(name).related_model._meta.pk.name, slug)
        found[name] = columns
    return found


def fetched_by_id(model, name: str, columns) -> bool:
    """Whether attach fetches the link `name` with these `columns`: the linked model's rows all
    (its default manager filters nothing), ordered by its fields (not by an expression), keyed by an
    integer, as are the records linking to it."""
    if columns is None:
        return False
    related = model._meta.get_field(name).related_model
    return (
        not related._default_manager.all().query.where
        and all(isinstance(order, str) for order in related._meta.ordering)
        and _integer_keys(model)
        and _integer_keys(related)
    )


def _link_reads(records, links: dict[str, tuple[str, ...]]):
    model = type(records[0])
    ids = [record.pk for record in records]
    for name, columns in links.items():
        yield (
            ("links", model, name),
            _link_rows(model, name, columns),
            ids,
            _link_apply(records, name, columns),
        )


def _link_apply(records, name: str, columns):
    model, db = type(records[0]), records[0]._state.db
    related = model._meta.get_field(name).related_model
    attnames = [related._meta.get_field(column).attname for column in columns]

    def apply(rows):
        found = {record.pk: [] for record in records}
        make = record_maker(related)
        made = {}  # one record for each one linked, however many rows of the page link to it
        for source, *values in rows:
            key = tuple(values)
            record = made.get(key) or made.setdefault(key, make(db, attnames, values))
            found[source].append(record)
        attr = link_attr(name)
        for record in records:
            setattr(record, attr, found[record.pk])

    return apply


def _link_rows(model, name: str, columns):
    """A builder of the link's rows for some records' ids: (record id, *columns of the linked record)."""
    field = model._meta.get_field(name)
    through, related = field.remote_field.through, field.related_model
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    ordering = [
        f"-{target}__{order[1:]}" if order.startswith("-") else f"{target}__{order}"
        for order in related._meta.ordering
    ]

    def rows(ids):
        return (
            through._base_manager.filter(**{f"{source}__in": ids})
            .values_list(source, *(f"{target}__{column}" for column in columns))
            .order_by(*ordering)
        )

    return rows


_STATEMENTS: dict = {}
KEPT_STATEMENTS = 500  # statements a process keeps; past it, it starts again


def by_ids(db: str, key, build, ids) -> list[tuple]:
    """The rows of `build(ids)`, a values_list() queryset whose SQL depends on nothing but how many `ids`
    it is given, each a parameter of its own (`pk__in=ids`): compiled once per process for `key` and that
    number, then run with these ids. A build that does not compile that way (an id missing from the
    parameters, or there twice) is built and run every time instead, as it would be without this."""
    if not ids:
        return []
    found_key = (db, key, len(ids))
    if found_key not in _STATEMENTS:
        if len(_STATEMENTS) >= KEPT_STATEMENTS:
            _STATEMENTS.clear()
        _STATEMENTS[found_key] = _compile(db, build, len(ids))
    statement = _STATEMENTS[found_key]
    if statement is None:
        return list(build(ids).using(db))
    sql, params, slots = statement
    params = list(params)
    for slot, value in zip(slots, ids, strict=True):
        params[slot] = value
    with connections[db].cursor() as cursor:
        statements.execute(connections[db], cursor, sql, params)
        return cursor.fetchall()


def together_by_ids(db: str, reads) -> list[list[tuple]]:
    """by_ids() for each of `reads` ((key, build, ids, ...) each), in one round trip on PostgreSQL: each
    read one JSON part of a single statement (aims.together), compiled once per process for their keys
    and id counts. Elsewhere, or where a read does not compile that way, each is by_ids()."""
    asked = [(key, build, ids) for key, build, ids, *_ in reads]
    if connections[db].vendor != "postgresql" or sum(1 for _, _, ids in asked if ids) < 2:
        return [by_ids(db, key, build, ids) for key, build, ids in asked]
    found_key = (db, "together", tuple((key, len(ids)) for key, _, ids in asked))
    if found_key not in _STATEMENTS:
        if len(_STATEMENTS) >= KEPT_STATEMENTS:
            _STATEMENTS.clear()
        _STATEMENTS[found_key] = _compile_together(db, asked)
    statement = _STATEMENTS[found_key]
    if statement is None:
        return [by_ids(db, key, build, ids) for key, build, ids in asked]
    sql, params, slots, parts = statement
    params = list(params)
    for slot, value in zip(slots, (i for _, _, ids in asked for i in ids), strict=True):
        params[slot] = value
    with connections[db].cursor() as cursor:
        statements.execute(connections[db], cursor, sql, params)
        answers = iter(cursor.fetchone())
    return [part.rows(part.decode(next(answers))) if part is not None else [] for part in parts]


def _compile_together(db: str, asked):
    """The single statement of together_by_ids: its SQL, parameters, where each id goes, and each read's
    part (None for a read of no ids); None when a read's ids are not parameters of their own."""
    sql, params, slots, parts = [], [], [], []
    for _, build, ids in asked:
        if not ids:
            parts.append(None)
            continue
        stand_ins = [-7_000_000_001 - n for n in range(len(ids))]  # ids no row holds
        part = Compiled(build(stand_ins).using(db))
        places = [index for index, param in enumerate(part.params) if param in stand_ins]
        if part.empty or [part.params[i] for i in places] != stand_ins:
            return None
        slots += [len(params) + i for i in places]
        params += part.params
        sql.append(f"(SELECT COALESCE({part.aggregate}, '[]')::text FROM ({part.sql}) t)")
        parts.append(part)
    return "SELECT " + ", ".join(sql), tuple(params), slots, parts


def _compile(db: str, build, count: int):
    stand_ins = [-7_000_000_001 - n for n in range(count)]  # ids no row holds
    sql, params = build(stand_ins).using(db).query.sql_with_params()
    slots = [index for index, param in enumerate(params) if param in stand_ins]
    if [params[slot] for slot in slots] != stand_ins:
        return None
    return sql, tuple(params), slots


_INTEGER_KEYS = ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField")


def _integer_keys(model) -> bool:
    return model._meta.pk.get_internal_type() in _INTEGER_KEYS


def link_prefetch(model, name: str, columns) -> Prefetch:
    """A fresh Prefetch (Django keeps hints on its queryset) of `name` into a plain list on each record."""
    queryset = model._meta.get_field(name).related_model._default_manager.all()
    if columns is not None:
        queryset = queryset.only(*columns)
    return Prefetch(name, queryset=queryset, to_attr=link_attr(name))


def _is_many_to_many(model, name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - not a model field
        return False
    return field.many_to_many and field.concrete

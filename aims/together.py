"""Several small queries asked in one round trip to the database.

A page that reads a dozen registers for one record (an AI system's hub: its risks, assessments, datasets
...) or a dozen facts for one judgement (the Annex A checks) pays, per query, a round trip, a plan and a
place in the 12 queries a page may ask (BENCHMARKS.md). `together(*querysets)` asks them all at once: on
PostgreSQL each queryset becomes one JSON array of a single SELECT, and comes back as the rows iterating
it gives -- model instances (with select_related, annotations and prefetch_related), dicts (values()),
tuples or values (values_list()). Elsewhere (SQLite, under `make run`) each is simply evaluated.

    risks, datasets = together(system.risks.all()[:11], system.datasets.all()[:11])
    (counts,) = together(totals(Dataset.objects.live(), total=Count("pk")))  # [{"total": 4}]

Each part keeps its own SQL (joins, ORDER BY, LIMIT, DISTINCT) inside its own subquery: the parts do not
touch. What a part reads is what the queryset alone would read."""

import functools
import json
from decimal import Decimal

import orjson
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, DecimalField, F, Model, prefetch_related_objects, signals
from django.db.models.base import ModelState
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    RelatedPopulator,
    ValuesIterable,
    ValuesListIterable,
)

from aims import statements


def together(*querysets) -> list[list]:
    """The rows of each queryset, in order: one query for all of them on PostgreSQL. A queryset may come
    compiled already (`compiled`): its SQL is then not built again."""
    parts = [q if isinstance(q, Compiled) else None for q in querysets]
    querysets = [q.queryset if isinstance(q, Compiled) else q for q in querysets]
    by_db = {qs.db for qs in querysets}
    if len(querysets) < 2 or len(by_db) > 1 or connections[by_db.pop()].vendor != "postgresql":
        return [list(qs) for qs in querysets]
    parts = [part or Compiled(qs) for part, qs in zip(parts, querysets, strict=True)]
    sql, params = joined(parts)
    return asked(parts, sql, params)


def joined(parts: list["Compiled"]) -> tuple[str, list]:
    """The one SELECT that asks every part (those with anything to ask), and its parameters."""
    # json_agg keeps the order of the sorted subquery it reads (a part's own ORDER BY); ::text so the
    # numbers are read as written (a decimal stays exact), not through a float.
    sql = ", ".join(
        f"(SELECT COALESCE({p.aggregate}, '[]')::text FROM ({p.sql}) t)" for p in parts if not p.empty
    )
    return f"SELECT {sql}", [param for p in parts if not p.empty for param in p.params]


def asked(parts: list["Compiled"], sql: str, params) -> list[list]:
    """The rows of each part, from joined(parts)'s SQL run with `params` (its own, or a later request's
    values in the same places: aims.prepared)."""
    answers = {}
    if any(not p.empty for p in parts):
        connection = connections[parts[0].queryset.db]
        with connection.cursor() as cursor:
            statements.execute(connection, cursor, sql, params)
            found = cursor.fetchone()
        for position, answer in zip((i for i, p in enumerate(parts) if not p.empty), found, strict=True):
            answers[position] = parts[position].decode(answer)
    return [part.rows(answers.get(i, [])) for i, part in enumerate(parts)]


_compiled: dict = {}
MAX_ARGUMENTS = 100  # PostgreSQL's FUNC_MAX_ARGS, as built
KEPT_SQL = 500  # compiled statements a process keeps; past it, it starts again


def compiled(key, make):
    """The SQL of the queryset `make()` returns (or of each of a list of them), compiled once per process
    for `key`: only for reads whose SQL and parameters depend on nothing but `key` -- never on the data,
    nor on the person unless the key names what of them it depends on. The rows are read afresh each
    time; only the SQL is kept, which costs more to build than to run. A read that depends on the person
    beyond a key the caller can name is aims.prepared's: it proves which parameters are theirs."""
    found = _compiled.get(key)
    if found is None:
        if len(_compiled) >= KEPT_SQL:
            _compiled.clear()
        made = make()
        found = [Compiled(q) for q in made] if isinstance(made, list | tuple) else Compiled(made)
        _compiled[key] = found
    return found


def totals(queryset, **aggregates):
    """`queryset.aggregate(**aggregates)` as a queryset of its one row (a dict), to ask with together():
    values() of aggregates would group by every row; these are over them all. The names may be a
    field's ("authorities": how many roles write theirs down)."""
    if queryset.query.is_sliced or queryset.query.distinct:
        raise ValueError("totals() aggregates whole querysets: not a slice, not DISTINCT.")
    model = queryset.model
    aggregates = {name: _rows_counted(value, model) for name, value in aggregates.items()}
    one = queryset.order_by().values(**{TOTAL + name: value for name, value in aggregates.items()})
    one.query.group_by = None
    _refuse_repeated_counts(one.query, before=queryset.query)
    one._iterable_class = _TotalsIterable
    return one


def _rows_counted(aggregate, model):
    """Count("pk") as COUNT(*): the same number (a primary key is never null), but PostgreSQL may then
    answer from an index that holds the filter's columns without reading the table (risks awaiting
    acceptance, 100,000 risks: 12.7 ms -> 0.8 ms on their partial index)."""
    if not isinstance(aggregate, Count) or aggregate.distinct or aggregate.filter is not None:
        return aggregate  # Django offers no COUNT(*) FILTER (...)
    counted = aggregate.source_expressions[0]
    if isinstance(counted, F) and counted.name in ("pk", model._meta.pk.name):
        return Count("*")
    return aggregate


def _refuse_repeated_counts(query, before):
    """Once one aggregate follows a to-many link (datasets with `systems__isnull`), every row of the
    register is repeated once per linked row, for every aggregate of the same SELECT: a plain
    Count("pk") would then count a dataset linked to three systems three times, and a verdict built on
    it would be wrong. Refuse such a count where it is written, rather than let it miscount. A join the
    queryset already had is its own filter (a system's risks: one row per risk), not a multiplier."""
    multiplied = [
        alias
        for alias, join in query.alias_map.items()
        if query.alias_refcount.get(alias) and not before.alias_refcount.get(alias) and _to_many(join)
    ]
    if not multiplied:
        return
    for name, aggregate in query.annotations.items():
        if isinstance(aggregate, Count) and not aggregate.distinct:
            raise ValueError(
                f"totals(): {name.removeprefix(TOTAL)} counts without distinct=True over a to-many join "
                f"({', '.join(multiplied)}): each record would be counted once per linked row."
            )


def _to_many(join) -> bool:
    field = getattr(join, "join_field", None)  # the base table has none
    return bool(getattr(field, "one_to_many", False) or getattr(field, "many_to_many", False))


TOTAL = "total_of_"  # an annotation may not take a field's name: totals() names its own, and reads back


class _TotalsIterable(ValuesIterable):
    def __iter__(self):
        for row in super().__iter__():
            yield _named(row)


def _named(row: dict) -> dict:
    return {name.removeprefix(TOTAL): value for name, value in row.items()}


class Compiled:
    """One queryset: its SQL with every column named (the JSON keys), and how to read its rows back.
    Holds nothing of a request: one may serve many (`compiled`)."""

    def __init__(self, queryset):
        self.queryset = queryset
        self.compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            self.sql, self.params = self.compiler.as_sql(with_col_aliases=True)
        except EmptyResultSet:  # .none(), or a filter on an empty list: nothing to ask
            self.sql, self.params, self.empty = "", (), True
            return
        self.empty = False
        fields = [(_field(expression), alias) for expression, _, alias in self.compiler.select]
        self.columns = [(_reader(field), alias) for field, alias in fields]
        # Each row as a JSON array of its columns in order, not an object naming each: half the text, and
        # read back by position, converting only the columns that need it. PostgreSQL's functions take
        # 100 arguments at most; a wider row comes as an object.
        self.arrays = len(fields) <= MAX_ARGUMENTS
        if self.arrays:
            quote = connections[queryset.db].ops.quote_name
            self.aggregate = f"json_agg(json_build_array({', '.join(f't.{quote(a)}' for _, a in fields)}))"
        else:
            self.aggregate = "json_agg(t)"
        self.converting = [(i, read) for i, (read, _) in enumerate(self.columns) if read is not None]
        # A decimal column's numbers are read exactly (the json module, each as a Decimal); any other
        # part's by orjson, in a fraction of the time: a float there is a float either way. (orjson reads
        # an integer wider than 64 bits as a float; no column or count here comes near one.)
        self.decode = _exact if any(isinstance(f, DecimalField) for f, _ in fields) else orjson.loads

    def values(self, obj) -> list:
        """A row of the answer (an array, or an object naming its columns) as the driver would give it."""
        if self.arrays:
            for i, read in self.converting:
                if obj[i] is not None:
                    obj[i] = read(obj[i])
            return obj
        return [
            obj[alias] if read is None or obj[alias] is None else read(obj[alias])
            for read, alias in self.columns
        ]

    def rows(self, answer) -> list:
        """The rows of the queryset from its part of together()'s answer (JSON arrays or objects)."""
        return self._read([self.values(obj) for obj in answer], self.queryset)

    def run(self, queryset=None, params=None) -> list:
        """The rows of the queryset asked alone with the kept SQL (a prepared statement on PostgreSQL):
        read from the driver's own values, through the converters Django would apply. `queryset`, one
        whose SQL is this one's (a later request's), gives what is done with the records once read --
        its prefetches and known related objects -- so nothing of the first request's stays in use;
        `params`, other values in the places of the kept ones (aims.prepared)."""
        if self.empty:
            return []
        connection = connections[self.queryset.db]
        with connection.cursor() as cursor:
            statements.execute(connection, cursor, self.sql, self.params if params is None else params)
            fetched = cursor.fetchall()
        compiler = self.compiler
        if compiler.has_extra_select:  # columns the SQL needs (ordering) that the rows do not hold
            fetched = [row[: compiler.col_count] for row in fetched]
        if self._converters:
            fetched = list(compiler.apply_converters(fetched, self._converters))
        return self._read(fetched, queryset if queryset is not None else self.queryset)

    @functools.cached_property
    def _converters(self) -> dict:
        """What Django converts a column's value with as it reads it (SQLCompiler.results_iter)."""
        compiler = self.compiler
        return compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])

    def _read(self, rows, queryset) -> list:
        iterable = queryset._iterable_class
        readers = {
            ModelIterable: lambda rows: self._instances(rows, queryset),
            ValuesIterable: self._dicts,
            ValuesListIterable: self._tuples,
            FlatValuesListIterable: lambda rows: [row[0] for row in rows],
            _TotalsIterable: lambda rows: [_named(row) for row in self._dicts(rows)],
        }
        if iterable not in readers:
            raise TypeError(f"together() does not read {iterable.__name__} querysets.")
        return readers[iterable](rows)

    def _names(self) -> list[str]:
        query = self.queryset.query
        return [*query.extra_select, *query.values_select, *query.annotation_select]

    def _dicts(self, rows):
        names = self._names()
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _tuples(self, rows):
        fields = self.queryset._fields
        names = self._names()
        if fields:  # values_list("b", "a"): the row in the order asked, annotations last (as Django does)
            order = [*fields, *(f for f in self.queryset.query.annotation_select if f not in fields)]
            return [tuple(row[names.index(name)] for name in order) for row in rows]
        return [tuple(row) for row in rows]

    def _instances(self, rows, queryset):
        """As django.db.models.query.ModelIterable builds them from the same columns."""
        compiler = self.compiler
        db, klass_info, select = queryset.db, compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = [_Populator(info, select, db) for info in klass_info.get("related_klass_infos", [])]
        known = [
            (field, objects, field.attname)
            for field, objects in queryset._known_related_objects.items()
            if len(field.from_fields) == 1 and field.from_fields[0] == "self"
        ]
        make = record_maker(klass_info["model"])
        instances = []
        for row in rows:
            obj = make(db, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in compiler.annotation_col_map.items():
                setattr(obj, name, row[position])
            for field, objects, attname in known:  # a related manager's own record: no query to reach it
                if not field.is_cached(obj) and getattr(obj, attname) in objects:
                    setattr(obj, field.name, objects[getattr(obj, attname)])
            instances.append(obj)
        if queryset._prefetch_related_lookups:
            prefetch_related_objects(instances, *queryset._prefetch_related_lookups)
        return instances


class _Populator(RelatedPopulator):
    """Django's RelatedPopulator (a select_related record read from its columns of the row), making the
    record as record_maker does; and those it reaches in turn."""

    def __init__(self, klass_info, select, db):
        super().__init__(klass_info, select, db)
        self.related_populators = [
            _Populator(i, select, db) for i in klass_info.get("related_klass_infos", [])
        ]
        self.make = record_maker(self.model_cls)

    def populate(self, row, from_obj):  # RelatedPopulator.populate, with self.make for model_cls.from_db
        values = self.reorder_for_init(row) if self.reorder_for_init else row[self.cols_start : self.cols_end]
        if values[self.pk_idx] is None:
            record = None
        else:
            record = self.make(self.db, self.init_list, values)
            for populator in self.related_populators:
                populator.populate(row, record)
        self.local_setter(from_obj, record)
        if record is not None:
            self.remote_setter(record, from_obj)


def record_maker(model):
    """How to make a record of `model` from some of its columns, as Model.from_db(db, attnames, values)
    does: from_db itself, or, where from_db and __init__ are Django's own and nothing listens for their
    signals, what they would leave -- the columns in the record's __dict__, the rest deferred -- without
    __init__'s walk over every field, which was most of the time it takes to read a page of records."""
    plain = (
        model.from_db.__func__ is Model.from_db.__func__
        and model.__init__ is Model.__init__
        and not signals.pre_init.has_listeners(model)
        and not signals.post_init.has_listeners(model)
    )
    return functools.partial(_made, model) if plain else model.from_db


def _made(model, db, attnames, values):
    record = Model.__new__(model)
    record._state = ModelState()
    record._state.adding, record._state.db = False, db
    record.__dict__.update(zip(attnames, values, strict=True))
    return record


def _exact(text: str):
    return json.loads(text, parse_float=Decimal)


def _field(expression):
    try:
        return expression.output_field
    except Exception:  # noqa: BLE001 - an expression of no single type: its value is taken as it comes
        return None


# Columns whose JSON value is already what the database driver gives: text, whole numbers, booleans.
AS_IS = {
    "CharField", "TextField", "SlugField", "EmailField", "URLField", "BooleanField", "IntegerField",
    "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField", "AutoField", "BigAutoField", "SmallAutoField",
}  # fmt: skip


def _reader(field):
    """How to turn a column's JSON value into what the database driver would have given (None: as is).
    Numbers arrive as Decimal (exact); only a decimal column keeps them so, as drivers do."""
    if field is None or field.get_internal_type() == "JSONField":
        return _floats
    target = getattr(field, "target_field", field) if field.is_relation else field
    kind = target.get_internal_type()
    if kind in AS_IS:
        return None
    if isinstance(target, DecimalField):
        return target.to_python
    if kind == "FloatField":
        return float
    return lambda value: target.to_python(_floats(value))


def _floats(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_floats(v) for v in value]
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    return value

"""What a page of a register's list fetches besides its rows, in as little time as PostgreSQL and Django
allow: the people it names, and the records and clauses it links to.

People (owner, created_by, updated_by, accepted_by ...) come in one query once the page is known, not
joined into the page's query: PostgreSQL plans a query in time that grows steeply with its joins, and with
four joins to the user table besides the register's own links, planning the risk list's page took some
3.5 ms, ten times running it (EXPLAIN ANALYZE, 100,000 risks). Naming the page's few people by id costs a
few hundredths of a millisecond, whatever the page size; each record then holds its people exactly as
select_related would have left them, so nothing reads them lazily.

Many-to-many links shown as a list of references or codes (the serializer's link fields) are prefetched
into a plain list on each record (Prefetch.to_attr, read by aims.api.representation), not into a queryset
per record: Django builds and filters one queryset per record and link otherwise, which cost more than the
query. Only the columns the link field shows are read (the key and the reference or code)."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from rest_framework import relations

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


def attach_people(records, names) -> None:
    """Fetch the people `names` link `records` to, in one query, and leave each on its record."""
    if not records or not names:
        return
    model = type(records[0])
    links = [model._meta.get_field(name) for name in names]
    ids = {getattr(record, link.attname) for record in records for link in links} - {None}
    found = {person.pk: person for person in get_user_model()._base_manager.filter(pk__in=ids)} if ids else {}
    for record in records:
        for link in links:
            person_id = getattr(record, link.attname)
            if person_id is None or person_id in found:
                link.set_cached_value(record, found.get(person_id))


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

"""A record as the API shows it, at a fraction of DRF's cost per field, with exactly DRF's result.

DRF's Serializer.to_representation asks every field of every row to find its value (get_attribute walks
`source_attrs`, tests each step for a callable and a mapping, catches errors) before converting it. A
register's row has some 45 fields and a page 50 rows: that walk was most of a list's serialisation. Yet
most fields show one column of the row as it is; for those the value is read straight from the instance
and converted by the field's own to_representation, or by what that method amounts to for the value at
hand (str, int, a date's isoformat ...). Method fields are called directly; a many-to-many link reads the
list a page's prefetch left on the record (aims.api.listing) when there is one. Anything else -- a field
with a dotted source, a custom get_attribute, a property -- goes through DRF's own steps, unchanged.

Which fields qualify is decided once per model, field class and source, never per row; the steps are laid
out once per serializer, which a list shares between all its rows. tests/test_api_fast_paths.py holds
every register's representation to DRF's own, value for value and key for key."""

import datetime as dt
import functools

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from rest_framework import ISO_8601, fields, relations
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

# get_attribute methods that, for one concrete model field, amount to getattr(instance, name): DRF's
# Field's, and RelatedField's when it does not stand a PKOnlyObject in (use_pk_only_optimization).
_PLAIN_GETTERS = (fields.Field.get_attribute, relations.RelatedField.get_attribute)
# to_representation methods that are one builtin: called as that builtin, without the method call.
_BUILTIN = {fields.CharField.to_representation: str, fields.IntegerField.to_representation: int}

COLUMN, METHOD, LINKS, DRF = "column", "method", "links", "drf"


def link_attr(name: str) -> str:
    """Where a page's prefetch leaves the records a many-to-many link `name` holds, as a plain list
    (aims.api.listing): read from there when present, instead of a queryset made per record."""
    return f"_listed_{name}"


@functools.cache
def _kind(model, field_class, source: str) -> str:
    """How a field of `field_class` with this `source` on `model` may be read (see the module's doc)."""
    many = field_class.get_attribute is relations.ManyRelatedField.get_attribute
    if not many and field_class.get_attribute not in _PLAIN_GETTERS:
        return DRF
    if source == "*":
        is_method = field_class.to_representation is fields.SerializerMethodField.to_representation
        return METHOD if is_method and not many else DRF
    if "." in source:
        return DRF
    try:
        model_field = model._meta.get_field(source)
    except FieldDoesNotExist:  # a property or a method: DRF may have to call it
        return DRF
    if many:  # a many-to-many field of the model's own (not the other side's)
        return LINKS if model_field.many_to_many and not model_field.auto_created else DRF
    plain = model_field.concrete and (not model_field.is_relation or model_field.many_to_one)
    return COLUMN if plain else DRF


def plan(serializer) -> list[tuple]:
    """(name, kind, attribute or method, convert, field) for each readable field, in DRF's order."""
    model = serializer.Meta.model
    steps = []
    for field in serializer._readable_fields:
        kind = _kind(model, type(field), field.source)
        if kind == COLUMN and isinstance(field, relations.RelatedField) and field.use_pk_only_optimization():
            kind = DRF
        if kind == METHOD:
            steps.append((field.field_name, kind, getattr(field.parent, field.method_name), None, field))
            continue
        if kind == LINKS:
            steps.append((field.field_name, kind, link_attr(field.source), field.to_representation, field))
            continue
        convert = _BUILTIN.get(type(field).to_representation) or _converter(field)
        steps.append((field.field_name, kind, field.source, convert, field))
    return steps


def _converter(field):
    """The field's own to_representation, or for the commonest values a shortcut to what it returns:
    booleans as they are, dates and aware datetimes in ISO 8601 (DRF's default format), a datetime in
    the field's time zone found once per serializer (that is, per request: the zone the request runs in).
    Any other value -- a string, a naive datetime -- goes to the field's own method."""
    own = field.to_representation
    cls = type(field)
    if cls.to_representation is fields.BooleanField.to_representation:
        return lambda value: value if value is True or value is False else own(value)
    if cls.to_representation is fields.DateField.to_representation and _iso(field, api_settings.DATE_FORMAT):
        return lambda value: value.isoformat() if type(value) is dt.date else own(value)
    if (
        cls.to_representation is fields.DateTimeField.to_representation
        and cls.enforce_timezone is fields.DateTimeField.enforce_timezone
        and _iso(field, api_settings.DATETIME_FORMAT)
    ):
        zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
        if zone is not None:
            return functools.partial(_iso_datetime, zone, own)
    return own


def _iso(field, default) -> bool:
    output_format = getattr(field, "format", default)
    return isinstance(output_format, str) and output_format.lower() == ISO_8601


def _iso_datetime(zone, own, value):
    """DRF's DateTimeField.to_representation for an aware datetime: in `zone`, "Z" for UTC."""
    if type(value) is not dt.datetime or value.utcoffset() is None:
        return own(value)
    try:
        text = value.astimezone(zone).isoformat()
    except OverflowError:
        return own(value)  # DRF's own error
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def represent(steps, instance) -> dict:
    """The instance as DRF's Serializer.to_representation gives it: same keys, order and values."""
    ret = {}
    for name, kind, read, convert, field in steps:
        if kind == COLUMN:
            try:
                value = getattr(instance, read)
            except (AttributeError, KeyError, ObjectDoesNotExist):
                pass  # a missing related object: DRF's own steps decide (null, default or left out)
            else:
                ret[name] = None if value is None else convert(value)
                continue
        elif kind == METHOD:
            ret[name] = read(instance)
            continue
        elif kind == LINKS:
            linked = instance.__dict__.get(read)
            if linked is not None:  # prefetched as a list (aims.api.listing); else DRF asks the manager
                ret[name] = convert(linked)
                continue
        try:
            attribute = field.get_attribute(instance)
        except SkipField:
            continue
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        ret[name] = None if check_for_none is None else field.to_representation(attribute)
    return ret

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
every register's representation to DRF's own, value for value and key for key.

A register's serializer builds its fields once per class (RecordSerializer.get_fields); DRF then deep-copies
all 45 of them for every serializer, that is every request, which cost more than representing a page of
rows. shared_plan() lays the steps out once per class and time zone from fields built for no request, and
only what reads the request is made for it: each method field is the serializer's own method, and each
field whose conversion is not one of DRF's own request-free methods is copied and bound for the serializer
alone -- unless it offers `converter_for(serializer)`, as a link that hides records the person may not see
does: then only that converter is made for the serializer. A value only DRF's own steps can decide reads
the serializer's own field, made then."""

import copy
import datetime as dt
import functools
import keyword
import operator

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.utils import timezone
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
    return _steps(serializer.Meta.model, serializer._readable_fields)


def _steps(model, readable) -> list[tuple]:
    steps = []
    for field in readable:
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


# DRF's to_representation methods that read nothing but the value and the field's own options: a field
# built for no request converts with them exactly as the request's own copy would.
_REQUEST_FREE = frozenset(
    {
        *(cls.to_representation for cls in (
            fields.CharField, fields.IntegerField, fields.FloatField, fields.DecimalField, fields.BooleanField,
            fields.ChoiceField, fields.DateField, fields.DateTimeField, fields.TimeField, fields.DurationField,
            fields.UUIDField, fields.JSONField,
        )),
        relations.SlugRelatedField.to_representation,
        relations.ManyRelatedField.to_representation,
    }
)  # fmt: skip
SHARED, OWN_METHOD, OWN_FIELD, OWN_CONVERTER = "shared", "own method", "own field", "own converter"
_TEMPLATES: dict = {}


def shared_plan(serializer, built: dict) -> list[tuple]:
    """plan(serializer), from steps laid out once per class and time zone with `built`, the fields the
    class builds for every serializer (see the module's doc); bound to `serializer` where they read it."""
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    key = (type(serializer), zone)
    template = _TEMPLATES.get(key)
    if template is None:
        template = _TEMPLATES[key] = _template(type(serializer), built)
    steps = []
    for name, kind, read, convert, field, how in template:
        if how == OWN_METHOD:
            read = getattr(serializer, read)
        elif how == OWN_FIELD:
            field = copy.deepcopy(built[name])  # as DRF copies it for each serializer, this one alone
            field.bind(field_name=name, parent=serializer)
            ((_, kind, read, convert, field),) = _steps(serializer.Meta.model, [field])
        elif how == OWN_CONVERTER:
            convert = field.converter_for(serializer)
            field = _OwnCopy(serializer, name, built[name])  # a link not prefetched: DRF's steps
        elif kind == COLUMN:
            field = _OwnField(serializer, name)  # read only where DRF's own steps decide a value
        steps.append((name, kind, read, convert, field))
    return steps


def _template(cls, built: dict) -> list[tuple]:
    prototype = cls()  # bound to no request: what it lays out is kept only where that reads none
    template = []
    for step in _steps(cls.Meta.model, prototype._readable_fields):
        name, kind, read, convert, field = step
        if kind == METHOD:
            template.append((name, kind, field.method_name, None, None, OWN_METHOD))
        elif _request_free(kind, field):
            template.append((*step, SHARED))
        elif kind == LINKS and hasattr(field, "converter_for"):
            template.append((*step, OWN_CONVERTER))
        else:
            template.append((name, kind, None, None, None, OWN_FIELD))
    return template


def _request_free(kind: str, field) -> bool:
    """Whether the step converts (and for a link, reads) with DRF's own request-free methods alone."""
    if kind == LINKS:
        return type(field).to_representation in _REQUEST_FREE and (
            type(field.child_relation).to_representation in _REQUEST_FREE
        )
    return kind == COLUMN and type(field).to_representation in _REQUEST_FREE


class _OwnField:
    """The serializer's own field `name`, made when first read: where a value is not the plain column
    (a missing related object), DRF's own steps decide it with the field bound to the request."""

    def __init__(self, serializer, name: str):
        self._serializer, self._name = serializer, name

    def __getattr__(self, attr):
        return getattr(self._serializer.fields[self._name], attr)


class _OwnCopy:
    """A copy of the field `built` for the serializer alone, made when first read (as OWN_FIELD makes it
    at once): only a record whose links were not fetched with its page needs DRF's own steps."""

    def __init__(self, serializer, name: str, built):
        self._serializer, self._name, self._built = serializer, name, built

    def __getattr__(self, attr):
        field = self.__dict__.get("_field")
        if field is None:
            field = self._field = copy.deepcopy(self._built)
            field.bind(field_name=self._name, parent=self._serializer)
        return getattr(field, attr)


def _converter(field):
    """The field's own to_representation, or for the commonest values a shortcut to what it returns:
    a linked record's slug read as that method reads it, booleans as they are, dates and aware datetimes in ISO 8601 (DRF's default format), a datetime in
    the field's time zone found once per serializer (that is, per request: the zone the request runs in).
    Any other value -- a string, a naive datetime -- goes to the field's own method."""
    own = field.to_representation
    cls = type(field)
    if cls.to_representation is relations.SlugRelatedField.to_representation:
        return operator.attrgetter(field.slug_field.replace("__", "."))  # what that method does
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


def representer(steps):
    """represent(steps, ·) as one function written out for these steps: a row's fields read in a straight
    line of code instead of a loop that unpacks and tests each step (a third of a list's serialisation).
    The code is written once per shape of steps (names, kinds, attributes) and only bound per serializer;
    steps it cannot write out (an attribute that is not a plain name) are represented by the loop."""
    shape = tuple((name, kind, read if kind in (COLUMN, LINKS) else None) for name, kind, read, *_ in steps)
    make = _WRITTEN.get(shape)
    if make is None:
        if len(_WRITTEN) >= KEPT_SHAPES:
            _WRITTEN.clear()
        make = _WRITTEN[shape] = _write(shape)
    if make is False:
        return functools.partial(represent, steps)
    _, _, reads, converts, fields = zip(*steps, strict=True) if steps else ((),) * 5
    return make(reads, converts, fields)


_WRITTEN: dict = {}
KEPT_SHAPES = 200


def _write(shape):
    """The source of a function making a representer for steps of this shape (see representer)."""
    lines = ["def make(reads, converts, fields):"]
    body = ["    def represent(instance):", "        ret = {}"]
    for i, (name, kind, read) in enumerate(shape):
        if kind == COLUMN:
            if not (isinstance(read, str) and read.isidentifier() and not keyword.iskeyword(read)):
                return False
            lines.append(f"    convert{i}, field{i} = converts[{i}], fields[{i}]")
            body += [
                "        try:",
                f"            value = instance.{read}",
                "        except (AttributeError, KeyError, ObjectDoesNotExist):",
                f"            _by_drf(ret, {name!r}, field{i}, instance)",
                "        else:",
                f"            ret[{name!r}] = None if value is None else convert{i}(value)",
            ]
        elif kind == METHOD:
            lines.append(f"    method{i} = reads[{i}]")
            body.append(f"        ret[{name!r}] = method{i}(instance)")
        elif kind == LINKS:
            lines.append(f"    convert{i}, field{i} = converts[{i}], fields[{i}]")
            body += [
                f"        linked = instance.__dict__.get({read!r})",
                "        if linked is not None:",
                f"            ret[{name!r}] = convert{i}(linked)",
                "        else:",
                f"            _by_drf(ret, {name!r}, field{i}, instance)",
            ]
        else:
            lines.append(f"    field{i} = fields[{i}]")
            body.append(f"        _by_drf(ret, {name!r}, field{i}, instance)")
    source = "\n".join([*lines, *body, "        return ret", "    return represent", ""])
    namespace = {"ObjectDoesNotExist": ObjectDoesNotExist, "_by_drf": _by_drf}
    exec(compile(source, "<aims.api.representation>", "exec"), namespace)  # noqa: S102 - our own text
    return namespace["make"]


def _by_drf(ret: dict, name: str, field, instance) -> None:
    """DRF's own steps for one field: its get_attribute, then its to_representation (or null)."""
    try:
        attribute = field.get_attribute(instance)
    except SkipField:
        return
    check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
    ret[name] = None if check_for_none is None else field.to_representation(attribute)


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
        _by_drf(ret, name, field, instance)
    return ret

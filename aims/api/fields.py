import copy
import functools
import re

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aims import roles
from aims.models import BaseRecord, Requirement, User
from aims.models.records import detail_url

from . import representation


@extend_schema_field(OpenApiTypes.STR)
class PersonField(serializers.SlugRelatedField):
    """A person as the API names people everywhere, in answers and in what it is sent: by username
    (GET /api/v1/me/ gives yours). Read-only unless given a queryset of whom it accepts; then it may
    also be nobody (null): a record a job made, a risk nobody accepted yet."""

    def __init__(self, **kwargs):
        if "queryset" not in kwargs:
            kwargs.setdefault("read_only", True)
            kwargs.setdefault("allow_null", True)
        super().__init__(slug_field="username", **kwargs)


class OwnerField(serializers.SlugRelatedField):
    """A person by username; only active owners and AIMS managers can own records."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "queryset",
            User.objects.filter(is_active=True, groups__name__in=[roles.OWNER, roles.MANAGER]).distinct(),
        )
        kwargs.setdefault("help_text", "Who owns it, by username (an owner or the AIMS manager).")
        super().__init__(slug_field="username", **kwargs)


def absolute_url(request, path: str | None) -> str | None:
    """One style for every link the API gives (the API root's are DRF's absolute ones): the host the
    request came to, or SITE_URL where there is no request (a job, a command)."""
    if not path:
        return path
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path


def absolute_links(data, request):
    """`data` (plain dicts and lists, as a page's selector gives them) with each link -- a `url` or
    `..._url` key holding a path of this site -- made absolute like every other link of the API."""
    if isinstance(data, dict):
        return {
            key: absolute_url(request, value)
            if (key == "url" or key.endswith("_url")) and isinstance(value, str) and _is_path(value)
            else absolute_links(value, request)
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [absolute_links(item, request) for item in data]
    return data


# A reference that reads the same in a URL path, quoted or not (no dots: "." and ".." are path steps).
_PLAIN_REFERENCE = re.compile(r"[A-Za-z0-9_-]+")
URL_MARK = "__reference__"


def _shares_url_pattern(model) -> bool:
    return (
        issubclass(model, BaseRecord)
        and model.get_absolute_url is BaseRecord.get_absolute_url
        and model.url_name.__func__ is BaseRecord.url_name.__func__
    )


def _is_path(value: str) -> bool:
    return value.startswith("/") and not value.startswith("//")


BASE_FIELDS = [
    "reference", "title", "owner", "requirements", "review_cadence", "next_review_on", "last_reviewed_on",
    "version", "created_at", "created_by", "updated_at", "updated_by", "archived", "url",
]  # fmt: skip
BASE_READ_ONLY = ["reference", "last_reviewed_on", "created_at", "updated_at"]


def record_fields(names) -> list[str]:
    """A register's serializer fields: those every record shows, then the register's own `names`."""
    return [*BASE_FIELDS, *(n for n in names if n not in BASE_FIELDS)]


# Fields every record shows in the API. A register's serializer names its model and fields:
#
#     class ContextIssueSerializer(RecordSerializer):
#         class Meta(RecordSerializer.Meta):
#             model = ContextIssue
#             fields = record_fields(FIELDS)
#
# (A comment, not a docstring: the OpenAPI document would show it to integrators on every register.)
class RecordSerializer(serializers.ModelSerializer):
    class Meta:
        read_only_fields = BASE_READ_ONLY

    owner = OwnerField(required=False)
    requirements = serializers.SlugRelatedField(
        many=True,
        required=False,
        slug_field="code",
        queryset=Requirement.objects.filter(kind__in=Requirement.MAPPABLE, standard__key="iso42001"),
        help_text='ISO/IEC 42001 clause and Annex A control codes, e.g. ["6.1.2", "A.5.4"].',
    )
    version = serializers.IntegerField(
        required=False, help_text="Read it, send it back on update: a newer version gives 409 Conflict."
    )
    created_by = PersonField()
    updated_by = PersonField()
    archived = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    BASE_FIELDS = BASE_FIELDS
    BASE_READ_ONLY = BASE_READ_ONLY

    def get_archived(self, obj) -> bool:
        return obj.archived_at is not None

    def to_representation(self, instance):
        """DRF's representation, field for field, without its per-field walk (aims.api.representation):
        a list serialises the same child for every row, so the plan is made once per page."""
        if not isinstance(instance, self.Meta.model):
            return super().to_representation(instance)
        return self._representer(instance)

    @functools.cached_property
    def _representer(self):
        cls = type(self)
        if cls.get_fields is RecordSerializer.get_fields and cls.fields is serializers.Serializer.fields:
            return representation.representer(representation.shared_plan(self, self._class_fields()))
        return representation.representer(representation.plan(self))

    def build_field(self, field_name, info, model_class, nested_depth):
        """Links named in Meta.fields become reference, username or code fields (link_field_kwargs)."""
        if field_name in info.relations:
            found = link_field_kwargs(info.relations[field_name].model_field)
            if found is not None:
                return found
        return super().build_field(field_name, info, model_class, nested_depth)

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        # DRF leaves the blank choice out of a read-only choice field (a proposed tier not yet proposed
        # is ""), so the schema's enum lacked the value the API sends and generated clients refused it.
        if kwargs.get("read_only") and model_field.choices and model_field.blank:
            kwargs["allow_blank"] = True
        return field_class, kwargs

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        """The record's page in the app, as an absolute URL like every link the API gives."""
        model = type(obj)
        patterns = self.__dict__.setdefault("_absolute_url_patterns", {})
        if model not in patterns:
            # A register's record URLs differ only by reference: the pattern is made absolute once per
            # serializer (per request) and model, not once per row, and the reference put in its place.
            request = self.context.get("request")
            path = detail_url(model.url_name("detail"), URL_MARK) if _shares_url_pattern(model) else None
            patterns[model] = path and absolute_url(request, path).rpartition(URL_MARK)[::2]
        pattern = patterns[model]
        reference = obj.reference if pattern else None
        if reference and _PLAIN_REFERENCE.fullmatch(reference):
            return f"{pattern[0]}{reference}{pattern[1]}"
        request = self.context.get("request")
        return absolute_url(request, obj.get_absolute_url())

    def get_fields(self):
        """ModelSerializer.get_fields, worked out from the model once per class, then deep-copied as DRF
        copies declared fields: building some 45 fields from the model's options cost a millisecond a
        request. Nothing here depends on the request or the instance."""
        return copy.deepcopy(self._class_fields())

    def _class_fields(self) -> dict:
        """The fields ModelSerializer.get_fields builds for this class, built on first use (not copied)."""
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = cls._built_fields = super().get_fields()
        return built


class VisibleRecordLinks(serializers.ManyRelatedField):
    """Links to other records by reference, leaving out those the requester may not see."""

    def to_representation(self, iterable):
        return self._converter(self.context.get("request"))(iterable)

    def converter_for(self, serializer):
        """How a list of linked records is shown in `serializer`'s answers, decided once for its request
        (aims.api.representation): a page of fifty rows otherwise asked for each row and link whether the
        requester may see them all."""
        return self._converter(serializer.context.get("request"))

    def _converter(self, request):
        from aims.permissions import has_a_role, hides_records, visible_only

        slug = self.child_relation.slug_field  # read as SlugRelatedField.to_representation reads it

        def every(records):
            return [getattr(record, slug) for record in records]

        if request is None:  # a job, a command: nobody to narrow by
            return every
        user, model = request.user, _linked_model(self)
        if model is not None and not hides_records(model) and has_a_role(user):
            return every  # the linked register hides nothing from anyone with a role
        return lambda records: every(visible_only(records, user))


class RecordLinkField(serializers.SlugRelatedField):
    """A link to another record by its reference. Only records the requester may see are accepted
    (restrict(user, "view")): one they may not see is "does not exist", exactly like a typo. Shown the
    same way: a linked record the requester may not see is null (left out of a list), never its reference.
    Without a request (a job, a command) there is nobody to narrow by."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        from rest_framework.relations import MANY_RELATION_KWARGS

        many = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return VisibleRecordLinks(child_relation=cls(*args, **kwargs), **many)

    def to_representation(self, obj):
        request = self.context.get("request")
        if request is not None:
            from aims.permissions import visible_only

            if not visible_only([obj], request.user):
                return None
        return super().to_representation(obj)

    def get_queryset(self):
        from aims.permissions import restrict

        queryset = super().get_queryset()
        request = self.context.get("request") if hasattr(self, "parent") else None
        if request is None:  # internal use (a job, a command): no person to narrow by
            return queryset
        return restrict(queryset, request.user, "view")


def _linked_model(field):
    """The model a link field's records are of: from its queryset, or a read-only field's source."""
    queryset = getattr(field.child_relation, "queryset", None)
    if queryset is not None:
        return queryset.model
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    if model is None or "." in field.source:
        return None
    try:
        return model._meta.get_field(field.source).related_model
    except Exception:  # noqa: BLE001 - a property or a method: not a model field
        return None


def link_field_kwargs(model_field) -> tuple[type, dict] | None:
    """How the API names a linked record: other records by reference, people by username, the catalogue
    by code -- what an integrator already knows. None: not a link the API spells its own way."""
    from aims.models import BaseRecord

    related = getattr(model_field, "related_model", None)  # None too for a reverse relation
    if related is None:
        return None
    options = {"required": False}
    if model_field.many_to_many:
        options["many"] = True
    elif model_field.null:
        options["allow_null"] = True
    if issubclass(related, BaseRecord):
        return RecordLinkField, {"slug_field": "reference", "queryset": related.objects.all(), **options}
    if issubclass(related, Requirement):
        queryset = Requirement.objects.filter(standard__key="iso42001")
        return serializers.SlugRelatedField, {"slug_field": "code", "queryset": queryset, **options}
    if issubclass(related, User):
        queryset = User.objects.filter(is_active=True)
        # The link's own words, not the username's ("Required. 150 characters or fewer ...").
        about = str(model_field.help_text or model_field.verbose_name).rstrip(".")
        help_text = f"{about[:1].upper()}{about[1:]}, by username."
        options = {"help_text": help_text, **options}
        return serializers.SlugRelatedField, {"slug_field": "username", "queryset": queryset, **options}
    return None

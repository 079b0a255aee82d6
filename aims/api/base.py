"""What every register's API shares: restrict() on every queryset, version checks, archive on DELETE,
and a history endpoint. A register's viewset names its serializer, filterset and services."""

from django.core.exceptions import ValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from aims import freshness, permissions
from aims.filters import RecordFilterSet
from aims.models import Change, Publishable
from aims.records import history

from . import listing
from .fields import PersonField


class ChangeSerializer(serializers.ModelSerializer):
    actor = PersonField()

    class Meta:
        model = Change
        fields = ["version", "action", "actor", "at", "changes", "note"]


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you last read; a newer one gives 409 Conflict.")


def expected_version(request) -> int:
    """The version from the body, `?version=` or an `If-Match` header; a clear 400 without one."""
    raw = None
    if hasattr(request, "data") and isinstance(request.data, dict):
        raw = request.data.get("version")
    raw = (
        raw
        if raw not in (None, "")
        else request.query_params.get("version") or request.headers.get("If-Match")
    )
    try:
        return int(str(raw).strip('"'))
    except (TypeError, ValueError):
        raise ValidationError(
            {"version": "Send the version you last read (body field, ?version= or If-Match)."}
        ) from None


UPLOADING = ("create", "update", "partial_update")  # where a register's file may come, as multipart


class RecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A register's API. A named subclass declares `serializer_class`, `filterset_class`, `services`
    (aims.services.RecordServices or the same methods) and `record_actions` (aims.actions.RecordAction,
    each a `POST …/<reference>/<name>/`); what a page of rows joins and prefetches follows from the
    serializer's fields unless the subclass names it.

    Writes are JSON. A register whose records carry a file names `upload_serializer_class` too (the
    serializer plus its file fields): create and update then also take multipart/form-data, read by that
    serializer, and the schema offers the two bodies under two names, so a generated client can tell
    them apart."""

    lookup_field = "reference"
    lookup_value_regex = "[A-Z]{2,6}-[0-9]{1,9}"

    def list(self, request, *args, **kwargs):
        """A page of the list, kept for the requester while nothing is written (aims.freshness): an
        integration polling a register pays for the rows once per change, not once per poll. Its links
        are absolute, so the host is part of the key."""
        parts = ("api", request.user.pk, request.get_host(), request.get_full_path(),
                 request.accepted_renderer.format)  # fmt: skip
        return Response(
            freshness.kept(parts, lambda: super(RecordViewSet, self).list(request, *args, **kwargs).data)
        )

    select_related: tuple[str, ...] = ("owner",)
    prefetch_related: tuple[str, ...] = ("requirements",)
    filter_backends = [DjangoFilterBackend]  # search and ordering are part of each register's FilterSet
    services = None
    upload_serializer_class = None
    record_actions: tuple = ()
    extra_prefetch: tuple[str, ...] = ()  # beyond the serializer's links: ("raci",) for a method field
    create_service = None
    update_service = None
    archive_service = None
    restore_service = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        services = cls.__dict__.get("services")
        if services is not None:
            for verb in ("create", "update", "archive", "restore"):
                if f"{verb}_service" not in cls.__dict__:
                    setattr(cls, f"{verb}_service", staticmethod(getattr(services, verb)))
        serializer = cls.__dict__.get("serializer_class")
        if serializer is not None:
            model = serializer.Meta.model
            cls.register_model = model  # what a token limited to some registers is asked about (api.auth)
            links = [model._meta.get_field(n) for n in serializer.Meta.fields if _is_field(model, n)]
            # Every related object a row shows, fetched with the page, never one query per row.
            if cls.select_related is RecordViewSet.select_related:
                fks = tuple(f.name for f in links if f.many_to_one and f.name != "owner")
                cls.select_related = ("owner", "created_by", "updated_by", *fks)
            if cls.prefetch_related is RecordViewSet.prefetch_related:
                m2m = tuple(f.name for f in links if f.many_to_many and f.name != "requirements")
                cls.prefetch_related = ("requirements", *m2m, *cls.extra_prefetch)
            if issubclass(model, Publishable) and "versions" not in cls.__dict__:
                cls.versions = versions
            for record_action in cls.__dict__.get("record_actions", ()):
                setattr(cls, record_action.name.replace("-", "_"), api_action(model, record_action))
        upload = cls.__dict__.get("upload_serializer_class")
        if upload is not None:
            bodies = extend_schema(
                request={"application/json": cls.serializer_class, "multipart/form-data": upload}
            )
            extend_schema_view(create=bodies, update=bodies, partial_update=bodies)(cls)

    @classmethod
    def get_extra_actions(cls):
        """The viewset's own actions, plus those later apps offer on its records (registry): they are
        attached when the router first asks, after every app's ready() has declared them."""
        from aims.registry import registry

        model = cls.serializer_class.Meta.model if cls.serializer_class else None
        for record_action in registry.record_actions_for(model) if model else ():
            name = record_action.name.replace("-", "_")
            if name not in cls.__dict__:
                setattr(cls, name, api_action(model, record_action))
        return super().get_extra_actions()

    def get_parsers(self):
        # Asked before DRF names the action (initialize_request): found from the method, as DRF will.
        action = getattr(self, "action", None)
        if action is None and getattr(self, "request", None) is not None:
            action = getattr(self, "action_map", {}).get(self.request.method.lower())
        if self.upload_serializer_class is not None and action in UPLOADING:
            return [JSONParser(), MultiPartParser()]
        return super().get_parsers()

    def get_serializer_class(self):
        content_type = getattr(getattr(self, "request", None), "content_type", "") or ""
        if self.upload_serializer_class is not None and content_type.startswith("multipart/"):
            return self.upload_serializer_class
        return super().get_serializer_class()

    def get_queryset(self):
        model = self.serializer_class.Meta.model
        queryset = model.objects.restrict(self.request.user, "view")
        joined, prefetched = self.select_related, self.prefetch_related
        if self._listing():  # what a page of the list fetches besides its rows (aims.api.listing)
            joined, _ = listing.split_people(model, joined)
            links, by_id = self._link_columns(), self._links_by_id()
            prefetched = [
                listing.link_prefetch(model, name, links[name]) if name in links else name
                for name in prefetched
                if name not in by_id
            ]
        return queryset.select_related(*joined).prefetch_related(*prefetched)

    def paginate_queryset(self, queryset):
        """A page of the list, then the people it names and the records it links to (aims.api.listing)."""
        page = super().paginate_queryset(queryset)
        if page is not None and self._listing():
            model = self.serializer_class.Meta.model
            listing.attach(page, listing.split_people(model, self.select_related)[1], self._links_by_id())
        return page

    def _listing(self) -> bool:
        return self.action == "list" and self.paginator is not None

    @classmethod
    def _link_columns(cls) -> dict:
        """listing.link_columns for this viewset, found once: it builds the serializer's fields."""
        if "_found_link_columns" not in cls.__dict__:
            cls._found_link_columns = listing.link_columns(cls.serializer_class, cls.prefetch_related)
        return cls._found_link_columns

    @classmethod
    def _links_by_id(cls) -> dict:
        """Of _link_columns, those listing.attach fetches for a page (the rest Django prefetches)."""
        if "_found_links_by_id" not in cls.__dict__:
            model = cls.serializer_class.Meta.model
            cls._found_links_by_id = {
                name: columns
                for name, columns in cls._link_columns().items()
                if listing.fetched_by_id(model, name, columns)
            }
        return cls._found_links_by_id

    def filter_queryset(self, queryset):
        if self.action in ("retrieve", "history", "update", "partial_update", "destroy", "restore"):
            return queryset  # archived records stay reachable by reference
        filterset = getattr(self, "filterset_class", None)
        if (
            self.filter_backends == [DjangoFilterBackend]
            and isinstance(filterset, type)
            and issubclass(filterset, RecordFilterSet)
            and filterset.asks_nothing(self.request.query_params, self._not_filters())
        ):
            # A plain page: no FilterSet to build (asks_nothing). Seen whole, it is the same SQL for
            # everyone who asks it: the page and its count are compiled once (aims.api.pagination).
            if self._listing() and permissions.sees_all(self.request.user, queryset.model):
                self.paginator.kept(("plain page", type(self), queryset.db))
            return filterset.live_only(queryset)
        return super().filter_queryset(queryset)

    def _not_filters(self) -> set[str]:
        """The query parameters no FilterSet reads: the page, its size and DRF's format."""
        params = ("page_query_param", "page_size_query_param")
        names = {getattr(self.paginator, param, None) for param in params}
        return (names | {api_settings.URL_FORMAT_OVERRIDE}) - {None}

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        requirements = data.pop("requirements", None)
        record = type(self).create_service(actor=self.request.user, fields=data, requirements=requirements)
        serializer.instance = self.get_queryset().get(pk=record.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        requirements = data.pop("requirements", None)
        record = type(self).update_service(
            serializer.instance,
            actor=self.request.user,
            expected_version=expected_version(self.request),
            fields=data,
            requirements=requirements,
        )
        serializer.instance = self.get_queryset().get(pk=record.pk)  # fresh links and version

    @extend_schema(
        parameters=[
            OpenApiParameter("version", int, required=True, description="The version you last read.")
        ],
        responses={200: None},
        description="Archive the record (records are never deleted; history is kept).",
    )
    def destroy(self, request, *args, **kwargs):
        record = self.get_object()
        record = type(self).archive_service(
            record, actor=request.user, expected_version=expected_version(request)
        )
        return Response(self.get_serializer(record).data, status=status.HTTP_200_OK)

    @extend_schema(request=VersionSerializer, description="Bring an archived record back.")
    @action(detail=True, methods=["post"])
    def restore(self, request, *args, **kwargs):
        record = self.get_object()
        record = type(self).restore_service(
            record, actor=request.user, expected_version=expected_version(request)
        )
        return Response(self.get_serializer(record).data)

    @extend_schema(responses=ChangeSerializer(many=True), description="Every change: who, when, what.")
    @action(detail=True, methods=["get"])
    def history(self, request, *args, **kwargs):
        record = self.get_object()
        changes = history(record).select_related("actor")
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(ChangeSerializer(page, many=True).data)

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if self.action in ("update", "partial_update"):
            permissions.require(request.user, "change", obj)
        elif self.action in ("destroy", "restore"):
            permissions.require(request.user, "archive", obj)

    def create(self, request, *args, **kwargs):
        permissions.require_add(request.user, self.serializer_class.Meta.model)
        return super().create(request, *args, **kwargs)


class RecordVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    content = serializers.ListField(
        child=serializers.DictField(),
        help_text="[{field, label, value}, ...] as approved, in the form's order.",
    )
    change_summary = serializers.CharField()
    approved_by = PersonField()
    approved_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField(allow_null=True)
    retired_at = serializers.DateTimeField(allow_null=True)


@extend_schema(
    responses=RecordVersionSerializer(many=True), description="Every approved version, newest first."
)
@action(detail=True, methods=["get"], url_path="versions", url_name="versions")
def versions(self, request, *args, **kwargs):
    from aims import publishing

    page = self.paginate_queryset(publishing.versions(self.get_object()))
    return self.get_paginated_response(RecordVersionSerializer(page, many=True).data)


def _is_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a property or a serializer-only field
        return False
    return True


def _input_field(spec):
    help_text = spec.help_text or spec.label
    if spec.choices:
        return serializers.ChoiceField(choices=spec.choices, required=spec.required, help_text=help_text)
    return serializers.CharField(required=spec.required, help_text=help_text)


def api_action(model, record_action):
    """A RecordAction as `POST …/<reference>/<name>/` with the version and the action's inputs."""
    body = inline_serializer(  # named per register and action: unique in the schema
        name=f"{model.__name__}{record_action.name.title().replace('-', '')}Request",
        fields={
            "version": serializers.IntegerField(
                help_text="The version you last read; a newer one gives 409 Conflict."
            ),
            **{spec.name: _input_field(spec) for spec in record_action.inputs},
        },
    )

    def run(self, request, *args, **kwargs):
        record = self.get_object()
        inputs = record_action.clean_inputs(request.data if isinstance(request.data, dict) else {})
        record = record_action.service(
            record, actor=request.user, expected_version=expected_version(request), **inputs
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    run.__name__ = record_action.name.replace("-", "_")
    run = action(detail=True, methods=["post"], url_path=record_action.name, url_name=record_action.name)(run)
    return extend_schema(request=body, description=record_action.description or record_action.label)(run)

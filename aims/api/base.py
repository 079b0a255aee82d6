"""What every register's API shares: restrict() on every queryset, version checks, archive on DELETE,
and a history endpoint. A register's viewset names its serializer, filterset and services."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from aims import permissions
from aims.models import Change
from aims.records import history


class ChangeSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

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


class RecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    lookup_field = "reference"
    lookup_value_regex = "[A-Z]{2,6}-[0-9]{1,9}"
    select_related: tuple[str, ...] = ("owner",)
    prefetch_related: tuple[str, ...] = ("requirements",)
    create_service = None
    update_service = None
    archive_service = None
    restore_service = None

    def get_queryset(self):
        queryset = self.serializer_class.Meta.model.objects.restrict(self.request.user, "view")
        return queryset.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    def filter_queryset(self, queryset):
        if self.action in ("retrieve", "history", "update", "partial_update", "destroy", "restore"):
            return queryset  # archived records stay reachable by reference
        return super().filter_queryset(queryset)

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

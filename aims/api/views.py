"""API endpoints of the core: who am I, the catalogue, my jobs and notifications."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from aims import jobs
from aims.downloads import download
from aims.models import Job, Notification, Requirement
from aims.views.core import job_file, visible_jobs

from .auth import open_to_every_token
from .fields import PersonField, absolute_url


class RequirementSerializer(serializers.ModelSerializer):
    standard = serializers.SlugRelatedField(slug_field="key", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Requirement
        fields = ["key", "standard", "code", "parent", "kind", "title", "summary"]


class RequirementViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue: ISO/IEC 42001 clauses, headings, Annex A objectives and controls."""

    open_to_every_token = True  # the shared catalogue, not the organisation's records (api.auth)

    serializer_class = RequirementSerializer
    queryset = Requirement.objects.select_related("standard", "parent").order_by("standard", "position")
    lookup_field = "key"
    lookup_value_regex = "[^/]+"
    filterset_fields = ["kind", "standard__key"]
    search_fields = ["code", "title", "summary"]
    ordering_fields = ["position", "code"]


class JobSerializer(serializers.ModelSerializer):
    requested_by = PersonField()
    retry_of = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The job this one runs again.")
    download = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "progress",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "result_name",
            "result_size",
            "sha256",
            "error",
            "attempts",
            "retry_of",
            "download",
        ]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download(self, obj) -> str | None:
        if obj.status != Job.Status.DONE:
            return None
        return absolute_url(self.context.get("request"), f"/api/v1/jobs/{obj.pk}/download/")


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """Reports and other long work: status, progress, SHA-256 and the file once done."""

    serializer_class = JobSerializer
    queryset = Job.objects.none()  # typed path parameters in the schema; rows come from get_queryset
    filterset_fields = ["status", "kind"]
    search_fields = ["title"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return visible_jobs(self.request.user)

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        return download(job_file(job), job.result_name)

    @extend_schema(
        request=None,
        description="Stop a queued or running job (who asked for it, or the AIMS manager): a queued one never "
        "runs, a running one stops at its next progress report.",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = jobs.cancel_job(job=self.get_object(), user=request.user)
        return Response(self.get_serializer(job).data)

    @extend_schema(
        request=None,
        responses={201: JobSerializer},
        description="Run a failed or cancelled job again, as a new job (returned) with the same parameters.",
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        again = jobs.retry_job(job=self.get_object(), user=request.user)
        return Response(self.get_serializer(again).data, status=status.HTTP_201_CREATED)


class NotificationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The page it is about, if any.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "url", "created_at", "read_at"]
        read_only_fields = ["kind", "message", "created_at"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        return absolute_url(self.context.get("request"), obj.url) or ""


class NotificationViewSet(mixins.ListModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Your notifications; PATCH read_at to mark one read."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    filterset_fields = ["kind"]
    search_fields = ["message"]
    ordering_fields = ["created_at"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return Notification.objects.filter(user=self.request.user)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


@open_to_every_token
@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request):
    """Who the request is authenticated as, and their roles."""
    user = request.user
    return Response({"username": user.username, "name": str(user), "roles": sorted(user.role_names)})

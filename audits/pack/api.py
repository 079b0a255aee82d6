"""API: list the evidence packs you may see, start one, download it, and verify any pack file."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from aims.api.fields import PersonField, absolute_url
from aims.downloads import download
from aims.permissions import require_add
from aims.views.core import job_file
from audits.models import EvidencePack

from .build import start_pack
from .scope import Scope
from .signing import PublicKey
from .verify import verify_pack
from .views import visible_packs


class EvidencePackSerializer(serializers.ModelSerializer):
    requested_by = PersonField()
    status = serializers.CharField(read_only=True)
    progress = serializers.IntegerField(read_only=True)
    error = serializers.CharField(read_only=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)
    size = serializers.IntegerField(read_only=True, allow_null=True)
    sha256 = serializers.CharField(read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = EvidencePack
        fields = [
            "id", "title", "scope", "as_of", "requested_by", "created_at", "finished_at", "status",
            "progress", "error", "size", "sha256", "file_count", "record_count", "manifest_sha256", "signing_key",
            "download",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download(self, obj) -> str | None:
        if obj.status != "done":
            return None
        return absolute_url(self.context.get("request"), f"/api/v1/evidence-packs/{obj.pk}/download/")


class EvidencePackCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    whole = serializers.BooleanField(required=False, default=False)
    standard = serializers.CharField(required=False, default="iso42001")
    requirements = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    systems = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    as_of = serializers.DateField(required=False, allow_null=True, help_text="Empty: now.")

    def validate_as_of(self, value):
        from django.utils import timezone

        if value and value > timezone.localdate():
            raise serializers.ValidationError("The as-of date cannot be in the future.")
        return value

    def validate(self, data):
        try:
            data["scope"] = Scope.from_params(
                {k: data.get(k) for k in ("whole", "standard", "requirements", "systems")}
            )
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return data


VerificationSerializer = inline_serializer(
    "PackVerification",
    {
        "ok": serializers.BooleanField(),
        "files": serializers.IntegerField(),
        "summary": serializers.CharField(),
        "problems": serializers.ListField(child=serializers.CharField()),
        "key_fingerprint": serializers.CharField(help_text="The key whose signature matched; empty if none."),
        "algorithm": serializers.CharField(help_text="The signature scheme the manifest names."),
    },
)


class EvidencePackViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Evidence packs (9.2): who exported what, as of when; POST starts one (a background job)."""

    serializer_class = EvidencePackSerializer
    queryset = EvidencePack.objects.none()
    search_fields = ["title"]
    ordering_fields = ["created_at", "as_of"]

    def get_queryset(self):
        return visible_packs(self.request.user)

    @extend_schema(request=EvidencePackCreateSerializer, responses={202: EvidencePackSerializer})
    def create(self, request, *args, **kwargs):
        require_add(request.user, EvidencePack)  # EvidencePackPolicy: anyone with a role
        incoming = EvidencePackCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        pack = start_pack(
            user=request.user, scope=data["scope"], as_of=data.get("as_of"), title=data.get("title", "")
        )
        pack = visible_packs(request.user).get(pk=pack.pk)
        return Response(self.get_serializer(pack).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/zip"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        pack = self.get_object()
        return download(job_file(pack.job), pack.file_name)

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "PackUpload",
                {
                    "file": serializers.FileField(),
                    "public_key": serializers.FileField(
                        required=False, help_text="PEM; default: this AIMS's keys."
                    ),
                },
            )
        },
        responses={200: VerificationSerializer},
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser])
    def verify(self, request):
        """Check a pack file: manifest signature (by the public key given, or any key this AIMS has signed
        with), every file's SHA-256, nothing missing or added."""
        upload = request.FILES.get("file")
        if upload is None:
            return Response(
                {"file": ["Attach the pack's ZIP file as 'file'."]}, status=status.HTTP_400_BAD_REQUEST
            )
        keys = None
        if "public_key" in request.FILES:
            try:
                keys = [PublicKey.from_pem(request.FILES["public_key"].read(64 * 1024))]
            except ValueError as exc:
                return Response(
                    {"public_key": [f"The public key is {exc}."]}, status=status.HTTP_400_BAD_REQUEST
                )
        return Response(verify_pack(upload, keys).as_dict())

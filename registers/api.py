import functools

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from aims import jobs
from aims.api.base import RecordViewSet
from aims.api.fields import PersonField, RecordSerializer, absolute_url

from . import services
from .filters import RiskFilterSet
from .models import Risk, RiskCategory, RiskCriteria
from .treatment_plan import approve_treatment_plan, plan_for


class RiskSerializer(RecordSerializer):
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=RiskCategory.objects.filter(active=True)
    )
    inherent_level = serializers.SerializerMethodField()
    residual_level = serializers.SerializerMethodField()
    target_level = serializers.SerializerMethodField()
    above_appetite = serializers.SerializerMethodField()
    accepted_by = PersonField()

    class Meta:
        model = Risk
        fields = [
            *RecordSerializer.BASE_FIELDS,
            "description", "systems", "system_note", "category", "risk_source", *Risk.AFFECTED,
            "inherent_likelihood", "inherent_impact", "inherent_score", "inherent_level", "existing_controls",
            "treatment", "treatment_plan", "treatment_due_on", "treatment_done_on", "residual_likelihood", "residual_impact", "residual_score",
            "residual_level", "target_likelihood", "target_impact", "target_score", "target_level",
            "above_appetite", "status", "accepted_by", "accepted_on", "acceptance_rationale",
        ]  # fmt: skip
        read_only_fields = [
            *RecordSerializer.BASE_READ_ONLY, "inherent_score", "residual_score", "target_score",
            "accepted_on", "acceptance_rationale",
        ]  # fmt: skip

    @functools.cached_property
    def criteria(self) -> RiskCriteria:
        """The criteria in force, read once per request: a list's rows share them through its context
        and each serializer keeps them, so four level fields a row do not walk up to the context."""
        cache = self.context.setdefault("_cache", {})
        if "criteria" not in cache:
            cache["criteria"] = RiskCriteria.current()
        return cache["criteria"]

    def _level(self, score) -> str | None:
        # Three levels a row, of a few dozen scores at most: each score's band is found once a request.
        levels = self.__dict__.setdefault("_levels", {})
        if score not in levels:
            band = self.criteria.level(score)
            levels[score] = band.name if band else None
        return levels[score]

    def get_inherent_level(self, obj) -> str | None:
        return self._level(obj.inherent_score)

    def get_residual_level(self, obj) -> str | None:
        return self._level(obj.residual_score)

    def get_target_level(self, obj) -> str | None:
        return self._level(obj.target_score)

    def get_above_appetite(self, obj) -> bool:
        return obj.residual_score > self._appetite_max

    @functools.cached_property
    def _appetite_max(self) -> int:
        return self.criteria.appetite_max

    def validate_status(self, value):
        if not (self.instance or Risk()).status_editable_to(value):
            raise serializers.ValidationError(f"{Risk.ACCEPT_ONLY_BY_ACTION} (POST …/accept/)")
        return value


class ApprovePlanSerializer(serializers.Serializer):
    seen = serializers.CharField(
        help_text="The plan's `digest` as you read it (GET); a changed plan is refused."
    )
    approved_on = serializers.DateField(required=False, help_text="The day it was approved; default today.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def plan_data(plan) -> dict:
    """The treatment plan (6.1.3) as the API gives it: its state, digest, rows, changes and approval."""
    approval = plan.approval
    return {
        "state": plan.state,
        "digest": plan.digest,
        "approval": None
        if approval is None
        else {
            "approved_on": approval.approved_on.isoformat(),
            "approved_by": str(approval.approved_by),
            "note": approval.note,
            "covered": [c["reference"] for c in approval.covered],
        },
        "changed": [{"reference": row["reference"], "changed": what} for row, what in plan.changed],
        "added": [row["reference"] for row in plan.added],
        "risks": [
            {k: row[k] for k in ("reference", "title", "treatment", "plan", "due")} for row in plan.rows
        ],
    }


class AcceptSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    rationale = serializers.CharField(max_length=2000)


class RiskViewSet(RecordViewSet):
    """The AI risk register (ISO/IEC 42001 6.1.2, 6.1.3, 8.2, 8.3). DELETE archives."""

    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    filter_backends = [DjangoFilterBackend]  # search and ordering are part of RiskFilterSet
    select_related = ("owner", "category", "accepted_by", "created_by", "updated_by")
    create_service = services.risk_create
    update_service = services.risk_update
    archive_service = services.risk_archive
    restore_service = services.risk_restore

    @extend_schema(request=AcceptSerializer, responses=RiskSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        risk = self.get_object()
        body = AcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.risk_accept(
            risk,
            actor=request.user,
            expected_version=body.validated_data["version"],
            rationale=body.validated_data["rationale"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=risk.pk)).data)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: OpenApiTypes.OBJECT},
        description="The AI risk treatment plan (6.1.3): its rows, the latest approval and what changed since.",
    )
    @extend_schema(
        methods=["POST"],
        request=ApprovePlanSerializer,
        responses={201: OpenApiTypes.OBJECT},
        description="Approve the treatment plan as it stands: the governance board or the AIMS manager.",
    )
    @action(detail=False, methods=["get", "post"], url_path="treatment-plan")
    def treatment_plan(self, request, *args, **kwargs):
        if request.method == "GET":
            return Response(plan_data(plan_for(request.user)))
        body = ApprovePlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        approve_treatment_plan(actor=request.user, **body.validated_data)
        return Response(plan_data(plan_for(request.user)), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: None}, description="Queue the PDF register for this filter.")
    @action(detail=False, methods=["post"])
    def report(self, request, *args, **kwargs):
        from .views import filters_param

        job = jobs.start_job(
            kind="risk_register_pdf",
            title="AI risk register (PDF)",
            params={"filters": filters_param(request.query_params)},
            user=request.user,
        )
        return Response(
            {"job": job.pk, "status": job.status, "url": absolute_url(request, f"/api/v1/jobs/{job.pk}/")},
            status=status.HTTP_202_ACCEPTED,
        )

"""The KPI API: the register's fields with the state the newest measurement set, and
`…/<reference>/measurements/` to read the series or push a measurement (a pipeline's way in)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.policies import policy_of, require
from lifecycle.models import KPI, Measurement

from .forms import KPIFilterSet
from .services import FIELDS, record_measurement, services


class KPISerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = KPI
        # state, last_value and last_measured_at are read-only: measurements set them
        fields = record_fields([*FIELDS, "state", "last_value", "last_measured_at"])


class MeasurementSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Measurement
        fields = ["id", "value", "measured_at", "source", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields


class NewMeasurementSerializer(serializers.Serializer):
    value = serializers.DecimalField(
        max_digits=None, decimal_places=None, help_text="The measured value; 4 decimal places are kept."
    )
    measured_at = serializers.DateTimeField(required=False, help_text="When it was measured; default now.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class KPIViewSet(RecordViewSet):
    """KPIs (9.1, A.6.2.6) with target, warning and breach thresholds. `state`, `last_value` and
    `last_measured_at` follow the newest measurement; POST …/measurements/ adds one. Filter with
    ?state=breach or ?overdue=true. DELETE archives."""

    serializer_class = KPISerializer
    filterset_class = KPIFilterSet
    services = services

    @extend_schema(
        methods=["GET"],
        responses=MeasurementSerializer(many=True),
        description="The KPI's measurements, newest first.",
    )
    @extend_schema(
        methods=["POST"],
        request=NewMeasurementSerializer,
        responses={201: MeasurementSerializer},
        description="Record a measurement (no version needed: pipelines push blind). Open to whoever may "
        "change the KPI; a newest value moves its state, and a breach drafts an incident.",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])  # the list's filters are for KPIs
    def measurements(self, request, *args, **kwargs):
        kpi = self.get_object()
        if request.method == "POST":
            require(policy_of(kpi), "measure", request.user, kpi)  # before the body: a 403 says who may
            body = NewMeasurementSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            measurement = record_measurement(
                kpi, actor=request.user, source=Measurement.Source.API, **body.validated_data
            )
            return Response(MeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(kpi.measurements.select_related("recorded_by"))
        return self.get_paginated_response(MeasurementSerializer(page, many=True).data)

"""The impact assessment API: the approval lifecycle and versions, the harm actions and …/harms/."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from lifecycle.models import ImpactAssessment

from .forms import ImpactAssessmentFilterSet
from .harms import HARM_ACTIONS
from .services import ACTIONS, FIELDS, THRESHOLDS, services


class ImpactAssessmentSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = ImpactAssessment
        fields = record_fields([*FIELDS, *THRESHOLDS])  # the thresholds: the organisation's, as kept


class ImpactAssessmentViewSet(RecordViewSet):
    """AI system impact assessments (6.1.4, A.5) with their approval lifecycle and versions. `system` by reference. ISO/IEC 42005: `unintended_uses`, `foreseeable_misuse` (from the system's record when left empty on create) and `failures`; `use_conclusion` (ordinary, sensitive, restricted) with `use_conclusion_reason`, against `sensitive_from` and `restricted_from`, the organisation's thresholds on the harm severity scale as the draft was last saved (read-only). …/harms/ lists the harms; add-harm, remove-harm (drafts) and harm-to-risk change them. DELETE archives."""

    serializer_class = ImpactAssessmentSerializer
    filterset_class = ImpactAssessmentFilterSet
    services = services
    record_actions = (*ACTIONS, *HARM_ACTIONS)

    @extend_schema(responses=None, description="The harms, most severe first, with the risk each became.")
    @action(detail=True, methods=["get"])
    def harms(self, request, *args, **kwargs):
        record = self.get_object()
        return Response(
            [
                {
                    "id": h.pk,
                    "description": h.description,
                    "affected": h.affected,
                    "likelihood": h.likelihood,
                    "severity": h.severity,
                    "reversibility": h.reversibility,
                    "risk": h.risk.reference if h.risk_id else None,
                }
                for h in record.harms.select_related("risk")
            ]
        )

"""The bias assessment API: the checklist and the measured results; the CSV itself is uploaded in the app."""

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from lifecycle.models import BiasAssessment

from .forms import BiasAssessmentFilterSet
from .services import FIELDS, services


class BiasAssessmentSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = BiasAssessment
        fields = record_fields(
            [*[f for f in FIELDS if f != "file"], "file_name", "file_sha256", "results", "passed"]
        )


class BiasAssessmentViewSet(RecordViewSet):
    """Bias assessments (A.7.4, A.6.2.4): `system` by reference, `checklist` as {item: {answer, note}}. The predictions CSV is uploaded in the app; the API shows its name, SHA-256, the measured results and whether they passed. DELETE archives."""

    serializer_class = BiasAssessmentSerializer
    filterset_class = BiasAssessmentFilterSet
    services = services

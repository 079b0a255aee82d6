"""The bias assessment API: the checklist, the favourable outcome, the thresholds and the measured results.
A predictions CSV sent as multipart `file` (with `sensitive_columns`) is measured as in the app; the rest
of the API takes JSON, and so does this register when no file comes."""

from rest_framework import serializers

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from lifecycle.models import BiasAssessment

from .forms import BiasAssessmentFilterSet
from .services import FIELDS, services


class BiasAssessmentSerializer(RecordSerializer):
    sensitive_columns = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=500,
        help_text="Comma-separated; empty: every column besides y_true and y_pred.",
    )  # fmt: skip
    favourable_outcome = serializers.ChoiceField(
        choices=BiasAssessment.Favourable.choices,
        required=False,
        help_text="The predicted value that is the favourable outcome, 0 or 1; rates count it.",
        error_messages={
            "invalid_choice": "The favourable outcome is one of the predicted values, 0 or 1 (y_pred is "
            "binary); {input!r} is neither."
        },
    )

    class Meta(RecordSerializer.Meta):
        model = BiasAssessment
        fields = record_fields(
            [
                *(f for f in FIELDS if f != "file"),
                "sensitive_columns",
                "file_name",
                "file_sha256",
                "results",
                "passed",
            ]
        )


class BiasAssessmentUploadSerializer(BiasAssessmentSerializer):
    """A bias assessment with its predictions CSV, sent as multipart/form-data."""

    file = serializers.FileField(
        write_only=True, required=False, allow_null=True, help_text="The predictions CSV; empty clears it."
    )

    class Meta(BiasAssessmentSerializer.Meta):
        fields = [*BiasAssessmentSerializer.Meta.fields, "file"]


class BiasAssessmentViewSet(RecordViewSet):
    """Bias assessments (A.7.4, A.6.2.4): `system` by reference, `checklist` as {item: {answer, note}}, `favourable_outcome` the predicted value (0 or 1) whose rates are compared. POST or PATCH a predictions CSV as multipart `file` to measure it; the answer shows its name, SHA-256, the measured results (figures at full precision; the verdict compares the exact fractions of the counts) and whether they passed. DELETE archives."""

    serializer_class = BiasAssessmentSerializer
    filterset_class = BiasAssessmentFilterSet
    services = services
    upload_serializer_class = BiasAssessmentUploadSerializer

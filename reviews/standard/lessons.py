"""Lessons learned (ISO/IEC 42001 10.1): what happened, what we learned and what changed, linked to the
incidents, nonconformities and corrective actions it came from, and to an audit by its reference."""

import django_filters as filters

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from reviews.models import Lesson

FIELDS = [
    "title", "what_happened", "learned", "changed", "incidents", "nonconformities", "corrective_actions",
    "audit_reference", "owner", "review_cadence", "next_review_on",
]  # fmt: skip

services = RecordServices(Lesson, FIELDS)


class LessonForm(RecordForm):
    class Meta:
        model = Lesson
        fields = [*FIELDS, "requirements"]
        labels = {"title": "Lesson"}


class LessonFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "what_happened", "learned", "changed", "audit_reference")
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("created_at", "recorded"))
    )

    class Meta:
        model = Lesson
        fields = []


class LessonSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Lesson
        fields = record_fields(FIELDS)


class LessonViewSet(RecordViewSet):
    """Lessons learned (10.1). `incidents`, `nonconformities`, `corrective_actions` are lists of references. DELETE archives."""

    serializer_class = LessonSerializer
    filterset_class = LessonFilterSet
    services = services


class LessonRegister(Register):
    model = Lesson
    label, url_prefix, position = "Lessons learned", "lessons", 60
    services = services
    form = LessonForm
    filterset = LessonFilterSet
    viewset = LessonViewSet
    columns = [
        ("Lesson", "title", "title"),
        ("What we learned", lambda r: r.learned[:120], None),
        ("Audit", "audit_reference", None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The lesson", ["what_happened", "learned", "changed"]),
        ("Where it came from", ["incidents", "nonconformities", "corrective_actions", "audit_reference"]),
    ]
    form_fieldsets = [
        ("The lesson", ["title", "what_happened", "learned", "changed"]),
        (
            "Where it came from",
            ["incidents", "nonconformities", "corrective_actions", "audit_reference", "requirements"],
        ),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 10.1: what we learned from incidents, nonconformities, audits and feedback, and what "
        "we changed because of it."
    )
    empty_text = (
        "No lessons recorded yet. After an incident or a corrective action, write down what you learned and "
        "what changed."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"Check the age of bureau files, {n}",
            "what_happened": "Stale files were scored for two days.",
            "learned": "Check the age of every file before scoring.",
        }
        return self.services.create(actor=people["owner"], fields=fields)

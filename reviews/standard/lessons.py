"""Lessons learned (ISO/IEC 42001 10.1): what happened, what we learned and what changed, linked to the
internal audits, incidents, nonconformities and corrective actions it came from (each of which lists it
back), and the feedback it was drawn from."""

import django_filters as filters

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.links import Related
from aims.register import Register
from aims.services import RecordServices
from reviews.models import Feedback, Lesson

FIELDS = [
    "title", "what_happened", "learned", "changed", "audits", "incidents", "nonconformities",
    "corrective_actions", "audit_note", "owner", "review_cadence", "next_review_on",
]  # fmt: skip

services = RecordServices(Lesson, FIELDS)


class LessonForm(RecordForm):
    class Meta:
        model = Lesson
        fields = [*FIELDS, "requirements"]
        labels = {"title": "Lesson"}


class LessonFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "what_happened", "learned", "changed", "audit_note")
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
    """Lessons learned (10.1). `audits`, `incidents`, `nonconformities`, `corrective_actions` are lists of references; `audit_note` names an audit that is not in the register. DELETE archives."""

    serializer_class = LessonSerializer
    filterset_class = LessonFilterSet
    services = services


class LessonRegister(Register):
    model = Lesson
    label, url_prefix, position = "Lessons learned", "lessons", 60
    menu_group = "10"
    services = services
    form = LessonForm
    filterset = LessonFilterSet
    viewset = LessonViewSet
    columns = [
        ("Lesson", "title", "title"),
        ("What we learned", lambda r: r.learned[:120], None),
        ("Internal audits", lambda r: list(r.audits.all()) or r.audit_note, None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The lesson", ["what_happened", "learned", "changed"]),
        (
            "Where it came from",
            ["audits", "audit_note", "incidents", "nonconformities", "corrective_actions"],
        ),
    ]
    related = (
        Related("Feedback", lambda lesson: Feedback.objects.filter(lesson=lesson).order_by("reference")),
    )
    form_fieldsets = [
        ("The lesson", ["title", "what_happened", "learned", "changed"]),
        (
            "Where it came from",
            ["audits", "audit_note", "incidents", "nonconformities", "corrective_actions", "requirements"],
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

    def list_options(self) -> dict:
        return {**super().list_options(), "prefetch_related": ("audits",)}  # the audits column, at once

    def sample(self, people, n=0):
        fields = {
            "title": f"Check the age of bureau files, {n}",
            "what_happened": "Stale files were scored for two days.",
            "learned": "Check the age of every file before scoring.",
        }
        return self.services.create(actor=people["owner"], fields=fields)

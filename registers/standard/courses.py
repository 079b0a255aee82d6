"""Courses (ISO/IEC 42001 7.2): the training that meets competence requirements. A course's validity in
months is what a training record's expiry is computed from, so the competence matrix knows when
a certificate lapses."""

import django_filters as filters

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from registers.models import Course

FIELDS = [
    "title", "provider", "description", "duration", "valid_months", "owner", "review_cadence", "next_review_on",
]  # fmt: skip


services = RecordServices(Course, FIELDS)


class CourseForm(RecordForm):
    class Meta:
        model = Course
        fields = [*FIELDS, "requirements"]


class CourseFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "provider", "description")
    expires = YesNoFilter(field_name="valid_months", lookup_expr="isnull", exclude=True, label="Expires")
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("provider", "provider"),
            ("valid_months", "valid_months"),
            ("next_review_on", "next_review"),
        )
    )

    class Meta:
        model = Course
        fields = []


def validity(course) -> str:
    return f"{course.valid_months} months" if course.valid_months else "Does not expire"


class CourseSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Course
        fields = record_fields(FIELDS)


class CourseViewSet(RecordViewSet):
    """Courses (7.2). `valid_months` empty: a completion does not expire. DELETE archives."""

    serializer_class = CourseSerializer
    filterset_class = CourseFilterSet
    services = services


class CourseRegister(Register):
    model = Course
    label, url_prefix, position = "Courses", "courses", 72
    menu_group = "7"
    services = services
    form = CourseForm
    filterset = CourseFilterSet
    viewset = CourseViewSet
    columns = [
        ("Course", "title", "title"),
        ("Provider", "provider", "provider"),
        ("Duration", "duration", None),
        ("Valid for", validity, "valid_months"),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The course", ["provider", "description", "duration", "valid_months"]),
        ("Review", ["review_cadence", "next_review_on"]),
    ]
    form_fieldsets = [
        ("The course", ["title", "provider", "description", "duration", "valid_months", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 7.2: courses and training that meet competence requirements, and how long a "
        "completion stays valid."
    )
    empty_text = (
        "No courses yet. Start with the AI awareness training everyone in an AIMS role takes, then "
        "link it to the competence requirements it meets."
    )

    def sample(self, people, n=0):
        fields = {"title": f"Responsible AI foundations, {n}", "provider": "In house", "valid_months": 24}
        return self.services.create(actor=people["owner"], fields=fields)

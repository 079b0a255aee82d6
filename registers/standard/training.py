"""Training records (ISO/IEC 42001 7.2 d, A.4.6): who completed which course, or showed a competence by
other evidence (education, experience, an assessment), when, until when it counts, and the evidence. The
expiry comes from the course unless given; it is also the record's next review, so the daily sweep reminds
the owner and the trained person before a certificate lapses."""

import calendar
import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import Q
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from rest_framework import serializers

from aims import reminders
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.files import stored_file_fields, validate_upload
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.models import User
from aims.models.records import ReviewCadence
from aims.register import Register
from aims.registry import registry
from aims.services import RecordServices
from aims.views.files import FileDetailMixin, PrivateFileInput, PrivateFileView
from aims.views.records import RecordDetailView, RecordFormView
from registers.models import CompetenceRequirement, Course, TrainingRecord

FIELDS = [
    "title", "person", "course", "competence", "completed_on", "expires_on", "evidence", "notes",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip
FILE = ("evidence", "evidence_name", "evidence_sha256")  # the file, its original name, its SHA-256

EXPIRING_WITHIN_DAYS = 60  # as the competence gaps say (registers.competence_gaps)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def course_expiry(course: Course | None, completed_on: dt.date | None) -> dt.date | None:
    if course is None or completed_on is None or not course.valid_months:
        return None
    return add_months(completed_on, course.valid_months)


class TrainingServices(RecordServices):
    """The shared services, plus: the evidence's name and hash, the expiry from the course, the title
    from course (or competence) and person when left empty, and the next review on the expiry date."""

    def derive(self, fields: dict, record) -> dict:
        fields = stored_file_fields(fields, *FILE)
        if record is None:
            fields.setdefault("review_cadence", ReviewCadence.YEARLY)  # a course that does not expire
        current = lambda name: fields.get(name, getattr(record, name, None))  # noqa: E731
        course, completed_on, expires_on = current("course"), current("completed_on"), current("expires_on")
        if record is not None and expires_on == course_expiry(record.course, record.completed_on):
            expires_on = None  # it came from the old course and date: follow a change of either
        fields["expires_on"] = expires_on or course_expiry(course, completed_on)
        if fields["expires_on"]:
            fields["next_review_on"] = fields["expires_on"]
        shown = course or current("competence")
        if not (current("title") or "").strip() and shown is not None and current("person") is not None:
            fields["title"] = f"{shown.title}: {current('person')}"[:200]
        return fields


services = TrainingServices(TrainingRecord, [*FIELDS, *FILE[1:]])
reminders.also_remind(TrainingRecord, "person")  # the trained person hears of the expiry too


class TrainingRecordForm(RecordForm):
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the course and the person's name."
    )
    evidence = forms.FileField(
        required=False,
        validators=[validate_upload],
        widget=PrivateFileInput("trainingrecord-evidence", "evidence_name"),
        help_text="A certificate or attendance record: PDF, image, text or Office file.",
    )

    class Meta:
        model = TrainingRecord
        fields = [
            "title",
            "person",
            "course",
            "competence",
            "completed_on",
            "expires_on",
            "evidence",
            "notes",
            "owner",
            "requirements",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Anyone may be trained, including people with no AIMS role in the app.
        self.fields["person"].queryset = User.objects.filter(is_active=True).order_by(
            "display_name", "username"
        )
        if not self.initial.get("evidence"):
            self.initial["evidence"] = None  # no file yet: nothing to show, and an empty input posts back


def expiry_conditions(today: dt.date) -> dict[str, Q]:
    """The list's ?expiry= filter and the dashboard's training gaps: one definition of each state."""
    soon = today + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
    return {
        "expired": Q(expires_on__lte=today),
        "expiring": Q(expires_on__gt=today, expires_on__lte=soon),
        "valid": Q(expires_on__gt=soon) | Q(expires_on__isnull=True),
    }


class TrainingRecordFilterSet(RecordFilterSet):
    search_fields = (
        "reference",
        "title",
        "person__username",
        "person__display_name",
        "course__title",
        "notes",
    )
    person = filters.CharFilter(field_name="person__username", label="Person (username)")
    course = filters.ModelChoiceFilter(
        queryset=lambda request: (
            Course.objects.restrict(request.user, "view").order_by("title")
            if request is not None
            else Course.objects.none()
        ),
        to_field_name="reference",
        empty_label="Any",
    )
    expiry = filters.ChoiceFilter(
        choices=[("expired", "Expired"), ("expiring", f"Expires within {EXPIRING_WITHIN_DAYS} days"),
                 ("valid", "Valid")],
        method="filter_expiry",
        label="Expiry",
        empty_label="Any",
    )  # fmt: skip
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("person__username", "person"),
            ("course__title", "course"),
            ("completed_on", "completed"),
            ("expires_on", "expires"),
        )
    )

    class Meta:
        model = TrainingRecord
        fields = []

    def filter_expiry(self, queryset, name, value):
        condition = expiry_conditions(timezone.localdate()).get(value)
        return queryset.filter(condition) if condition is not None else queryset


def expiry_cell(record):
    if record.expires_on is None:
        return "does not expire"
    today = timezone.localdate()
    when = record.expires_on.isoformat()
    if record.expires_on <= today:
        return format_html('<span class="badge badge-bad">Expired</span> {}', when)
    if record.expires_on <= today + dt.timedelta(days=EXPIRING_WITHIN_DAYS):
        return format_html('<span class="badge badge-warn">Expiring</span> {}', when)
    return when


class TrainingRecordFormView(RecordFormView):
    """A new record opened from a gap (?person=USERNAME with ?course=CRS-0001 or ?competence=CMP-0001)
    starts with that person and what would close the gap; a name the user may not see is left out."""

    def get_form(self, data=None):
        form = super().get_form(data)
        wanted = self.request.GET
        if self.record is not None or data is not None:
            return form
        if wanted.get("person"):
            form.initial["person"] = User.objects.filter(is_active=True, username=wanted["person"]).first()
        for name, model in (("course", Course), ("competence", CompetenceRequirement)):
            if wanted.get(name):
                visible = model.objects.restrict(self.request.user, "view").live()
                form.initial[name] = visible.filter(reference=wanted[name]).first()
        return form


class TrainingRecordDetailView(FileDetailMixin, RecordDetailView):
    """The record page with the evidence's download button under the details."""

    file_field, name_field, sha_field = FILE
    download_url_name = "trainingrecord-evidence"
    file_heading = "Evidence"


class TrainingEvidenceView(PrivateFileView):
    field_name, name_field = FILE[:2]


class TrainingRecordSerializer(RecordSerializer):
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Empty: the course and the person's name."
    )

    class Meta(RecordSerializer.Meta):
        model = TrainingRecord
        fields = record_fields([*(f for f in FIELDS if f != "evidence"), *FILE[1:]])


class TrainingRecordViewSet(RecordViewSet):
    # The docstring stays one line: it is the OpenAPI description of every operation, word for word.
    """Training records (7.2): `person` by username, `course` by reference, or `competence` (a competence requirement's reference) for evidence other than a course; `expires_on` empty takes the course's validity. Evidence files are uploaded in the app and downloaded from the record's page; the API shows their name and SHA-256 only. DELETE archives."""

    serializer_class = TrainingRecordSerializer
    filterset_class = TrainingRecordFilterSet
    services = services


class TrainingRecordRegister(Register):
    model = TrainingRecord
    label, url_prefix, position = "Training records", "training", 74
    menu_group = "7"
    services = services
    form = TrainingRecordForm
    filterset = TrainingRecordFilterSet
    viewset = TrainingRecordViewSet
    detail_view = TrainingRecordDetailView
    form_view = TrainingRecordFormView
    select_related = ("owner", "person", "course", "competence")
    columns = [
        ("Training", "title", None),
        ("Person", "person", "person"),
        ("Completed", "completed_on", "completed"),
        ("Expires", expiry_cell, "expires"),
        ("Evidence", "evidence_name", None),
    ]
    fieldsets = [
        ("The training", ["person", "course", "competence", "completed_on", "expires_on"]),
        ("Notes and review", ["notes", "review_cadence", "next_review_on"]),
    ]
    form_fieldsets = [
        ("The training", ["title", "person", "course", "competence", "completed_on", "expires_on"]),
        ("Evidence", ["evidence", "notes", "requirements"]),
        ("Ownership", ["owner"]),
    ]
    lead = (
        "ISO/IEC 42001 7.2: evidence that people in AIMS roles are competent, from a course or otherwise "
        "(education, experience). The expiry comes from the course unless you give one; the owner and the "
        "trained person are reminded before it."
    )
    empty_text = (
        "No training records yet. Record the courses people in AIMS roles have completed, with the "
        "certificate as evidence."
    )

    def sample(self, people, n=0):
        course = Course.objects.live().filter(title="Responsible AI foundations").first()
        if course is None:
            course = registry.register_for(Course).register.services.create(
                actor=people["owner"], fields={"title": "Responsible AI foundations", "valid_months": 12}
            )
        fields = {
            "title": f"Responsible AI foundations, {n}",
            "person": people["other_owner"],
            "course": course,
            "completed_on": dt.date(2025, 1, 1) + dt.timedelta(days=n),
        }
        return self.services.create(actor=people["owner"], fields=fields)

    def extra_urls(self) -> list:
        return [
            path(
                f"{self.url_prefix}/<str:reference>/evidence/",
                TrainingEvidenceView.as_view(**self._base()),
                name="trainingrecord-evidence",
            ),
        ]

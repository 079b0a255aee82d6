"""Competence requirements (ISO/IEC 42001 7.2, A.4.6): what a person in each AIMS role must know or be able
to do, and the courses that meet it. The competence matrix sets them against the people who hold each
role and their training records, so a missing or lapsing competence shows before an auditor finds it."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import django_filters as filters
from django.db.models import Prefetch
from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.register import Register
from aims.registry import registry
from aims.services import RecordServices
from aims.views.records import RecordListView, RecordMixin
from registers.models import AimsRole, CompetenceRequirement, Course, TrainingRecord

FIELDS = ["title", "role", "description", "courses", "owner", "review_cadence", "next_review_on"]

EXPIRING_WITHIN_DAYS = 60  # time enough to book and take a course before the certificate lapses


services = RecordServices(CompetenceRequirement, FIELDS)  # a change of courses is history too


class CompetenceRequirementForm(RecordForm):
    class Meta:
        model = CompetenceRequirement
        fields = [*FIELDS, "requirements"]


def _visible(model):
    # A filter's choices are records this user may see: a name in a drop-down is a disclosure too.
    def choices(request):
        if request is None or not request.user.is_authenticated:
            return model.objects.none()
        return model.objects.restrict(request.user, "view").live().order_by("title")

    return choices


class CompetenceRequirementFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "role__title")
    role = filters.ModelChoiceFilter(
        queryset=_visible(AimsRole), to_field_name="reference", empty_label="Any"
    )
    courses = filters.ModelChoiceFilter(
        queryset=_visible(Course), to_field_name="reference", empty_label="Any", label="Met by course"
    )
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("role__title", "role"),
            ("next_review_on", "next_review"),
        )
    )

    class Meta:
        model = CompetenceRequirement
        fields = []


class CompetenceRequirementListView(RecordListView):
    """The shared list; the "Met by" column in one query per page."""

    prefetch_related = ("courses",)


# -- The competence matrix ----------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    key: str
    label: str  # the words in the cell: the colour is never the only signal
    badge: str
    explains: str


MET = State("met", "Met", "badge-ok", "a course that meets it, still valid")
EXPIRING = State(
    "expiring", "Expiring", "badge-warn", f"valid, but expires within {EXPIRING_WITHIN_DAYS} days"
)
EXPIRED = State("expired", "Expired", "badge-bad", "the last course taken has expired")
MISSING = State("missing", "Missing", "badge-missing", "no course that meets it on record")
NOT_REQUIRED = State("na", "Not required", "badge-na", "not a requirement of this person's roles")
STATES = (MET, EXPIRING, EXPIRED, MISSING, NOT_REQUIRED)


@dataclass(frozen=True)
class Cell:
    state: State
    expires_on: dt.date | None = None


def cell_state(expiries: list, today: dt.date) -> Cell:
    """The best of a person's live completions of the courses that meet one requirement. `expiries` holds
    each completion's expiry date, None for one that does not expire."""
    if not expiries:
        return Cell(MISSING)
    if None in expiries:
        return Cell(MET)
    latest = max(expiries)
    if latest <= today:
        return Cell(EXPIRED, latest)
    if latest <= today + dt.timedelta(days=EXPIRING_WITHIN_DAYS):
        return Cell(EXPIRING, latest)
    return Cell(MET, latest)


def build_matrix(user, roles: list, today: dt.date) -> tuple[list, list]:
    """(requirements, rows) for `roles`: rows are (person, [Cell per requirement]). Four queries whatever
    the number of people, requirements or training records."""
    requirements = list(
        CompetenceRequirement.objects.restrict(user, "view")
        .live()
        .filter(role__in=roles)
        .select_related("role")
        .prefetch_related(Prefetch("courses", queryset=Course.objects.only("pk", "title")))
        .order_by("role__title", "title")
    )
    holders = (
        AimsRole.people.through.objects.filter(aimsrole__in=roles, user__is_active=True)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    people, roles_of = {}, defaultdict(set)
    for link in holders:
        people.setdefault(link.user_id, link.user)
        roles_of[link.user_id].add(link.aimsrole_id)
    course_ids = {course.pk for req in requirements for course in req.courses.all()}
    expiries = defaultdict(list)  # (person, course) -> expiry dates of live completions
    completions = (
        TrainingRecord.objects.restrict(user, "view")
        .live()
        .filter(person_id__in=people.keys(), course_id__in=course_ids)
        .values_list("person_id", "course_id", "expires_on")
    )
    for person_id, course_id, expires_on in completions:  # no query at all when either set is empty
        expiries[person_id, course_id].append(expires_on)
    rows = []
    for person_id, person in people.items():
        cells = []
        for req in requirements:
            if req.role_id not in roles_of[person_id]:
                cells.append(Cell(NOT_REQUIRED))
                continue
            found = [e for course in req.courses.all() for e in expiries.get((person_id, course.pk), ())]
            cells.append(cell_state(found, today))
        rows.append((person, cells))
    return requirements, rows


class CompetenceMatrixView(RecordMixin, TemplateView):
    """People in AIMS roles against the competence requirements of those roles (7.2 d: evidence of
    competence). `?role=ROL-0001` narrows it to one role."""

    model = CompetenceRequirement
    template_name = "registers/competence_matrix.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        all_roles = list(AimsRole.objects.restrict(user, "view").live().order_by("title"))
        chosen = self.request.GET.get("role", "")
        roles = [r for r in all_roles if r.reference == chosen] if chosen else all_roles
        requirements, rows = build_matrix(user, roles, timezone.localdate())
        context.update(
            all_roles=all_roles,
            chosen=chosen,
            unknown_role=bool(chosen) and not roles,
            requirements=requirements,
            rows=rows,
            states=STATES,
            expiring_days=EXPIRING_WITHIN_DAYS,
        )
        return context


# -- API and the register ----------------------------------------------------------------------------


class CompetenceRequirementSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = CompetenceRequirement
        fields = record_fields(FIELDS)


class CompetenceRequirementViewSet(RecordViewSet):
    """Competence requirements (7.2): `role` and `courses` by reference. DELETE archives."""

    serializer_class = CompetenceRequirementSerializer
    filterset_class = CompetenceRequirementFilterSet
    services = services


class CompetenceRequirementRegister(Register):
    model = CompetenceRequirement
    label, url_prefix, position = "Competence requirements", "competence", 73
    more_links = (("Competence matrix", "competencerequirement-matrix"),)
    services = services
    form = CompetenceRequirementForm
    filterset = CompetenceRequirementFilterSet
    viewset = CompetenceRequirementViewSet
    list_view = CompetenceRequirementListView
    select_related = ("owner", "role")
    list_prefetch_related = ("courses",)  # the list names the courses that meet each
    columns = [
        ("Requirement", "title", "title"),
        ("AIMS role", "role.title", "role"),
        ("Met by", lambda r: ", ".join(c.title for c in r.courses.all()) or "no course yet", None),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ]
    fieldsets = [
        ("The requirement", ["role", "description"]),
        ("How it is met", ["courses", "review_cadence", "next_review_on"]),
    ]
    form_fieldsets = [
        ("The requirement", ["title", "role", "description"]),
        ("How it is met", ["courses", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = "ISO/IEC 42001 7.2: what each AIMS role must know or be able to do, and the courses that meet it."
    empty_text = (
        "No competence requirements yet. Start with what the AIMS manager and AI risk owners must "
        "know, and link the courses that teach it."
    )

    def extra_urls(self) -> list:
        return [
            path(
                f"{self.url_prefix}/matrix/",
                CompetenceMatrixView.as_view(),
                name="competencerequirement-matrix",
            ),
        ]

    def sample(self, people, n=0):
        """A requirement of a role of its own (AimsRoleRegister's sample), met by no course yet."""
        role = registry.register_for(AimsRole).register.sample(people, n)
        fields = {
            "title": f"Can assess AI risks with the organisation's criteria, {n}",
            "role": role,
            "description": "Scores likelihood and impact with the risk criteria (6.1.1).",
        }
        return self.services.create(actor=people["owner"], fields=fields)

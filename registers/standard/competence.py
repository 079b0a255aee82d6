"""Competence requirements (ISO/IEC 42001 7.2, A.4.6): what a person in each AIMS role must know or be able
to do, and the courses that meet it. The competence gaps page sets them against the people who hold each
role and their training records, so a missing or lapsing competence shows before an auditor finds it."""

from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters as filters
from django.core.paginator import Paginator
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.generic import RedirectView, TemplateView

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.links import Related
from aims.models import User
from aims.permissions import can_add
from aims.register import Register
from aims.registry import registry
from aims.services import RecordServices
from aims.views.records import RecordListView, RecordMixin
from registers.competence_gaps import (
    CHOICES,
    EXPIRING_WITHIN_DAYS,
    GAP,
    STATES,
    Cell,
    Gaps,
    competence_gaps,
)
from registers.models import AimsRole, CompetenceRequirement, Course, TrainingRecord

FIELDS = ["title", "role", "description", "courses", "owner", "review_cadence", "next_review_on"]


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
    """The shared list, with the competence gaps of the people in AIMS roles as figures; the "Met by"
    column in one query per page."""

    template_name = "registers/competence_list.html"
    prefetch_related = ("courses",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user

        def figures():  # drawn only when the page is (it is kept whole, records/list.html)
            gaps = competence_gaps(today=timezone.localdate(), user=user)
            return {"gap": gaps.count(GAP), "expiring": gaps.count("expiring")}

        context["gap_figures"] = SimpleLazyObject(figures)
        context["expiring_days"] = EXPIRING_WITHIN_DAYS
        return context


# -- Competence gaps: people against the requirements of their roles -------------------------------------


class CompetenceGapsView(RecordMixin, TemplateView):
    """Each person in an AIMS role against the competence requirements of their roles (7.2 a and d), every
    cell a link: to the training record that meets it, or to record one. ?role=ROL-0001, ?state= (gap,
    missing, expired, expiring, met) and ?person=USERNAME narrow it; 25 people a page. The total counts
    cells (a person's competence), as every figure linking here does."""

    model = CompetenceRequirement
    template_name = "registers/competence_gaps.html"
    paginate_by = 25
    PARAMS = frozenset({"role", "state", "person", "page"})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, wanted = self.request.user, self.request.GET
        all_roles = list(AimsRole.objects.restrict(user, "view").live().order_by("title"))
        chosen, state, username = (wanted.get(k, "").strip() for k in ("role", "state", "person"))
        roles = [r for r in all_roles if r.reference == chosen] if chosen else all_roles
        person = User.objects.filter(username=username).first() if username else None
        refused = [
            name
            for name, bad in (("role", chosen and not roles), ("state", state not in ("", *CHOICES)),
                              ("person", username and person is None))
            if bad
        ]  # fmt: skip
        today = timezone.localdate()
        gaps = Gaps([]) if refused else competence_gaps(today=today, user=user, roles=roles, person=person)
        state = "" if "state" in refused else state
        page = Paginator(gaps.rows_with(state), self.paginate_by).get_page(wanted.get("page"))
        links = CellLinks(can_add(user, TrainingRecord))
        filters = {k: v for k, v in (("role", chosen), ("person", username)) if v}
        context.update(
            all_roles=all_roles,
            chosen=chosen,
            state=state,
            state_words="missing or expired" if state == GAP else CHOICES.get(state, "").lower(),
            username=username,
            choices=CHOICES,
            refused=refused,
            unapplied=sorted(refused + [k for k in wanted if k not in self.PARAMS]),
            gaps=gaps,
            total=gaps.count(state),
            people=gaps.people_with(state),
            requirements=gaps.requirements,
            page_obj=page,
            rows=[(row.person, [links.of(row.person, cell) for cell in row.cells]) for row in page],
            summary=[(key, label, gaps.count(key), "?" + urlencode({**filters, "state": key}))
                     for key, label in CHOICES.items()],
            querystring=urlencode({**filters, **({"state": state} if state else {})}),
            states=STATES,
            expiring_days=EXPIRING_WITHIN_DAYS,
        )  # fmt: skip
        return context


@dataclass(frozen=True)
class CellLinks:
    """Where a cell of the gaps page leads: the record that meets the requirement, or the form that records
    one for the person (prefilled with a course that meets it, else the requirement itself)."""

    may_add: bool

    def of(self, person, cell: Cell) -> dict:
        record = TrainingRecord(reference=cell.record).get_absolute_url() if cell.record else ""
        add = ""
        if self.may_add and cell.state is not None and cell.state.gap:
            courses = list(cell.requirement.courses.all())
            what = {"course": courses[0].reference} if courses else {"competence": cell.requirement.reference}
            add = reverse("trainingrecord-add") + "?" + urlencode({"person": person.username, **what})
        return {"cell": cell, "record": record, "add": add}


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
    menu_group = "7"
    more_links = (("Competence gaps", "competencerequirement-gaps"),)
    services = services
    form = CompetenceRequirementForm
    filterset = CompetenceRequirementFilterSet
    viewset = CompetenceRequirementViewSet
    list_view = CompetenceRequirementListView
    select_related = ("owner", "role")
    list_prefetch_related = ("courses",)  # the list names the courses that meet each
    related = (
        Related(
            "Evidence of it other than a course",
            lambda req: req.evidence_records.live().select_related("person").order_by("-completed_on"),
            lambda record: f"{record.person}, {record.completed_on:%Y-%m-%d}",
        ),
    )
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
            path(f"{self.url_prefix}/gaps/", CompetenceGapsView.as_view(), name="competencerequirement-gaps"),
            # The page's earlier name: bookmarks of the matrix land on the gaps, filters kept.
            path(
                f"{self.url_prefix}/matrix/",
                RedirectView.as_view(pattern_name="competencerequirement-gaps", query_string=True),
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

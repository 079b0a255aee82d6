"""Competence per person (ISO/IEC 42001 7.2, A.4.6): for everyone who holds an AIMS role, each competence
requirement of their roles and whether it is met, lapsing, expired or missing, with the training record
behind the answer.

The one selector every page reads -- the competence gaps page, the competence register's figure, the
dashboard and certification readiness -- so two pages never disagree about a gap. A requirement is met by
a live training record of the person that either completes one of the courses meeting it or evidences it
directly (education, experience, an assessment), and has not expired. Four queries whatever the number of
people, requirements or training records."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from .models import AimsRole, CompetenceRequirement, Course, TrainingRecord

EXPIRING_WITHIN_DAYS = 60  # time enough to book and take a course before the certificate lapses


@dataclass(frozen=True)
class State:
    key: str
    label: str  # the words in the cell: the colour is never the only signal
    badge: str
    explains: str
    gap: bool  # the person lacks the competence today


MET = State("met", "Met", "badge-ok", "a course completed, or evidence recorded, still valid", False)
EXPIRING = State(
    "expiring", "Expiring", "badge-warn", f"met, but it expires within {EXPIRING_WITHIN_DAYS} days", False
)
EXPIRED = State("expired", "Expired", "badge-bad", "the latest course or evidence has expired", True)
MISSING = State("missing", "Missing", "badge-missing", "no course completed nor evidence recorded", True)
STATES = (MET, EXPIRING, EXPIRED, MISSING)
BY_KEY = {state.key: state for state in STATES}
GAP = "gap"  # the filter for both gaps: missing or expired
CHOICES = {GAP: "A gap (missing or expired)", **{s.key: s.label for s in STATES}}


@dataclass(frozen=True)
class Cell:
    """One requirement of one person; `state` None when it is not a requirement of their roles.
    `record` is the reference of the training record that gives the state (none when missing)."""

    requirement: CompetenceRequirement
    state: State | None = None
    record: str = ""
    expires_on: dt.date | None = None

    def is_in(self, wanted: str) -> bool:
        if self.state is None:
            return False
        return not wanted or (self.state.gap if wanted == GAP else self.state.key == wanted)


@dataclass
class PersonRow:
    person: object  # aims.models.User
    cells: list[Cell]

    def count(self, wanted: str = "") -> int:
        return sum(cell.is_in(wanted) for cell in self.cells)


@dataclass
class Gaps:
    """Everyone holding the roles asked about (rows, by name) against those roles' requirements (columns)."""

    requirements: list
    rows: list[PersonRow] = field(default_factory=list)

    def count(self, wanted: str = "") -> int:
        """Cells in the state `wanted` (a state's key or GAP); all the cells that are required when empty."""
        return sum(row.count(wanted) for row in self.rows)

    def counts(self) -> dict[str, int]:
        return {key: self.count(key) for key in CHOICES}

    def rows_with(self, wanted: str = "") -> list[PersonRow]:
        return [row for row in self.rows if row.count(wanted)] if wanted else self.rows

    def people_with(self, wanted: str = "") -> int:
        return len(self.rows_with(wanted))


def judge(found: list[tuple[str, dt.date | None]], today: dt.date) -> tuple[State, str, dt.date | None]:
    """(state, record, expiry) from a person's live records for one requirement, each (reference, expiry;
    None when it does not expire): the best of them decides."""
    if not found:
        return MISSING, "", None
    lasting = [reference for reference, expires_on in found if expires_on is None]
    if lasting:
        return MET, lasting[0], None
    reference, latest = max(found, key=lambda item: item[1])
    if latest <= today:
        return EXPIRED, reference, latest
    if latest <= today + dt.timedelta(days=EXPIRING_WITHIN_DAYS):
        return EXPIRING, reference, latest
    return MET, reference, latest


def _visible(queryset, user):
    return queryset.restrict(user, "view") if user is not None else queryset


def competence_gaps(*, today: dt.date, user=None, roles=None, person=None) -> Gaps:
    """The competence of the people holding `roles` (default: every live role), as `user` may see it
    (restrict(user, "view") on roles, requirements and training; None: the whole organisation, as
    certification readiness judges it). `person` narrows the rows to one person."""
    if roles is None:
        roles = _visible(AimsRole.objects.live(), user)
    requirements = list(
        _visible(CompetenceRequirement.objects.live(), user)
        .filter(role__in=roles)
        .select_related("role")
        .prefetch_related(Prefetch("courses", queryset=Course.objects.only("pk", "reference", "title")))
        .order_by("role__title", "title")
    )
    holders = AimsRole.people.through.objects.filter(aimsrole__in=roles, user__is_active=True)
    if person is not None:
        holders = holders.filter(user=person)
    people, roles_of = {}, defaultdict(set)
    for link in holders.select_related("user").order_by("user__display_name", "user__username"):
        people.setdefault(link.user_id, link.user)
        roles_of[link.user_id].add(link.aimsrole_id)
    found = _records(user, people, requirements)
    rows = []
    for person_id, holder in people.items():
        cells = []
        for req in requirements:
            if req.role_id not in roles_of[person_id]:
                cells.append(Cell(req))
                continue
            keys = [("course", c.pk) for c in req.courses.all()] + [("competence", req.pk)]
            state, record, expires_on = judge(
                [f for k in keys for f in found.get((person_id, *k), ())], today
            )
            cells.append(Cell(req, state, record, expires_on))
        rows.append(PersonRow(holder, cells))
    return Gaps(requirements, rows)


def _records(user, people: dict, requirements: list) -> dict:
    """{(person, "course" or "competence", id): [(reference, expiry)]} of the live training records that
    count for these requirements; no query when there is nothing to look for."""
    courses = {c.pk for req in requirements for c in req.courses.all()}
    if not people or not requirements:
        return {}
    rows = (
        _visible(TrainingRecord.objects.live(), user)
        .filter(Q(course_id__in=courses) | Q(competence_id__in=[r.pk for r in requirements]))
        .filter(person_id__in=people.keys())
        .values_list("person_id", "course_id", "competence_id", "reference", "expires_on")
    )
    found = defaultdict(list)
    for person_id, course_id, competence_id, reference, expires_on in rows:
        if course_id:
            found[person_id, "course", course_id].append((reference, expires_on))
        if competence_id:
            found[person_id, "competence", competence_id].append((reference, expires_on))
    return found

"""Certification readiness of the Act registers: management reviews at planned intervals (9.3.1), their
inputs (9.3.2) and results (9.3.3), continual improvement (10.1) and nonconformities with the results
of corrective actions (10.2). A constant number of queries each."""

import datetime as dt

from django.db.models import Count, Max, Q
from django.urls import reverse

from aims.certification import met, missing, partial
from aims.registry import registry
from audits.models import Audit, Finding

from .models import (
    CorrectiveAction,
    Feedback,
    ImprovementAction,
    Lesson,
    ManagementReview,
    Nonconformity,
    PreventiveAction,
    ReviewInputs,
)
from .raising import FINDING_GRADES

HELD = (ManagementReview.Status.HELD, ManagementReview.Status.SIGNED_OFF)
UPCOMING = (ManagementReview.Status.PLANNED, ManagementReview.Status.INPUTS_FROZEN)
# Feedback waiting this long for triage is feedback the AIMS does not learn from (10.1).
TRIAGE_WITHIN_DAYS = 30
# A nonconformity with no corrective action after this long is a gap in 10.2's records.
PLAN_WITHIN_DAYS = 30


def latest_review_held() -> dt.date | None:
    """The date of the latest management review held (for the stakeholder report)."""
    return ManagementReview.objects.live().filter(status__in=HELD).aggregate(last=Max("held_on"))["last"]


def management_review(today: dt.date):
    """Met: a review signed off within the last twelve months. Partial: held but not signed off, or the
    last one over a year ago. Missing: none held."""
    reviews = ManagementReview.objects.live().filter(status__in=HELD)
    fix = ("Management reviews", reverse("managementreview-list"))
    last = reviews.order_by("-held_on").values("reference", "held_on", "status").first()
    if last is None:
        return missing("No management review has been held.", fix)
    if last["held_on"] < today - dt.timedelta(days=365):
        return partial(f"The last review, {last['reference']}, was held on {last['held_on']:%Y-%m-%d}, over a "
                       "year ago.", fix)  # fmt: skip
    if last["status"] != ManagementReview.Status.SIGNED_OFF:
        return partial(f"{last['reference']} was held on {last['held_on']:%Y-%m-%d} but is not signed off by "
                       "the board.", fix)  # fmt: skip
    return met(f"{last['reference']}, held on {last['held_on']:%Y-%m-%d}, is signed off.", fix)


def _months_after(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):  # the same day of the month, or the month's last day
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def reviews_at_intervals(today: dt.date):
    """9.3.1: management reviews at planned intervals -- the last one held within its cadence, and the
    next one planned."""
    live = ManagementReview.objects.live()
    fix = ("Management reviews", reverse("managementreview-list"))
    last = (
        live.filter(status__in=HELD)
        .order_by("-held_on")
        .values("reference", "held_on", "cadence_months")
        .first()
    )
    upcoming = (
        live.filter(status__in=UPCOMING).order_by("scheduled_on").values("reference", "scheduled_on").first()
    )
    if last is None:
        if upcoming is None:
            return missing("No management review is held or planned.", fix)
        return partial(f"{upcoming['reference']} is planned for {upcoming['scheduled_on']:%Y-%m-%d}; no review has "
                       "been held yet.", fix)  # fmt: skip
    due = _months_after(last["held_on"], last["cadence_months"])
    gaps = []
    if due < today:
        gaps.append(f"the next was due by {due:%Y-%m-%d} (every {last['cadence_months']} months)")
    if upcoming is None:
        gaps.append("no next review is planned")
    held = f"{last['reference']} was held on {last['held_on']:%Y-%m-%d}"
    if gaps:
        return partial(f"{held}, but " + " and ".join(gaps) + ".", fix)
    return met(f"{held}; {upcoming['reference']} is planned for {upcoming['scheduled_on']:%Y-%m-%d}, within the "
               f"{last['cadence_months']}-month cadence.", fix)  # fmt: skip


def review_inputs(today: dt.date):
    """9.3.2: the latest review considered its inputs -- compiled and frozen before it, every input
    source available."""
    fix = ("Management reviews", reverse("managementreview-list"))
    latest = (
        ManagementReview.objects.live()
        .exclude(status=ManagementReview.Status.PLANNED)
        .order_by("-scheduled_on", "-pk")
        .values("pk", "reference")
        .first()
    )
    if latest is None:
        return missing("No management review has had its inputs compiled.", fix)
    own = (latest["reference"], reverse("managementreview-detail", args=[latest["reference"]]))
    frozen = (
        ReviewInputs.objects.filter(review_id=latest["pk"]).order_by("-number").values("sections").first()
    )
    if frozen is None:
        return partial(f"{latest['reference']} went ahead without its inputs frozen.", own)
    absent = [s.get("title", s.get("key", "")) for s in frozen["sections"] if not s.get("available", True)]
    if absent:
        return partial(f"{latest['reference']}'s inputs leave out {len(absent)} source"
                       f"{'s' if len(absent) != 1 else ''}: {', '.join(absent)}.", own)  # fmt: skip
    return met(f"{latest['reference']}'s inputs were frozen with all {len(frozen['sections'])} sources.", own)


def continual_improvement(today: dt.date):
    """10.1: the AIMS is improved on record -- lessons learned, preventive actions done on time, and the
    feedback of interested parties triaged."""
    lessons = Lesson.objects.live().count()
    actions = PreventiveAction.objects.live().aggregate(
        total=Count("pk"),
        late=Count("pk", filter=Q(status__in=PreventiveAction.OPEN_STATUSES, due_on__lt=today)),
    )
    feedback = Feedback.objects.live().aggregate(
        total=Count("pk"),
        waiting=Count("pk", filter=Q(outcome=Feedback.Outcome.PENDING,
                                     received_on__lt=today - dt.timedelta(days=TRIAGE_WITHIN_DAYS))),
    )  # fmt: skip
    links = [("Lessons learned", reverse("lesson-list")), ("Preventive actions", reverse("preventiveaction-list")),
             ("Feedback", reverse("feedback-list"))]  # fmt: skip
    if not (lessons or actions["total"] or feedback["total"]):
        return missing("No lesson learned, preventive action or feedback is recorded.", *links)
    gaps = []
    if actions["late"]:
        gaps.append(
            f"{actions['late']} preventive action{'s' if actions['late'] != 1 else ''} past the due date"
        )
    if feedback["waiting"]:
        gaps.append(f"{feedback['waiting']} feedback item{'s' if feedback['waiting'] != 1 else ''} waiting over "
                    f"{TRIAGE_WITHIN_DAYS} days for triage")  # fmt: skip
    if not lessons:
        gaps.append("no lesson learned is recorded")
    found = f"{lessons} lessons learned, {actions['total']} preventive actions, {feedback['total']} feedback items"
    if gaps:
        return partial(f"{found}; but " + "; ".join(gaps) + ".", *links)
    return met(f"{found}; none overdue or waiting.", *links)


def nonconformities(today: dt.date):
    """Missing: audit findings graded nonconformities never raised as one, or an empty log with no audit
    reported to look for nonconformities. Partial: nonconformities without a corrective action after 30
    days, or overdue actions. Met otherwise (an empty log once an audit has reported)."""
    log = ("Nonconformities", reverse("nonconformity-list"))
    # Closed or not: a finding graded a nonconformity belongs in the 10.2 log.
    not_raised = Finding.objects.live().filter(grade__in=FINDING_GRADES, nonconformities__isnull=True).count()
    if not_raised:
        return missing(f"{not_raised} audit finding{'s' if not_raised != 1 else ''} graded a nonconformity "
                       "not raised as one.", ("Findings", reverse("finding-list")))  # fmt: skip
    ncs = Nonconformity.objects.live()
    if not ncs.exists():
        # An empty log is evidence only once something has looked for nonconformities.
        audited = Audit.objects.live().filter(status__in=(Audit.Status.REPORTED, Audit.Status.CLOSED)).count()
        if not audited:
            return missing("No nonconformities recorded, and no internal audit reported to look for them.", log,
                           ("Audits", reverse("audit-list")))  # fmt: skip
        return met(f"No nonconformities recorded; the {audited} internal audit{'s' if audited != 1 else ''} "
                   "reported found none.", log)  # fmt: skip
    unplanned = (
        ncs.filter(status__in=Nonconformity.OPEN_STATUSES, corrective_actions__isnull=True,
                   created_at__date__lt=today - dt.timedelta(days=PLAN_WITHIN_DAYS)).count()
    )  # fmt: skip
    overdue = ImprovementAction.objects.filter(
        status=ImprovementAction.Status.OPEN, due_on__lt=today, corrective_action__archived_at__isnull=True
    ).count()
    gaps = []
    if unplanned:
        gaps.append(f"{unplanned} without a corrective action after {PLAN_WITHIN_DAYS} days")
    if overdue:
        gaps.append(f"{overdue} corrective action step{'s' if overdue != 1 else ''} overdue")
    if gaps:
        return partial("Nonconformities are recorded, but " + "; ".join(gaps) + ".", log,
                       ("Corrective actions", reverse("correctiveaction-list")))  # fmt: skip
    checked = CorrectiveAction.objects.live().exclude(check_result="").count()
    return met(f"Nonconformities are recorded with their corrective actions; {checked} effectiveness "
               f"check{'s' if checked != 1 else ''} on record.", log)  # fmt: skip


def register() -> None:
    registry.add_readiness_check("9.3.1", "Management reviews at planned intervals", reviews_at_intervals)
    registry.add_readiness_check("9.3.2", "Management review inputs considered", review_inputs)
    registry.add_readiness_check("9.3.3", "Results of management reviews", management_review, key="9.3.3")
    registry.add_readiness_check("10.1", "Continual improvement on record", continual_improvement)
    registry.add_readiness_check(
        "10.2", "Nonconformities and corrective actions", nonconformities, key="10.2"
    )
    registry.set_latest_management_review(latest_review_held)

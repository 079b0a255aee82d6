"""Certification readiness for 9.3.3 (results of management reviews) and 10.2 (nonconformities and the
results of corrective actions), computed from the Act registers. They replace the placeholder rows the
Plan registers hold for them. A constant number of queries each."""

import datetime as dt

from django.db.models import Max
from django.urls import reverse

from aims.certification import met, missing, partial
from aims.registry import registry
from audits.models import Audit, Finding

from .models import CorrectiveAction, ImprovementAction, ManagementReview, Nonconformity
from .raising import FINDING_GRADES

HELD = (ManagementReview.Status.HELD, ManagementReview.Status.SIGNED_OFF)
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
    registry.add_readiness_check("9.3.3", "Results of management reviews", management_review, key="9.3.3")
    registry.add_readiness_check(
        "10.2", "Nonconformities and corrective actions", nonconformities, key="10.2"
    )
    registry.set_latest_management_review(latest_review_held)

"""Management review on the board's dashboard and in reminders (ISO/IEC 42001 9.3.1: at planned
intervals): when the last review was held, the next one, open and overdue actions, and a flag when no
review was held in the last twelve months. A review due within 30 days reminds the AIMS manager and the
board, once per scheduled date."""

import datetime as dt

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from aims import roles
from aims.models import Notification, User
from aims.registry import registry

from .models import ManagementReview, ReviewAction
from .standard.review_actions import overdue

DUE_WITHIN_DAYS = 30
HELD = (ManagementReview.Status.HELD, ManagementReview.Status.SIGNED_OFF)
UPCOMING = (ManagementReview.Status.PLANNED, ManagementReview.Status.INPUTS_FROZEN)


def management_review_panel(request) -> dict:
    today = timezone.localdate()
    reviews = ManagementReview.objects.restrict(request.user, "view").live()
    last_held = reviews.filter(status__in=HELD).aggregate(last=Max("held_on"))["last"]
    upcoming = reviews.filter(status__in=UPCOMING).order_by("scheduled_on", "reference").first()
    counts = (
        ReviewAction.objects.restrict(request.user, "view")
        .live()
        .aggregate(
            open=Count("pk", filter=~Q(status__in=ReviewAction.CLOSED)),
            overdue=Count("pk", filter=overdue(today)),
        )
    )
    return {
        "template": "reviews/management_review_panel.html",
        "list_url": reverse("managementreview-list"),
        "actions_url": reverse("reviewaction-list"),
        "last_held": last_held,
        # 9.3.1: at least yearly -- nothing held in the last twelve months is flagged.
        "lapsed": last_held is None or last_held < today - dt.timedelta(days=365),
        "upcoming": upcoming,
        "days_to_next": (upcoming.scheduled_on - today).days if upcoming else None,
        "open_actions": counts["open"],
        "overdue_actions": counts["overdue"],
    }


registry.add_dashboard_panel(management_review_panel, roles=(roles.MANAGER, roles.BOARD), order=75)


def due_reminders(today: dt.date):
    """A review scheduled within 30 days (or past its date and not yet held): the AIMS managers and the
    governance board, once per review and scheduled date."""
    due = ManagementReview.objects.live().filter(
        status__in=UPCOMING, scheduled_on__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS)
    )
    people = None
    for review in due:
        if people is None:  # asked for only when a review is due
            people = list(
                User.objects.filter(groups__name__in=[roles.MANAGER, roles.BOARD], is_active=True).distinct()
            )
        when = "is overdue" if review.scheduled_on < today else "is due"
        message = (
            f"Management review {review.reference} {review.title} {when} on {review.scheduled_on:%Y-%m-%d}"
            + ("; compile and freeze its inputs before the meeting." if review.status == "planned" else ".")
        )
        for person in people:
            yield (
                person,
                Notification.Kind.REVIEW_DUE,
                f"mr-due:{review.pk}:{review.scheduled_on.isoformat()}",
                message,
                review.get_absolute_url(),
            )


registry.add_reminder_source(due_reminders)

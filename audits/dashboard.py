"""The internal audits panel of the dashboard (9.2): open findings by grade, the findings waiting for my
answer, the next audits, and how much of this year's cycle the audits have reached. Every number links
to the list behind it. Eight queries at most, however many audits and findings there are."""

from django.db.models import Count, Q, Window
from django.urls import reverse
from django.utils import timezone

from . import programme as planning
from .models import NOT_CONFORMING, Audit, AuditProgramme, Finding, Result

# Each as the list behind its figure filters: ?status=open&status=answered, ?mine=true&status=open,
# ?status=planned&status=in_progress.
OPEN = Q(status__in=[Finding.Status.OPEN, Finding.Status.ANSWERED])
MINE_TO_ANSWER = Q(status=Finding.Status.OPEN)
UPCOMING = (Audit.Status.PLANNED, Audit.Status.IN_PROGRESS)


def audits_panel(request) -> dict:
    user = request.user
    today = timezone.localdate()
    findings = Finding.objects.restrict(user, "view").live()
    counts = findings.aggregate(
        **{g: Count("pk", filter=OPEN & Q(grade=g)) for g in NOT_CONFORMING},
        mine=Count("pk", filter=MINE_TO_ANSWER & Q(owner=user)),
    )
    programme = AuditProgramme.objects.restrict(user, "view").live().filter(year=today.year).first()
    upcoming = list(
        Audit.objects.restrict(user, "view")
        .live()
        .filter(status__in=UPCOMING)
        .select_related("lead_auditor")
        .annotate(total=Window(Count("pk")))
        .order_by("starts_on")[:3]
    )
    return {
        "template": "audits/audits_panel.html",
        "findings_url": reverse("finding-list"),
        "audits_url": reverse("audit-list"),
        "by_grade": [(g, Result(g).label, counts[g]) for g in NOT_CONFORMING],
        "mine": list(
            findings.filter(MINE_TO_ANSWER, owner=user).select_related("audit").order_by("created_at")[:5]
        ),
        "mine_count": counts["mine"],
        "upcoming": upcoming,
        "upcoming_count": upcoming[0].total if upcoming else 0,
        "programme": programme,
        "coverage": planning.coverage(programme)["counts"] if programme else None,
    }

"""The internal audits panel of the dashboard (9.2): open findings by grade, the findings I am to answer
(as their auditee: the list behind the count is the findings list, mine and open), the next audits, and
how much of this year's cycle the audits have reached. Nine queries at most, however many audits and
findings there are."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from . import programme as planning
from .models import NOT_CONFORMING, Audit, AuditProgramme, Finding, Result

OPEN = ~Q(status=Finding.Status.CLOSED)


def audits_panel(request) -> dict:
    user = request.user
    today = timezone.localdate()
    findings = Finding.objects.restrict(user, "view").live()
    counts = findings.aggregate(**{g: Count("pk", filter=OPEN & Q(grade=g)) for g in NOT_CONFORMING})
    programme = AuditProgramme.objects.restrict(user, "view").live().filter(year=today.year).first()
    to_answer = findings.filter(owner=user, status=Finding.Status.OPEN)
    return {
        "template": "audits/audits_panel.html",
        "findings_url": reverse("finding-list"),
        "by_grade": [(g, Result(g).label, counts[g]) for g in NOT_CONFORMING],
        "mine": list(to_answer.select_related("audit").order_by("created_at")[:5]),
        "mine_count": to_answer.count(),
        "mine_url": f"{reverse('finding-list')}?mine=true&status={Finding.Status.OPEN}",
        "upcoming": list(
            Audit.objects.restrict(user, "view")
            .live()
            .filter(status__in=[Audit.Status.PLANNED, Audit.Status.IN_PROGRESS])
            .select_related("lead_auditor")
            .order_by("starts_on")[:3]
        ),
        "programme": programme,
        "coverage": planning.coverage(programme)["counts"] if programme else None,
    }

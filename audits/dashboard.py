"""The audits panel of the dashboard (9.2): open findings by grade, the findings waiting for my answer, the
next audits, how much of the current cycle the internal audits have reached, and -- for the AIMS manager
and the board -- the certificate and the certification body's audits to come. Every number links to the
list behind it. Nine queries at most, however many audits, findings and certificates there are."""

from django.db.models import Count, Min, Q, Window
from django.urls import reverse
from django.utils import timezone

from aims import roles

from . import programme as planning
from .models import NOT_CONFORMING, Audit, AuditProgramme, Certificate, Finding, Result
from .models.certification import EXPIRY_WARNING_DAYS, state_q

# Each as the list behind its figure filters: ?status=open&status=answered, ?mine=true&status=open,
# ?status=planned&status=in_progress.
OPEN = Q(status__in=[Finding.Status.OPEN, Finding.Status.ANSWERED])
MINE_TO_ANSWER = Q(status=Finding.Status.OPEN)
UPCOMING = (Audit.Status.PLANNED, Audit.Status.IN_PROGRESS)
BODY_PLANNED = Q(kind=Audit.Kind.CERTIFICATION, status=Audit.Status.PLANNED)


def audits_panel(request) -> dict:
    user = request.user
    today = timezone.localdate()
    findings = Finding.objects.restrict(user, "view").live()
    counts = findings.aggregate(
        **{g: Count("pk", filter=OPEN & Q(grade=g)) for g in NOT_CONFORMING},
        mine=Count("pk", filter=MINE_TO_ANSWER & Q(owner=user)),
    )
    programme = planning.current_programme(today, AuditProgramme.objects.restrict(user, "view").live())
    upcoming = list(
        Audit.objects.restrict(user, "view")
        .live()
        .filter(status__in=UPCOMING)
        .select_related("lead_auditor")
        # The certification body's audits still to come are among these: counted in the same query.
        .annotate(total=Window(Count("pk")), body_planned=Window(Count("pk", filter=BODY_PLANNED)))
        .order_by("starts_on")[:3]
    )
    certifying = user.has_role(roles.MANAGER, roles.BOARD)
    body_planned = upcoming[0].body_planned if upcoming else 0
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
        "coverage": planning.coverage(programme, today)["counts"] if programme else None,
        "certification": certification_figures(user, today, body_planned) if certifying else None,
    }


def certification_figures(user, today, body_planned: int) -> dict:
    """For the AIMS manager and the board: the certificates in force, those expiring within
    EXPIRY_WARNING_DAYS, and the certification body's audits planned (counted with the upcoming audits)
    -- each the count of the list it links to (?status=valid, ?expiring=true,
    ?kind=certification&status=planned). One query."""
    certificates = Certificate.objects.restrict(user, "view").live()
    counts = certificates.aggregate(
        valid=Count("pk", filter=state_q(Certificate.Status.VALID, today)),
        expiring=Count("pk", filter=Q(pk__in=Certificate.objects.expiring(today).values("pk"))),
        next_surveillance=Min("next_surveillance_on", filter=state_q(Certificate.Status.VALID, today)),
    )
    return {
        "certificates_url": reverse("certificate-list"),
        "body_audits_url": reverse("audit-list") + "?kind=certification&status=planned",
        "valid": counts["valid"],
        "expiring": counts["expiring"],
        "body_audits": body_planned,
        "next_surveillance": counts["next_surveillance"],
        "warning_days": EXPIRY_WARNING_DAYS,
    }

"""The audits panel of the dashboard (9.2): open findings by grade, the findings waiting for my answer, the
next audits, how much of the current cycle the internal audits have reached, and -- for the AIMS manager
and the board -- the certificate and the certification body's audits to come. Every number links to the
list behind it. Nine queries at most, however many audits, findings and certificates there are."""

from django.db.models import Count, Min, Q, Window
from django.urls import reverse
from django.utils import timezone

from aims import roles
from aims.selectors import first_with_total
from aims.text import plural

from . import programme as planning
from .models import NOT_CONFORMING, Audit, AuditProgramme, Certificate, Evidence, Finding, Result, audited_by
from .models.audit import RESULT_PLURALS
from .models.certification import EXPIRY_WARNING_DAYS, state_q
from .models.evidence import EXPIRING_WITHIN_DAYS
from .standard.evidence import validity_conditions as evidence_validity

# Each as the list behind its figure filters: ?status=open&status=answered, ?mine=true&status=open,
# ?status=planned&status=in_progress.
OPEN = Q(status__in=[Finding.Status.OPEN, Finding.Status.ANSWERED])
MINE_TO_ANSWER = Q(status=Finding.Status.OPEN)
UPCOMING = (Audit.Status.PLANNED, Audit.Status.IN_PROGRESS)
BODY_PLANNED = Q(kind=Audit.Kind.CERTIFICATION, status=Audit.Status.PLANNED)
SHOWN = 5  # records listed under a figure; its link opens all of them


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
        "by_grade": [
            (g, plural(counts[g], Result(g).label, RESULT_PLURALS[g]), counts[g]) for g in NOT_CONFORMING
        ],
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


def auditor_panel(request) -> dict:
    """The auditor's first screen: the audits she leads or is on, still open; the findings of those audits
    waiting for the auditee's answer, and those answered, waiting for her to close them; and the
    evidence lapsing within EXPIRING_WITHIN_DAYS or lapsed (it stops counting for its requirements).
    Each figure the count of the list it links to. Four queries however many records there are."""
    user, today = request.user, timezone.localdate()
    mine = audited_by(user)
    audits, audits_count = first_with_total(
        Audit.objects.restrict(user, "view")
        .live()
        .filter(pk__in=mine, status__in=(*UPCOMING, Audit.Status.REPORTED))
        .select_related("lead_auditor"),
        "starts_on",
        "reference",
        shown=SHOWN,
    )
    findings = Finding.objects.restrict(user, "view").live().filter(audit__in=mine)
    waiting = list(
        findings.filter(status__in=(Finding.Status.OPEN, Finding.Status.ANSWERED))
        .select_related("owner", "audit")
        .annotate(
            open_total=Window(Count("pk", filter=Q(status=Finding.Status.OPEN))),
            answered_total=Window(Count("pk", filter=Q(status=Finding.Status.ANSWERED))),
        )
        .order_by("status", "created_at")[:SHOWN]  # "answered" before "open": hers to act on first
    )
    validity = evidence_validity(today)
    evidence = Evidence.objects.restrict(user, "view").live()
    lapsing = list(
        evidence.filter(validity["lapsing"])
        .annotate(
            expiring_total=Window(Count("pk", filter=validity["expiring"])),
            expired_total=Window(Count("pk", filter=validity["expired"])),
        )
        .order_by("valid_until", "reference")[:SHOWN]
    )
    return {
        "template": "audits/auditor_panel.html",
        "audits_url": reverse("audit-list"),
        "findings_url": reverse("finding-list"),
        "evidence_url": reverse("evidence-list"),
        "audits": audits,
        "audits_count": audits_count,
        "findings": waiting,
        "open_count": waiting[0].open_total if waiting else 0,
        "answered_count": waiting[0].answered_total if waiting else 0,
        "evidence": lapsing,
        "expiring_count": lapsing[0].expiring_total if lapsing else 0,
        "expired_count": lapsing[0].expired_total if lapsing else 0,
        "expiring_days": EXPIRING_WITHIN_DAYS,
        "today": today,
    }


def my_findings_panel(request) -> dict:
    """The auditee's findings waiting for their answer (the owner's first screen): one query."""
    findings, count = first_with_total(
        Finding.objects.restrict(request.user, "view")
        .live()
        .filter(MINE_TO_ANSWER, owner=request.user)
        .select_related("audit"),
        "created_at",
        "reference",
        shown=SHOWN,
    )
    return {
        "template": "audits/my_findings_panel.html",
        "findings_url": reverse("finding-list"),
        "findings": findings,
        "count": count,
    }

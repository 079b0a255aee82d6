"""Certification readiness checks computed from the Plan registers (aims.certification): scope, AIMS
documentation, AI policy, risks and opportunities, objectives, competence, document control, and the
rows whose registers come later (internal audit, management review, nonconformities).

Each check reads a constant number of queries, whatever the number of records."""

from django.db.models import Count, F, Q
from django.urls import reverse

from aims.certification import met, missing, no_register_yet, partial, shared
from aims.models import Lifecycle
from aims.registry import registry

from .models import (
    CompetenceRequirement,
    Document,
    Objective,
    Opportunity,
    Policy,
    Risk,
    RiskCriteria,
    ScopeStatement,
    TrainingRecord,
)


def link(label: str, url_name: str, query: str = "", args=()) -> tuple[str, str]:
    return label, reverse(url_name, args=args) + (f"?{query}" if query else "")


# -- documents mapped to a clause or control (7.5): shared by many checks, here and in lifecycle --------
def _mapped_documents() -> dict[str, list[tuple]]:
    """{requirement code: [(reference, title, status, next review)]}: live documents linked to ISO/IEC
    42001 requirements, in one query."""
    rows = (
        Document.requirements.through.objects.filter(
            document__archived_at__isnull=True, requirement__standard__key="iso42001"
        )
        .values_list(
            "requirement__code",
            "document__reference",
            "document__title",
            "document__status",
            "document__next_review_on",
        )
        .order_by("document__reference")
    )
    found: dict[str, list[tuple]] = {}
    for code, *doc in rows:
        found.setdefault(code, []).append(tuple(doc))
    return found


def documented(code: str, today, what: str):
    """An approved, current document linked to `code` -> met; one linked but a draft, obsolete or past
    its review -> partial; none -> None (the caller decides what else counts)."""
    documents = shared("mapped_documents", _mapped_documents).get(code, [])
    fix = link(f"Documents linked to {code}", "document-list", f"requirement={code}")
    for reference, title, status, review in documents:
        if status == Document.Status.APPROVED and (review is None or review >= today):
            return met(f"{reference} “{title}” ({what}) is approved and current.", fix)
    for reference, title, status, review in documents:
        if status == Document.Status.APPROVED:
            return partial(
                f"{reference} “{title}” ({what}) is approved but its review was due {review}.", fix
            )
        return partial(f"{reference} “{title}” ({what}) is {status}, not approved.", fix)
    return None


def need_document(code: str, today, what: str):
    return documented(code, today, what) or missing(
        f"No approved document for {what} is linked to {code}.",
        link("Record the document", "document-add"),
        link(f"Documents linked to {code}", "document-list", f"requirement={code}"),
    )


# -- publishable documents (scope 4.3, AI policy 5.2) ---------------------------------------------------
def _in_force(records, today, what: str, list_name: str):
    """Published and not past its review -> met; published but overdue, or not yet published -> partial."""
    found = list(records.order_by(F("published_on").desc(nulls_last=True), "-pk")[:5])
    add = link(f"Record the {what}", f"{list_name}-add")
    if not found:
        return missing(f"No {what} recorded.", add)
    # A published version stays in force while the next one is drafted, reviewed or approved.
    published = [r for r in found if r.published_on and r.status != Lifecycle.RETIRED]
    for record in published:
        own = link(record.reference, f"{list_name}-detail", args=[record.reference])
        if record.next_review_on is None or record.next_review_on >= today:
            return met(
                f"{record.reference} published on {record.published_on}, version {record.version_number}.",
                own,
            )
        return partial(
            f"{record.reference} is published but its review was due {record.next_review_on}.", own
        )
    record = found[0]
    own = link(record.reference, f"{list_name}-detail", args=[record.reference])
    return partial(f"{record.reference} is {record.get_status_display().lower()}, not yet published.", own)


def scope_statement(today):
    return _in_force(ScopeStatement.objects.live(), today, "scope statement", "scopestatement")


def ai_policy(today):
    return _in_force(Policy.objects.live().filter(kind=Policy.Kind.AI_POLICY), today, "AI policy", "policy")


def aims_documented(today):
    return need_document("4.4", today, "the AIMS manual or process map")


# -- risks (6.1, 8.2, 8.3) ---------------------------------------------------------------------------------
def _risk_counts(today):
    from .selectors import risks_awaiting_acceptance

    live = Risk.objects.live()
    counts = live.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(next_review_on__lt=today)),
        open=Count("pk", filter=~Q(status=Risk.Status.CLOSED)),
        untreated=Count("pk", filter=Q(status=Risk.Status.IDENTIFIED)),
    )
    counts["awaiting"] = risks_awaiting_acceptance(live).count()
    return counts


def risks(today):
    return shared(f"risk_counts:{today}", lambda: _risk_counts(today))


def risks_and_opportunities(today):
    n = risks(today)["total"]
    opportunities = Opportunity.objects.live().count()
    fix = link("AI risks", "risk-list")
    if n and opportunities:
        return met(f"{n} AI risks and {opportunities} opportunities recorded.", fix)
    if n or opportunities:
        lacking = "opportunities" if n else "AI risks"
        return partial(f"No {lacking} recorded yet.", fix, link("Opportunities", "opportunity-list"))
    return missing("Neither AI risks nor opportunities are recorded.", link("Record a risk", "risk-add"))


def risk_method(today):
    RiskCriteria.current()  # the criteria always exist (defaults); the method needs its document
    return documented("6.1.2", today, "the AI risk assessment method") or (
        partial(
            "Risk criteria are set, but no approved document describes the AI risk assessment method.",
            link("Risk criteria", "risk-criteria"),
            link("Record the method", "document-add"),
        )
        if risks(today)["total"]
        else missing("No AI risk assessed and no method documented.", link("Risk criteria", "risk-criteria"))
    )


def treatment_process(today):
    counts = risks(today)
    return documented("6.1.3", today, "the AI risk treatment process") or (
        partial(
            "Risks carry treatment plans, but no approved document describes the treatment process.",
            link("Record the process", "document-add"),
        )
        if counts["total"]
        else missing("No risk treatment recorded.", link("AI risks", "risk-list"))
    )


def treatment_accepted(today):
    counts = risks(today)
    if not counts["total"]:
        return missing(
            "No AI risk recorded, so no treatment plan to approve.", link("Record a risk", "risk-add")
        )
    if counts["awaiting"]:
        return partial(
            f"{counts['awaiting']} risks above the appetite wait for the board to accept the residual risk.",
            link("Risks awaiting acceptance", "risk-list", "above_appetite=true&accepted=false"),
        )
    return met("Every risk above the appetite has its residual risk accepted.", link("AI risks", "risk-list"))


def risk_assessments_current(today):
    counts = risks(today)
    if not counts["total"]:
        return missing("No AI risk assessment recorded.", link("Record a risk", "risk-add"))
    if counts["overdue"]:
        return partial(
            f"{counts['overdue']} of {counts['total']} risks are past their review date.",
            link("Overdue risks", "risk-list", "review=overdue"),
        )
    return met(
        f"All {counts['total']} risks were assessed within their review cadence.",
        link("AI risks", "risk-list"),
    )


def treatment_results(today):
    counts = risks(today)
    if not counts["total"]:
        return missing("No AI risk treatment recorded.", link("Record a risk", "risk-add"))
    if counts["untreated"]:
        return partial(
            f"{counts['untreated']} risks are still only identified: no treatment under way or decided.",
            link("Untreated risks", "risk-list", "status=identified"),
        )
    return met(
        f"All {counts['total']} risks are in treatment, accepted or closed.", link("AI risks", "risk-list")
    )


# -- objectives, competence, documents --------------------------------------------------------------------
def objectives(today):
    counts = Objective.objects.live().aggregate(
        total=Count("pk"),
        late=Count(
            "pk",
            filter=Q(due_on__lt=today) & ~Q(status__in=[Objective.Status.ACHIEVED, Objective.Status.MISSED]),
        ),
        overdue=Count("pk", filter=Q(next_review_on__lt=today)),
    )
    fix = link("AI objectives", "objective-list")
    if not counts["total"]:
        return missing("No AI objectives recorded.", link("Record an objective", "objective-add"))
    if counts["late"] or counts["overdue"]:
        return partial(
            f"{counts['late']} objectives are past their due date without a result; "
            f"{counts['overdue']} are past their review.",
            fix,
        )
    return met(f"{counts['total']} AI objectives, each on track or concluded.", fix)


def competence(today):
    requirements = CompetenceRequirement.objects.live().count()
    training = TrainingRecord.objects.live().aggregate(
        total=Count("pk"), expired=Count("pk", filter=Q(expires_on__lte=today))
    )
    matrix = link("Competence matrix", "competencerequirement-list")
    if not requirements or not training["total"]:
        lacking = "competence requirements" if not requirements else "training records"
        return missing(f"No {lacking} recorded: the competence matrix is empty.", matrix)
    if training["expired"]:
        return partial(
            f"{training['expired']} training records have expired.",
            link("Expired training", "trainingrecord-list", "expiry=expired"),
        )
    return met(
        f"{requirements} competence requirements; {training['total']} training records, none expired.", matrix
    )


def document_control(today):
    counts = Document.objects.live().aggregate(
        total=Count("pk"),
        approved=Count("pk", filter=Q(status=Document.Status.APPROVED)),
        overdue=Count("pk", filter=Q(next_review_on__lt=today) & ~Q(status=Document.Status.OBSOLETE)),
    )
    fix = link("Document register", "document-list")
    if not counts["approved"]:
        return missing("No approved document in the document register.", fix)
    if counts["overdue"]:
        return partial(
            f"{counts['overdue']} documents are past their review date.",
            link("Overdue documents", "document-list", "review=overdue"),
        )
    return met(f"{counts['approved']} approved documents, none past its review.", fix)


CHECKS = [
    ("4.3", "4.3", "Scope of the AIMS: a published scope statement", scope_statement),
    ("4.4", "4.4", "The AIMS and its processes, documented", aims_documented),
    ("5.2", "5.2", "AI policy in force", ai_policy),
    ("6.1.1", "6.1.1", "Actions on AI risks and opportunities", risks_and_opportunities),
    ("6.1.2", "6.1.2", "AI risk assessment process and criteria", risk_method),
    ("6.1.3-process", "6.1.3", "AI risk treatment process", treatment_process),
    ("6.1.3-plan", "6.1.3", "Risk treatment plan approved; residual risk accepted", treatment_accepted),
    ("6.2", "6.2", "AI objectives", objectives),
    ("7.2", "7.2", "Evidence of competence", competence),
    ("7.5.1", "7.5.1", "Documented information the AIMS needs, under control", document_control),
    ("8.2", "8.2", "Results of AI risk assessments", risk_assessments_current),
    ("8.3", "8.3", "Results of AI risk treatment", treatment_results),
    # Registers of their own, built separately: they replace these rows (same key) when they plug in.
    ("9.2.2", "9.2.2", "Internal audit programme and audit results", no_register_yet),
    ("9.3.3", "9.3.3", "Results of management reviews", no_register_yet),
    ("10.2", "10.2", "Nonconformities and corrective actions", no_register_yet),
]


def register_checks():
    for key, code, title, check in CHECKS:
        if key not in registry.readiness_checks:  # a register plugged in before keeps its own check
            registry.add_readiness_check(code, title, check, key=key)

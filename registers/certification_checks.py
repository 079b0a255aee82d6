"""Certification readiness checks computed from the Plan registers (aims.certification): scope, AIMS
documentation, AI policy, risks and opportunities, the treatment plan's approval and the results of risk
treatment, and the helpers other apps' checks share (`link`, `documented`). The other clauses of 4 to 7
are judged in registers/certification_clauses.py.

Each check reads a constant number of queries, whatever the number of records."""

from django.db.models import Count, F, Q
from django.urls import reverse

from aims.certification import fact, known, met, missing, partial, shared
from aims.models import Lifecycle
from aims.registry import registry

from .models import Document, Opportunity, Policy, Risk, RiskCriteria, ScopeStatement
from .selectors import risks_awaiting_acceptance, treatments_overdue, untreated
from .treatment_plan import current_plan

LINKED = 5  # records a gap names, each a link; the rest through the list that counts them all


def link(label: str, url_name: str, query: str = "", args=()) -> tuple[str, str]:
    return label, reverse(url_name, args=args) + (f"?{query}" if query else "")


# -- documents mapped to a clause or control (7.5): shared by many checks, here and in lifecycle --------
def _by_code(rows) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    for code, *doc in rows:
        found.setdefault(code, []).append(tuple(doc))
    return found


# {requirement code: [(reference, title, status, next review)]}: live documents linked to ISO/IEC 42001
# requirements.
fact(
    "mapped_documents",
    lambda: Document.requirements.through.objects.filter(
        document__archived_at__isnull=True, requirement__standard__key="iso42001"
    )
    .values_list(
        "requirement__code", "document__reference", "document__title", "document__status",
        "document__next_review_on",
    )
    .order_by("document__reference"),
    _by_code,
)  # fmt: skip


def documented(code: str, today, what: str):
    """An approved, current document linked to `code` -> met; one linked but a draft, obsolete or past
    its review -> partial; none -> None (the caller decides what else counts)."""
    documents = known("mapped_documents").get(code, [])
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
def _latest(records):
    return records.order_by(F("published_on").desc(nulls_last=True), "-pk")[:5]


def _in_force(records, today, what: str, list_name: str, found=None):
    """Published and not past its review -> met; published but overdue, or not yet published -> partial.
    `found`: the latest few records (_latest), when read already."""
    found = list(_latest(records)) if found is None else found
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


def _ai_policies():
    return Policy.objects.live().filter(kind=Policy.Kind.AI_POLICY)


fact("ai_policies", lambda: _latest(_ai_policies()))


def ai_policy(today):
    return _in_force(_ai_policies(), today, "AI policy", "policy", found=known("ai_policies"))


def aims_documented(today):
    return need_document("4.4", today, "the AIMS manual or process map")


# -- risks (6.1, 8.2, 8.3) ---------------------------------------------------------------------------------
def _risk_counts(today):
    live = Risk.objects.live()
    counts = live.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(next_review_on__lt=today)),
    )
    # The few risks each gap names, by reference (a page of gaps, not the register).
    counts["awaiting"] = list(
        risks_awaiting_acceptance(live).order_by("reference").values_list("reference", flat=True)
    )
    counts["untreated"] = list(untreated(live).order_by("reference").values_list("reference", "status"))
    counts["late"] = list(
        treatments_overdue(live, today).order_by("reference").values_list("reference", flat=True)
    )
    return counts


def risks(today):
    return shared(f"risk_counts:{today}", lambda: _risk_counts(today))


def risk_links(references, limit=LINKED) -> list[tuple[str, str]]:
    """Each named risk as a link to its page (the first `limit`, each once)."""
    return [(ref, reverse("risk-detail", args=[ref])) for ref in list(dict.fromkeys(references))[:limit]]


def refs(references, limit=LINKED) -> str:
    shown = ", ".join(references[:limit])
    return shown + (f" and {len(references) - limit} more" if len(references) > limit else "")


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


def treatment_plan_approved(today):
    """6.1.3: the treatment plan approved by designated management, as it stands now, and the residual
    risk of every risk above the appetite accepted, each on record. Met only when both hold."""
    counts = risks(today)
    plan_page = link("Treatment plan", "risk-treatment-plan")
    if not counts["total"]:
        return missing(
            "No AI risk recorded, so no treatment plan to approve.", link("Record a risk", "risk-add")
        )
    plan = shared("treatment_plan", current_plan)
    if not plan.rows:
        return missing("No AI risk is assessed yet, so there is no treatment plan to approve.", plan_page)
    approval = plan.approval
    if plan.state == "none":
        said = "The treatment plan has never been approved."
    elif plan.state == "stale":
        said = (
            f"The plan approved on {approval.approved_on:%Y-%m-%d} by {approval.approved_by} is out of date: "
            f"{plan.changes_text()}."
        )
    else:
        said = f"The plan approved on {approval.approved_on:%Y-%m-%d} by {approval.approved_by} is current."
    waiting = counts["awaiting"]
    if waiting:
        said += (
            f" {len(waiting)} risk{'s' if len(waiting) != 1 else ''} above the appetite "
            f"{'have' if len(waiting) != 1 else 'has'} no recorded acceptance of the residual risk: "
            f"{refs(waiting)}."
        )
    else:
        said += " Every risk above the appetite has its residual risk accepted."
    changed = [row["reference"] for row, _what in plan.changed] + [row["reference"] for row in plan.added]
    links = [plan_page, *risk_links(changed)]
    if waiting:
        links += [
            *(named for named in risk_links(waiting) if named not in links),
            link(f"All {len(waiting)} awaiting acceptance", "risk-list", "awaiting_acceptance=true"),
        ]
    if plan.state == "current" and not waiting:
        return met(said, *links)
    if plan.state == "none" and waiting:
        return missing(said, *links)
    return partial(said, *links)


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
    """8.3: every risk has its treatment under way or done -- none assessed (or only identified) with no
    treatment started, none past its treatment's due date without it in place."""
    counts = risks(today)
    total = counts["total"]
    if not total:
        return missing("No AI risk treatment recorded.", link("Record a risk", "risk-add"))
    assessed = [ref for ref, status in counts["untreated"] if status == Risk.Status.ASSESSED]
    identified = [ref for ref, status in counts["untreated"] if status == Risk.Status.IDENTIFIED]
    late = counts["late"]
    gaps, links = [], []
    if assessed:
        gaps.append(f"{len(assessed)} assessed with no treatment under way ({refs(assessed)})")
    if identified:
        gaps.append(f"{len(identified)} only identified, not yet assessed or treated ({refs(identified)})")
    if assessed or identified:
        links.append(link("Untreated risks", "risk-list", "status=identified&status=assessed"))
    if late:
        gaps.append(f"{len(late)} treatment{'s' if len(late) != 1 else ''} past the due date and not in place "
                    f"({refs(late)})")  # fmt: skip
        links.append(link("Overdue treatments", "risk-list", "treatment_overdue=true"))
    if not gaps:
        return met(
            f"All {total} risks are in treatment, accepted or closed; no treatment is past its due date.",
            link("AI risks", "risk-list"),
        )
    links += risk_links(assessed + identified + late)
    untreated_all = len(counts["untreated"]) == total
    result = missing if untreated_all else partial
    return result(f"Of {total} AI risks, " + "; ".join(gaps) + ".", *links)


CHECKS = [
    ("4.3", "4.3", "Scope of the AIMS: a published scope statement", scope_statement),
    ("4.4", "4.4", "The AIMS and its processes, documented", aims_documented),
    ("5.2", "5.2", "AI policy in force", ai_policy),
    ("6.1.1", "6.1.1", "Actions on AI risks and opportunities", risks_and_opportunities),
    ("6.1.2", "6.1.2", "AI risk assessment process and criteria", risk_method),
    ("6.1.3-process", "6.1.3", "AI risk treatment process", treatment_process),
    ("6.1.3-plan", "6.1.3", "Risk treatment plan approved; residual risk accepted", treatment_plan_approved),
    ("8.2", "8.2", "Results of AI risk assessments", risk_assessments_current),
    ("8.3", "8.3", "Results of AI risk treatment", treatment_results),
]


def register_checks():
    """The Plan registers' rows; 9.2, 9.3 and 10 come from the audit and review registers' own apps."""
    from .certification_clauses import CLAUSE_CHECKS

    for key, code, title, check in [*CHECKS, *CLAUSE_CHECKS]:
        registry.add_readiness_check(code, title, check, key=key)

"""Certification readiness of the Plan registers beyond scope, policy and risks: context (4.1), interested
parties (4.2), leadership (5.1), roles (5.3), objectives (6.2), planned changes (6.3), resources (7.1),
competence (7.2), awareness (7.3), communication (7.4) and documented information (7.5). Each judges
its clause from the register that serves it; a constant number of queries each."""

import datetime as dt

from django.db.models import Count, F, Max, Q

from aims.certification import fact, known, met, missing, partial, shared
from aims.models import Lifecycle
from aims.text import count
from aims.together import totals

from .certification_checks import LINKED, link
from .competence_gaps import GAP, competence_gaps
from .models import (
    Acknowledgement,
    AimsRole,
    BoardMeeting,
    Communication,
    ContextIssue,
    Decision,
    Document,
    InterestedParty,
    Objective,
    Obligation,
    PlannedChange,
    Policy,
    Resource,
)
from .models.context import Side
from .standard.decisions import overdue_q
from .standard.resources import open_gap

YEAR = dt.timedelta(days=365)


def _overdue(today) -> Count:
    return Count("pk", filter=Q(next_review_on__lt=today), distinct=True)


def _judged(gaps: list[str], what: str, done: str, *links):
    """partial naming the gaps, or met saying what was found."""
    if gaps:
        return partial(f"{what}, but " + "; ".join(gaps) + ".", *links)
    return met(done, *links)


# -- clause 4 ------------------------------------------------------------------------------------------
def context_issues(today):
    """4.1: the internal and external issues relevant to the AIMS, determined and kept under review."""
    counts = ContextIssue.objects.live().aggregate(
        total=Count("pk"),
        internal=Count("pk", filter=Q(side=Side.INTERNAL)),
        external=Count("pk", filter=Q(side=Side.EXTERNAL)),
        climate=Count("pk", filter=Q(climate_relevant=True)),
        overdue=_overdue(today),
    )
    fix = link("Context issues", "contextissue-list")
    if not counts["total"]:
        return missing(
            "No issue of the organisation's context is recorded.", link("Record an issue", "contextissue-add")
        )
    gaps = [f"no {side} issue" for side in ("internal", "external") if not counts[side]]
    if counts["overdue"]:
        gaps.append(f"{counts['overdue']} past their review date")
        fix = link("Context issues overdue for review", "contextissue-list", "review=overdue")
    return _judged(
        gaps,
        f"{count(counts['total'], 'context issue', 'context issues')} recorded",
        f"{counts['internal']} internal and {counts['external']} external issues, each reviewed on schedule; "
        f"{counts['climate']} marked relevant to climate change.",
        fix,
    )


def interested_parties(today):
    """4.2: the interested parties, their needs and expectations, and which of their requirements (the
    compliance obligations) apply -- each decided and kept under review."""
    parties = InterestedParty.objects.live().aggregate(
        total=Count("pk"), unstated=Count("pk", filter=Q(needs_and_expectations="")), overdue=_overdue(today)
    )
    obligations = Obligation.objects.live().aggregate(
        total=Count("pk"),
        assessing=Count("pk", filter=Q(applicability=Obligation.Applicability.ASSESSING)),
        overdue=_overdue(today),
    )
    fix = link("Interested parties", "interestedparty-list")
    if not parties["total"]:
        return missing("No interested party is recorded.", link("Record one", "interestedparty-add"))
    gaps, links = [], [fix, link("Compliance obligations", "obligation-list")]
    if parties["unstated"]:
        gaps.append(f"{count(parties['unstated'], 'party', 'parties')} without needs and expectations")
    if not obligations["total"]:
        gaps.append("no compliance obligation (their requirements) is recorded")
    if obligations["assessing"]:
        gaps.append(f"{count(obligations['assessing'], 'obligation', 'obligations')} still being assessed")
        links.append(link("Obligations being assessed", "obligation-list", "applicability=assessing"))
    late = parties["overdue"] + obligations["overdue"]
    if late:
        gaps.append(f"{late} past their review date")
    return _judged(
        gaps,
        f"{count(parties['total'], 'interested party', 'interested parties')} recorded",
        f"{parties['total']} interested parties with their needs; {obligations['total']} compliance "
        "obligations, each with its applicability decided.",
        *links,
    )


# -- clause 5 ------------------------------------------------------------------------------------------
def leadership(today):
    """5.1: top management shows its commitment on record -- the board met within the last year, takes
    and follows up decisions on the AIMS, and approved the AI policy."""
    last_meeting = (
        BoardMeeting.objects.live()
        .filter(status=BoardMeeting.Status.HELD)
        .aggregate(last=Max("held_on"))["last"]
    )
    decisions = Decision.objects.live().aggregate(
        total=Count("pk"), late=Count("pk", filter=overdue_q(today))
    )
    policy = (
        Policy.objects.live()
        .filter(kind=Policy.Kind.AI_POLICY, version_number__gte=1)
        .exclude(status=Lifecycle.RETIRED)
        .exists()
    )
    links = [link("Board meetings", "boardmeeting-list"), link("Board decisions", "decision-list")]
    if last_meeting is None and not decisions["total"] and not policy:
        return missing("No board meeting, board decision or approved AI policy is on record.", *links)
    gaps = []
    if last_meeting is None:
        gaps.append("no board meeting is recorded as held")
    elif last_meeting < today - YEAR:
        gaps.append(f"the board last met on {last_meeting:%Y-%m-%d}, over a year ago")
    if not decisions["total"]:
        gaps.append("no board decision is recorded")
    if decisions["late"]:
        gaps.append(f"{count(decisions['late'], 'board decision', 'board decisions')} past the due date")
        links.append(link("Overdue decisions", "decision-list", "overdue=true"))
    if not policy:
        gaps.append("the board has not approved an AI policy")
    if gaps:
        return partial(
            "Top management's commitment is partly on record, but " + "; ".join(gaps) + ".", *links
        )
    return met(
        f"The board last met on {last_meeting:%Y-%m-%d}, has {decisions['total']} decisions on record, none "
        "overdue, and approved the AI policy.",
        *links,
    )


# AIMS roles: how many, held by someone, with authorities written down. Distinct counts: the join through
# the people in a role would count a role once per person.
fact(
    "aims_roles",
    lambda: totals(
        AimsRole.objects.live(),
        total=Count("pk", distinct=True),
        held=Count("pk", filter=Q(people__isnull=False), distinct=True),
        authorities=Count("pk", filter=~Q(authorities=""), distinct=True),
    ),
    lambda rows: rows[0],
)


def _roles() -> dict:
    return known("aims_roles")


def roles_held(today):
    """A.3.2: the AI roles are defined and allocated."""
    counts = _roles()
    fix = link("AIMS roles", "aimsrole-list")
    if not counts["total"]:
        return missing("No AIMS role is defined.", fix)
    if counts["held"] < counts["total"]:
        return partial(
            f"{counts['total'] - counts['held']} of {counts['total']} AIMS roles have nobody in them.", fix
        )
    return met(f"{counts['total']} AIMS roles, each held by someone.", fix)


def roles_assigned(today):
    """5.3: roles with their responsibilities and authorities, assigned to people."""
    counts = _roles()
    fix = link("AIMS roles", "aimsrole-list")
    if not counts["total"]:
        return missing("No AIMS role is defined, so no responsibility or authority is assigned.", fix)
    gaps = []
    if counts["held"] < counts["total"]:
        gaps.append(f"{counts['total'] - counts['held']} have nobody assigned")
    if counts["authorities"] < counts["total"]:
        gaps.append(f"{counts['total'] - counts['authorities']} do not say what they may decide")
    return _judged(
        gaps,
        f"{count(counts['total'], 'AIMS role', 'AIMS roles')} defined",
        f"{counts['total']} AIMS roles, each with its responsibilities and authorities and someone in it.",
        fix,
    )


# -- clause 6 ------------------------------------------------------------------------------------------
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


def planned_changes(today):
    """6.3: changes to the AIMS are planned -- purpose and consequences considered -- and decided before
    the date they were planned for."""
    live = PlannedChange.objects.live().exclude(status=PlannedChange.Status.REJECTED)
    counts = live.aggregate(
        total=Count("pk"),
        undecided=Count("pk", filter=Q(status=PlannedChange.Status.PROPOSED, planned_for__lt=today)),
        unconsidered=Count("pk", filter=Q(consequences="")),
    )
    fix = link("Planned changes", "plannedchange-list")
    if not counts["total"]:
        return missing(
            "No planned change to the AIMS is recorded.", link("Plan a change", "plannedchange-add")
        )
    gaps = []
    if counts["undecided"]:
        gaps.append(
            f"{count(counts['undecided'], 'change', 'changes')} past the planned date still wait for a decision"
        )
    if counts["unconsidered"]:
        gaps.append(f"{count(counts['unconsidered'], 'change', 'changes')} without its possible consequences")
    return _judged(
        gaps,
        f"{count(counts['total'], 'change', 'changes')} to the AIMS planned",
        f"{counts['total']} changes to the AIMS planned, each with its consequences and decided in time.",
        fix,
    )


# -- clause 7 ------------------------------------------------------------------------------------------
def resources(today):
    """7.1: the resources the AIMS needs are determined, and provided (no gap left open)."""
    counts = Resource.objects.live().aggregate(
        total=Count("pk"), processes=Count("process", distinct=True), gaps=Count("pk", filter=open_gap())
    )
    if not counts["total"]:
        return missing("No resource of the AIMS is recorded.", link("Record a resource", "resource-add"))
    if counts["gaps"]:
        return partial(
            f"{counts['total']} resources recorded, but {count(counts['gaps'], 'gap', 'gaps')} still open.",
            link("Open resource gaps", "resource-list", "open_gap=true"),
        )
    return met(
        f"{counts['total']} resources recorded for {counts['processes']} AIMS processes; no gap open.",
        link("Resources", "resource-list"),
    )


def competence(today):
    """7.2: everyone holding an AIMS role has the competence its requirements ask for, person by person
    (registers.competence_gaps: the same cells the competence gaps page and the dashboard count)."""
    gaps = competence_gaps(today=today)
    page = link("Competence gaps", "competencerequirement-gaps")
    if not gaps.requirements or not gaps.rows:
        lacking = (
            "competence requirements for the AIMS roles" if not gaps.requirements else "people in AIMS roles"
        )
        return missing(f"No {lacking} recorded: nobody's competence can be shown.", page)
    if gaps.count(GAP):
        return partial(
            f"{gaps.count(GAP)} competences missing or expired for {gaps.people_with(GAP)} "
            f"{'person' if gaps.people_with(GAP) == 1 else 'people'} in AIMS roles.",
            link("Competence gaps", "competencerequirement-gaps", "state=gap"),
        )
    return met(
        f"All {gaps.count()} competences required of {len(gaps.rows)} people in AIMS roles are met.", page
    )


def awareness(today):
    """7.3: people are aware of the AI policy: everyone asked has acknowledged the version in force of
    each published policy."""
    in_force = Policy.objects.live().filter(published_on__isnull=False).exclude(status=Lifecycle.RETIRED)
    if not in_force.filter(kind=Policy.Kind.AI_POLICY).exists():
        return missing(
            "No AI policy is published, so nobody can be made aware of it.", link("Policies", "policy-list")
        )
    rows = list(
        Acknowledgement.objects.filter(
            policy__in=in_force, version_number=F("policy__version_number"), person__is_active=True
        )
        .values("policy__reference")
        .annotate(asked=Count("pk"), pending=Count("pk", filter=Q(acknowledged_at__isnull=True)))
        .order_by("policy__reference")
    )
    asked = sum(r["asked"] for r in rows)
    if not asked:
        return missing(
            "The AI policy is published, but nobody has been asked to acknowledge it.",
            link("Policies", "policy-list"),
        )
    waiting = [r for r in rows if r["pending"]]
    pending = sum(r["pending"] for r in waiting)
    links = [
        link(r["policy__reference"], "policy-detail", args=[r["policy__reference"]]) for r in waiting[:LINKED]
    ]
    if pending:
        named = ", ".join(f"{r['policy__reference']} ({r['pending']})" for r in waiting[:LINKED])
        return partial(
            f"{pending} of {asked} acknowledgements of the policies in force are pending: {named}.", *links
        )
    return met(
        f"All {asked} people asked have acknowledged the policies in force.", link("Policies", "policy-list")
    )


def communication(today):
    """7.4: a communication plan with internal and external lines, each carried out when due."""
    counts = Communication.objects.live().aggregate(
        total=Count("pk"),
        inside=Count("pk", filter=Q(internal=True)),
        outside=Count("pk", filter=Q(internal=False)),
        overdue=_overdue(today),
    )
    fix = link("Communication plan", "communication-list")
    if not counts["total"]:
        return missing("The communication plan is empty.", link("Plan a communication", "communication-add"))
    sides = {"internal": counts["inside"], "external": counts["outside"]}
    gaps = [f"no {side} communication is planned" for side, n in sides.items() if not n]
    if counts["overdue"]:
        gaps.append(f"{count(counts['overdue'], 'communication', 'communications')} past the due date")
        fix = link("Overdue communications", "communication-list", "review=overdue")
    return _judged(
        gaps,
        f"{count(counts['total'], 'line', 'lines')} in the communication plan",
        f"{counts['inside']} internal and {counts['outside']} external communications planned, none overdue.",
        fix,
    )


def _documents(today) -> dict:
    return shared(
        f"document_counts:{today}",
        lambda: (
            Document.objects.live()
            .exclude(status=Document.Status.OBSOLETE)
            .aggregate(
                total=Count("pk", distinct=True),
                approved=Count("pk", filter=Q(status=Document.Status.APPROVED), distinct=True),
                drafts=Count("pk", filter=Q(status=Document.Status.DRAFT), distinct=True),
                linked=Count("pk", filter=Q(requirements__isnull=False), distinct=True),
                overdue=_overdue(today),
            )
        ),
    )


def documented_information(today):
    """7.5.1: the AIMS holds the documented information it needs: approved documents, linked to the
    clauses and controls they serve."""
    counts = _documents(today)
    fix = link("Document register", "document-list")
    if not counts["approved"]:
        return missing("No approved document in the document register.", fix)
    if not counts["linked"]:
        return partial(f"{counts['approved']} approved documents, none linked to a clause or control.", fix)
    return met(
        f"{counts['approved']} approved documents; {counts['linked']} linked to the clauses and controls they serve.",
        fix,
    )


def documents_approved(today):
    """7.5.2: documents are reviewed and approved when created or updated: no draft left unapproved."""
    counts = _documents(today)
    if not counts["total"]:
        return missing("No document is recorded.", link("Record a document", "document-add"))
    if counts["drafts"]:
        return partial(
            f"{counts['drafts']} of {counts['total']} documents are drafts, not yet reviewed and approved.",
            link("Draft documents", "document-list", "status=draft"),
        )
    return met(
        f"All {counts['total']} documents in use are approved.", link("Document register", "document-list")
    )


def document_control(today):
    """7.5.3: documented information is kept under control: each document reviewed when due."""
    counts = _documents(today)
    if not counts["total"]:
        return missing(
            "No document is recorded, so none is under control.", link("Record a document", "document-add")
        )
    if counts["overdue"]:
        return partial(
            f"{counts['overdue']} of {counts['total']} documents are past their review date.",
            link("Overdue documents", "document-list", "review=overdue"),
        )
    return met(
        f"All {counts['total']} documents in use are within their review date.",
        link("Document register", "document-list"),
    )


CLAUSE_CHECKS = [
    ("4.1", "4.1", "Internal and external issues of the context", context_issues),
    ("4.2", "4.2", "Interested parties, their needs and requirements", interested_parties),
    ("5.1", "5.1", "Leadership and commitment on record", leadership),
    ("5.3", "5.3", "AIMS roles, responsibilities and authorities assigned", roles_assigned),
    ("6.2", "6.2", "AI objectives", objectives),
    ("6.3", "6.3", "Changes to the AIMS planned", planned_changes),
    ("7.1", "7.1", "Resources for the AIMS", resources),
    ("7.2", "7.2", "Evidence of competence", competence),
    ("7.3", "7.3", "Awareness: the AI policy acknowledged", awareness),
    ("7.4", "7.4", "Communication plan carried out", communication),
    ("7.5.1", "7.5.1", "Documented information the AIMS needs", documented_information),
    ("7.5.2", "7.5.2", "Documents reviewed and approved", documents_approved),
    ("7.5.3", "7.5.3", "Documented information under control", document_control),
]

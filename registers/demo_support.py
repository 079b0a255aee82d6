"""Demo records for Northbank Credit's leadership and support registers: AIMS roles and RACI (5.3),
board meetings and decisions, concerns (A.3.3), resources (7.1), competence and training (7.2),
the communication plan (7.4) and documents (7.5). Made through each register's services, so history
is real; entered in the demo ledger (aims.demo), so a second run creates nothing and leaves what people
did to them alone."""

import datetime as dt

from django.utils import timezone

from aims import demo

from .content.sop_templates import SOP_TEMPLATES
from .models import AimsRole, BoardMeeting, Communication, Concern, Course, Document, Resource
from .standard import (
    aims_roles,
    board_meetings,
    communications,
    competence,
    concerns,
    courses,
    decisions,
    documents,
    resources,
    training,
)

ROLES = [
    ("AIMS manager", "manager", ["manager"],
     "Runs the AIMS day to day: registers, cadences, internal reporting, concern triage.",
     "Assigns owners and approvers; stops a release that skipped a stage gate.",
     {"context": "R", "policy": "R", "risk": "A", "impact": "A", "objectives": "R", "change": "R",
      "competence": "A", "communication": "A", "documents": "A", "monitoring": "A", "incident": "A",
      "improvement": "A", "audit": "C", "review": "R"}),
    ("Governance board", "manager", ["board", "board2"],
     "Sets the AI policy and risk appetite, approves the SoA and risk acceptance, runs management review.",
     "Approves policies, the SoA, acceptance of risks above appetite and stage gates.",
     {"context": "A", "policy": "A", "objectives": "A", "change": "A", "review": "A", "risk": "C", "audit": "I"}),
    ("AI system owner", "manager", ["owner", "owner2", "owner3"],
     "Owns one or more AI systems through their life cycle, their risks and impact assessments.",
     "Accepts residual risk up to the appetite for their systems.",
     {"risk": "R", "impact": "R", "lifecycle": "A", "data": "A", "suppliers": "R", "monitoring": "R",
      "incident": "R", "improvement": "R", "objectives": "C"}),
    ("Internal auditor", "manager", ["auditor"],
     "Plans and performs internal audits of the AIMS, independent of what is audited.",
     "Reports findings to the governance board.",
     {"audit": "A", "review": "C", "improvement": "I"}),
]  # fmt: skip

COURSES = [
    ("ISO/IEC 42001 Lead Implementer", "Accredited training provider", "5 days", 36),
    ("AI risk and impact assessment in practice", "Northbank Academy", "1 day", 24),
    ("Fairness testing for credit models", "Northbank Academy", "half a day", 12),
    ("Internal auditing of management systems", "Accredited training provider", "3 days", None),
    ("AI literacy for all staff", "Northbank Academy (e-learning)", "90 minutes", 12),
]

REQUIREMENTS = [
    ("Knows the ISO/IEC 42001 requirements and how the AIMS meets them", "AIMS manager",
     ["ISO/IEC 42001 Lead Implementer"]),
    ("Can assess AI risks and impacts with the organisation's criteria", "AI system owner",
     ["AI risk and impact assessment in practice"]),
    ("Can read and act on fairness test results", "AI system owner", ["Fairness testing for credit models"]),
    ("Audits to ISO 19011 practice", "Internal auditor", ["Internal auditing of management systems"]),
    ("Understands AI, its limits and the AI policy", "Governance board", ["AI literacy for all staff"]),
    # No course teaches it: met by evidence of experience (EVIDENCE below).
    ("Understands credit-scoring models well enough to audit them", "Internal auditor", []),
]  # fmt: skip

# (person, course, completed this many days ago)
TRAINING = [
    ("manager", "ISO/IEC 42001 Lead Implementer", 400),
    ("owner", "AI risk and impact assessment in practice", 200),
    ("owner", "Fairness testing for credit models", 330),  # expiring within weeks
    ("owner2", "AI risk and impact assessment in practice", 760),  # expired
    ("owner3", "Fairness testing for credit models", 60),
    ("auditor", "Internal auditing of management systems", 900),
    ("board", "AI literacy for all staff", 100),
]
# Gaps the demo shows on /competence/gaps/: board2 lacks AI literacy, owner2's risk assessment course has
# expired and the fairness course was never taken, owner3 has not taken the risk assessment course.

# (person, competence requirement, obtained this many days ago, title, what the evidence is)
EVIDENCE = [
    ("auditor", "Understands credit-scoring models well enough to audit them", 500,
     "Five years of credit model validation",
     "Validated the retail scoring models 2019-2024 before joining internal audit; CV and two signed "
     "validation reports attached to the HR file."),
]  # fmt: skip

RESOURCES = [
    ("ML engineers for model validation", "risk", "people", "2 FTE shared with credit model validation", "2 FTE",
     "A third validator is needed before the collections model goes live."),
    ("AIMS tooling", "documents", "tooling", "This AIMS application, hosted by group IT.", "EUR 12k a year", ""),
    ("Fairness testing budget", "impact", "budget", "External fairness review of high-risk models.", "EUR 40k a year",
     ""),
    ("GPU capacity for retraining", "lifecycle", "compute", "On-premises GPU room, 8 cards.", "8 GPUs",
     "No failover site: a cooling failure stops retraining."),
]  # fmt: skip

COMMUNICATIONS = [
    ("AI policy briefing for new joiners", "The AI policy, acceptable use and how to raise a concern.",
     "All new staff", "training", True, 30),
    ("Quarterly AIMS report to the board", "Risks above appetite, objectives, incidents, audit results.",
     "Governance board", "report", True, 91),
    ("Customer notice on automated credit decisions", "That scoring is automated, the main factors, how to ask "
     "for human review.", "Loan applicants", "website", False, 365),
]  # fmt: skip


def _new(model, title) -> bool:
    return not demo.seeded(model, title)


def _roles(users) -> int:
    created = 0
    for title, who, people, responsibilities, authorities, letters in ROLES:
        if not _new(AimsRole, title):
            continue
        role = aims_roles.services.create(
            actor=users[who],
            fields={"title": title, "responsibilities": responsibilities, "authorities": authorities,
                    "people": [users[p] for p in people]},
        )  # fmt: skip
        demo.remember(role, title)
        aims_roles.raci_set(role, actor=users[who], expected_version=role.version, letters=letters)
        created += 1
    return created


def _board(users) -> int:
    title = "AIMS steering, Q3 2026"
    if not _new(BoardMeeting, title):
        return 0
    today = timezone.localdate()
    held = board_meetings.services.create(
        actor=users["board"],
        fields={
            "title": title,
            "held_on": today - dt.timedelta(days=75),
            "status": "held",
            "attendees": [users["board"], users["board2"], users["manager"]],
            "agenda": "1. Readiness results\n2. Risk appetite for credit scoring\n3. Collections pilot",
            "minutes": "The board reviewed the baseline readiness assessment and agreed the implementation plan. "
            "It confirmed the appetite (residual score up to 9 without board acceptance) and asked for an "
            "impact assessment before the collections pilot.",
        },
    )
    demo.remember(held, title)
    board_meetings.services.create(
        actor=users["board"],
        fields={"title": "AIMS steering, Q1 2027", "held_on": today + dt.timedelta(days=40),
                "agenda": "1. Management review inputs\n2. Internal audit programme"},
    )  # fmt: skip
    for text, rationale, days, status, owner in [
        ("Impact assessment before the collections pilot", "High-risk use under the EU AI Act (Annex III).", -10,
         "open", "owner"),
        ("Hire a third model validator", "Validation capacity is the main gap in 7.1.", 60, "in_progress", "manager"),
        ("Adopt the readiness implementation plan", "Gaps from the baseline assessment.", -30, "done", "manager"),
    ]:  # fmt: skip
        decisions.services.create(
            actor=users["board"],
            fields={"title": text, "meeting": held, "decision": text, "rationale": rationale,
                    "due_on": today + dt.timedelta(days=days), "status": status, "owner": users[owner]},
        )  # fmt: skip
    return 5


def _concerns(users) -> int:
    title = "Chatbot quoted an interest rate that does not exist"
    if demo.seeded(Concern, title):
        return 0
    first = concerns.services.create(
        actor=users["owner2"],
        fields={"title": title, "system_note": "Customer-support chatbot (Ask Northbank)",
                "description": "A customer was told 2.9% APR on a personal loan; our lowest rate is 6.4%."},
    )  # fmt: skip
    demo.remember(first, title)
    concerns.triage(
        first, actor=users["manager"], expected_version=first.version, outcome="risk",
        reason="Hallucinated product terms can mislead customers; needs grounding checks.",
    )  # fmt: skip
    concerns.services.create(
        actor=users["owner3"],
        fields={"title": "CV screening seems to down-rank career gaps", "system_note": "CV screening",
                "description": "Candidates returning from parental leave rarely pass the first screen.",
                "anonymous": True},
    )  # fmt: skip
    return 2


def _support(users) -> int:
    created = 0
    today = timezone.localdate()
    manager = users["manager"]
    for title, process, kind, description, quantity, gap in RESOURCES:
        if _new(Resource, title):
            made = resources.services.create(
                actor=manager,
                fields={"title": title, "process": process, "kind": kind, "description": description,
                        "quantity": quantity, "gap": gap},
            )  # fmt: skip
            demo.remember(made, title)
            created += 1
    for title, provider, duration, months in COURSES:
        if _new(Course, title):
            made = courses.services.create(
                actor=manager,
                fields={"title": title, "provider": provider, "duration": duration, "valid_months": months},
            )
            demo.remember(made, title)
            created += 1
    # The demo's own courses and roles, however people renamed them; a deleted one is left out.
    by_title = {t: c for t, *_ in COURSES if (c := demo.find(Course, t))}
    roles_by_title = {t: r for t, *_ in ROLES if (r := demo.find(AimsRole, t))}
    from .models import CompetenceRequirement, TrainingRecord

    for title, role, course_titles in REQUIREMENTS:
        if _new(CompetenceRequirement, title):
            made = competence.services.create(
                actor=manager,
                fields={"title": title, "role": roles_by_title.get(role),
                        "courses": [by_title[t] for t in course_titles if t in by_title]},
            )  # fmt: skip
            demo.remember(made, title)
            created += 1
    for person, title, days_ago, record_title, notes in EVIDENCE:
        requirement = demo.find(CompetenceRequirement, title)
        if requirement is not None and _new(TrainingRecord, record_title):
            made = training.services.create(
                actor=manager,
                fields={"person": users[person], "competence": requirement,
                        "completed_on": today - dt.timedelta(days=days_ago), "title": record_title,
                        "notes": notes},
            )  # fmt: skip
            demo.remember(made, record_title)
            created += 1
    if (
        demo.first_time("registers:training")
        and not TrainingRecord.objects.filter(course__isnull=False).exists()
    ):
        for person, course, days_ago in TRAINING:
            if course not in by_title:
                continue
            training.services.create(
                actor=manager,
                fields={"person": users[person], "course": by_title[course],
                        "completed_on": today - dt.timedelta(days=days_ago), "title": ""},
            )  # fmt: skip
            created += 1
    for title, message, audience, channel, internal, cadence in COMMUNICATIONS:
        if _new(Communication, title):
            made = record = communications.services.create(
                actor=manager,
                fields={"title": title, "message": message, "audience": audience, "channel": channel,
                        "internal": internal, "review_cadence": cadence},
            )  # fmt: skip
            if cadence == 91:
                communications.log_communication(
                    record,
                    actor=manager,
                    expected_version=record.version,
                    note="Sent with the Q3 board pack.",
                )
            demo.remember(made, title)
            created += 1
    for slug in ("sop-model-development", "sop-deployment"):
        template = SOP_TEMPLATES[slug]
        if _new(Document, template["title"]):
            made = documents.services.create(
                actor=manager,
                fields={"title": template["title"], "kind": "sop", "content": template["content"],
                        "status": "approved", "approver": users["board"], "owner": manager},
            )  # fmt: skip
            demo.remember(made, template["title"])
            created += 1
    if _new(Document, "Regulation (EU) 2024/1689 (AI Act)"):
        made = documents.services.create(
            actor=manager,
            fields={"title": "Regulation (EU) 2024/1689 (AI Act)", "kind": "external", "document_version": "OJ L 2024",
                    "status": "approved", "approver": users["board"], "classification": "public",
                    "location": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"},
        )  # fmt: skip
        demo.remember(made, "Regulation (EU) 2024/1689 (AI Act)")
        created += 1
    return created


def seed_support(users) -> int:
    return _roles(users) + _board(users) + _concerns(users) + _support(users)

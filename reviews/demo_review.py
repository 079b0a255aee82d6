"""The demo management review for Northbank Credit (ISO/IEC 42001 9.3): last year's review held a month
ago and signed off by a board member who did not chair it, its inputs frozen from the demo registers, four
outputs tracked as actions (one done, one overdue), and the next review planned. Everything goes through
the services, so status, history and the frozen inputs are the real thing. Entered in the demo ledger
(aims.demo): a second run creates nothing and leaves what people did to them alone."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from aims import demo
from aims.models import Requirement

from .improvement import nc_services
from .models import ManagementReview, Nonconformity
from .services import action_services, freeze_inputs, record_meeting, review_services, sign_off

HELD_TITLE = "Annual management review of the AIMS"
REVIEW_NC = "Chatbot supplier changed its model without notice"
NEXT_TITLE = "Next annual management review of the AIMS"

MINUTES = "\n\n".join(
    [
        "Chaired by the Chief Risk Officer. The AIMS manager presented the frozen inputs.",
        "1. Actions from the previous review: none; this is the first management review kept in AIMS.\n"
        "2. Context: the EU AI Act high-risk obligations for credit scoring and CV screening now drive the plan.\n"
        "3. Monitoring: the approval-rate ratio across applicant groups fell all year towards its warning "
        "threshold, and the chatbot grounded-answer rate is in warning. Both systems stay under close watch.\n"
        "4. Risks: the critical risks above the appetite were discussed one by one, the postcode proxy and the "
        "chatbot's invented loan terms first.\n"
        "5. Incidents: the incident of the period was reviewed with its containment.",
        "Conclusion: the AIMS remains suitable, adequate and effective, with the four actions below.",
    ]
)

# title, kind, owner, days from the meeting to the due date, status, description
ACTIONS = [
    ("Replace postcode district in the credit model with a regional index", "improvement", "owner", 45, "done",
     "Decided: pursue the fairness opportunity found in the bias assessment; retrain and re-test disparate impact."),
    ("Fund a second fairness analyst for bias assessments", "resources", "manager", 20, "open",
     "The bias assessment backlog delays releases; the board approved the budget for a second analyst."),
    ("Add supplier model-change notice to the AI supplier policy", "change", "owner2", 90, "in_progress",
     "Silent LLM upgrades changed the chatbot's behaviour twice; the supplier policy must require 30 days' notice."),
    ("Run the EU AI Act gap analysis for CV screening", "change", "owner3", 120, "open",
     "Hiring AI is high-risk under Annex III; close the gaps before the obligations apply."),
]  # fmt: skip


@transaction.atomic
def seed_review(users: dict) -> int:
    """Create the held review (with its actions) and the next one if they are not there; returns how many."""
    created = 0
    today = timezone.localdate()
    held_on = today - dt.timedelta(days=30)
    if not demo.seeded(ManagementReview, HELD_TITLE):
        _held_review(users, held_on)
        created += 1 + len(ACTIONS)
    if not demo.seeded(ManagementReview, NEXT_TITLE):
        upcoming = review_services.create(
            actor=users["manager"],
            fields={
                "title": NEXT_TITLE,
                "scheduled_on": held_on + dt.timedelta(days=335),
                "period_from": held_on,
                "period_to": held_on + dt.timedelta(days=334),
                "chair": users["board"],
                "attendees": [users[u] for u in ("manager", "board2", "owner", "owner2", "owner3")],
                "owner": users["manager"],
                "review_cadence": 365,
            },
            requirements=_clauses(),
        )
        demo.remember(upcoming, NEXT_TITLE)
        created += 1
    return created


def _nonconformity_found(review, users) -> None:
    """The review found that the supplier clause was not followed: a nonconformity raised at it, which
    the review's page lists and which names the review."""
    if demo.seeded(Nonconformity, REVIEW_NC):
        return
    found = nc_services.create(
        actor=users["manager"],
        fields={
            "title": REVIEW_NC,
            "source": Nonconformity.Source.REVIEW,
            "review": review,
            "description": "The LLM platform supplier upgraded the chatbot's model twice in the period without "
            "the notice our supplier requirements ask for; nobody re-tested the chatbot before the change.",
            "grade": Nonconformity.Grade.MINOR,
            "containment": "The supplier confirmed no further change before 30 days' notice.",
            "owner": users["owner2"],
        },
        requirements=list(Requirement.objects.filter(standard__key="iso42001", code__in=["8.1", "A.10.3"])),
    )
    demo.remember(found, REVIEW_NC)


def _clauses():
    return list(Requirement.objects.filter(standard__key="iso42001", code__in=["9.3.1", "9.3.2", "9.3.3"]))


def _held_review(users, held_on):
    manager = users["manager"]
    review = review_services.create(
        actor=manager,
        fields={
            "title": HELD_TITLE,
            "scheduled_on": held_on,
            "period_from": held_on - dt.timedelta(days=365),
            "period_to": held_on - dt.timedelta(days=1),
            "chair": users["board"],
            "attendees": [users[u] for u in ("manager", "board2", "owner", "owner2", "owner3", "auditor")],
            "owner": manager,
            "review_cadence": 365,
        },
        requirements=_clauses(),
    )
    demo.remember(review, HELD_TITLE)
    review = freeze_inputs(review, actor=manager, expected_version=review.version)
    review = record_meeting(
        review,
        actor=manager,
        expected_version=review.version,
        held_on=held_on.isoformat(),
        minutes=MINUTES,
        present="board board2 manager owner owner2 owner3",
    )
    for title, kind, who, days, status, description in ACTIONS:
        due = held_on + dt.timedelta(days=days)  # the resourcing one is overdue by now
        action_services.create(
            actor=manager,
            fields={
                "title": title,
                "review": review,
                "kind": kind,
                "description": description,
                "due_on": due,
                "status": status,
                "completed_on": held_on + dt.timedelta(days=14) if status == "done" else None,
                "owner": users[who],
                "review_cadence": 91,
            },
            requirements=_clauses()[-1:],
        )
    _nonconformity_found(review, users)
    review.refresh_from_db()
    # Chaired by the Chief Risk Officer, so the Chief Operating Officer signs off (four eyes).
    return sign_off(
        review, actor=users["board2"], expected_version=review.version, note="Signed off for the board."
    )

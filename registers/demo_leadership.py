"""Demo records for Northbank Credit's scope (4.3), policies (5.2) and readiness assessments: created
through the registers' services and the approval lifecycle, so versions, acknowledgements and history
are real. Entered in the demo ledger (aims.demo), so a second run creates nothing and leaves what
people did to them alone."""

import datetime as dt

from django.utils import timezone

from aims import demo, publishing, roles

from . import readiness
from .content.policy_templates import TEMPLATES
from .models import ImplementationAction, Policy, ReadinessAssessment, ScopeStatement
from .standard import implementation, policies, scope

SCOPE_V1 = {
    "title": "AIMS scope: Northbank Credit retail lending and servicing",
    "boundaries": "Northbank Credit's retail lending, fraud and customer-service operations in the EU, run from "
    "the Lisbon and Dublin offices and the group data platform.",
    "systems_in_scope": "Credit scoring (Northbank Score v3); fraud detection; customer-support chatbot; "
    "CV screening; loan-document OCR",
    "systems_out_of_scope": "Treasury pricing models (covered by the market-risk model framework).",
    "units_in_scope": "Credit decisioning; fraud and customer operations; talent acquisition; data platform.",
    "units_out_of_scope": "Treasury; the commercial-lending subsidiary.",
    "ai_roles": ["producer", "customer"],
    "interfaces": "OCR and chatbot vendors (A.10); group IT for hosting; the credit bureau for data.",
    "exclusions": "A.10.4 (customer relationships as an AI provider): we do not provide AI systems to others.",
}


def _publish(record, owner, board, summary):
    record = publishing.submit(record, actor=owner, expected_version=record.version)
    record = publishing.approve(record, actor=board, expected_version=record.version, change_summary=summary)
    return publishing.publish(record, actor=owner, expected_version=record.version)


def _seed_scope(users) -> int:
    if demo.seeded(ScopeStatement, SCOPE_V1["title"]):
        return 0
    manager, board = users["manager"], users["board"]
    record = demo.remember(scope.services.create(actor=manager, fields=SCOPE_V1))
    record = _publish(record, manager, board, "First scope of the AIMS")
    record = publishing.revise(record, actor=manager, expected_version=record.version)
    record = scope.services.update(
        record,
        actor=manager,
        expected_version=record.version,
        fields={
            "systems_in_scope": SCOPE_V1["systems_in_scope"] + "; collections prioritisation model (pilot)",
            "ai_roles": ["producer", "customer", "partner"],
        },
    )
    _publish(record, manager, board, "Collections pilot added; we now also supply data to a partner")
    return 1


def _seed_policies(users) -> int:
    created = 0
    board, manager = users["board"], users["manager"]
    for key, status in (("ai-policy", "published"), ("ethics", "published"), ("acceptable-use", "in_review")):
        template = TEMPLATES[key]
        if demo.seeded(Policy, template["title"]):
            continue
        fields = {k: v for k, v in template.items() if k != "label"}
        fields["acknowledge_roles"] = [roles.OWNER, roles.MANAGER] if key == "ai-policy" else [roles.OWNER]
        record = demo.remember(policies.services.create(actor=manager, fields=fields))
        if status == "published":
            record = _publish(record, manager, board, "First issue")
        else:
            publishing.submit(record, actor=manager, expected_version=record.version)
        created += 1
    ai_policy = demo.find(Policy, TEMPLATES["ai-policy"]["title"])
    if (
        ai_policy is not None
        and ai_policy.status == "published"
        and demo.first_time("registers:ai-policy-read")
    ):
        # Two of the people asked have read it: the dashboard and the policy page show who has not.
        for username in ("owner", "manager"):
            pending = policies.pending_for(users[username], ai_policy)
            if pending.exists():
                policies.acknowledge(ai_policy, actor=users[username])
    return created


def _rate(assessment, actor, ratings):
    data = {}
    for answer in assessment.answers.select_related("requirement"):
        value = ratings.get(answer.requirement.code, ratings.get("*"))
        data[f"maturity-{answer.pk}"] = "" if value is None else str(value)
    return readiness.save_answers(assessment, actor=actor, expected_version=assessment.version, data=data)


def _seed_readiness(users) -> int:
    if demo.seeded(ReadinessAssessment, "Baseline before the AIMS"):
        return 0
    manager = users["manager"]
    today = timezone.localdate()
    first = readiness.services.create(
        actor=manager,
        fields={"title": "Baseline before the AIMS", "assessed_on": today - dt.timedelta(days=240)},
    )
    demo.remember(first)
    first = _rate(
        first,
        manager,
        {"*": 1, "4.1": 2, "6.1.2": 2, "8.2": 2, "A.7": 2, "7.5.1": 2, "9.2.1": 0, "9.2.2": 0, "9.3.1": 0},
    )
    first = readiness.services.update(
        first, actor=manager, expected_version=first.version, fields={"status": "complete"}
    )
    readiness.raise_actions(first, actor=manager)
    second = readiness.services.create(
        actor=manager,
        fields={"title": "Six months into the implementation", "assessed_on": today - dt.timedelta(days=20)},
    )
    _rate(
        second,
        manager,
        {
            "*": 3,
            "4.1": 4,
            "6.1.2": 4,
            "6.1.4": 2,
            "9.2.1": 1,
            "9.2.2": 2,
            "9.3.1": 2,
            "10.1": 2,
            "A.6": 2,
            "A.9": 2,
            "A.10": 1,
        },
    )
    for action in ImplementationAction.objects.filter(assessment=first).order_by("due_on")[:6]:
        implementation.services.update(
            action, actor=manager, expected_version=action.version, fields={"status": "done"}
        )
    return 2


def seed_leadership(users) -> int:
    return _seed_scope(users) + _seed_policies(users) + _seed_readiness(users)

"""Demo records for Northbank Credit's clause 4 and 6 registers: context, interested parties,
obligations, opportunities, AI objectives and planned changes. Created through the core record
services, so each has real history; entered in the demo ledger (aims.demo), so a second run creates
nothing and leaves what people did to them alone."""

import datetime as dt

from django.utils import timezone

from aims import demo, records
from aims.models import Requirement

from .models import ContextIssue, InterestedParty, Objective, Obligation, Opportunity, PlannedChange, Risk

CONTEXT = [
    ("EU AI Act makes credit scoring and hiring high-risk", "owner", "external", "legal",
     "Annex III lists creditworthiness assessment and recruitment; obligations apply from August 2026.",
     "Drives the impact assessments, logging and human-oversight work of the AIMS.", False,
     ["EU AI Act high-risk obligations"], ["4.1", "A.5.2"]),
    ("Regulator's focus on fair lending outcomes", "owner", "external", "political",
     "The conduct regulator reviews outcome testing for protected groups in consumer credit.",
     "Raises the bar for fairness testing evidence.", False, ["Postcode acts as a proxy"], ["4.1"]),
    ("Small ML team with key-person dependency", "manager", "internal", "weakness",
     "Three data scientists maintain five models; two hold most of the knowledge.",
     "Limits how fast treatment plans can be delivered.", False, [], ["7.1", "7.2"]),
    ("Customers expect instant decisions", "owner2", "external", "social",
     "Digital-first competitors decide in seconds; customers compare.",
     "Pressure to automate more decisions, which the AIMS must keep accountable.", False, [], ["4.1"]),
    ("Heat waves stress the on-premises GPU room", "manager", "internal", "environmental",
     "Two cooling incidents in summer 2026 slowed batch scoring.",
     "Availability of AI systems; climate change is relevant to the AIMS.", True, ["GPU cluster failure"], ["4.1"]),
    ("Mature model risk management from the credit risk function", "manager", "internal", "strength",
     "Independent model validation already exists for the regulatory capital models.",
     "Validation practice can extend to all AI systems.", False, [], ["A.6.2.4"]),
]  # fmt: skip

PARTIES = [
    ("Loan applicants", "external", 3, 5, "Fair, explained decisions; a human to appeal to; privacy.",
     "Adverse-action reasons, human review on request, data protection."),
    ("Financial conduct regulator", "external", 5, 4, "Compliance with consumer credit and AI rules; evidence on demand.",
     "Registers, impact assessments, fairness tests and audit trail."),
    ("Board of directors", "internal", 5, 4, "AI risk within appetite; reputation protected.",
     "Dashboards, risk acceptance and management review results."),
    ("Model and data vendors", "external", 2, 3, "Clear requirements and fair terms.", "Supplier requirements (A.10)."),
    ("Customer operations staff", "internal", 2, 4, "Tools that work and clear escalation when AI is wrong.",
     "Training, reporting of concerns (A.3.3)."),
]  # fmt: skip

OBLIGATIONS = [
    ("EU AI Act: deployer duties for high-risk systems", "law", "Regulation (EU) 2024/1689 Art. 26",
     "Financial conduct regulator", "applies", "",
     "Serious incidents of the credit and hiring systems: to the provider, then the market surveillance "
     "authority, without undue delay (Art. 26(5), Art. 73); workers' representatives told before the hiring "
     "system is used (Art. 26(7))."),
    ("EU AI Act: transparency for the chatbot", "law", "Regulation (EU) 2024/1689 Art. 50",
     "Loan applicants", "applies", "", "Tell each customer at the start of a chat that they talk to an AI system."),
    ("GDPR: automated decisions", "law", "GDPR Art. 22", "Loan applicants", "applies", "",
     "Tell applicants of a solely automated decision, its logic and how to ask for human review (Art. 13-14, 22)."),
    ("OCR vendor contract: data retention clause", "contract", "Master services agreement §7.3",
     "Model and data vendors", "partly", "Applies to loan-file images only; extracted fields are ours.", ""),
    ("EU AI Act: general-purpose AI provider duties", "law", "Regulation (EU) 2024/1689 Art. 53",
     "", "not_applicable", "We deploy but do not provide general-purpose models.", ""),
]  # fmt: skip

OBJECTIVES = [
    ("Fair credit outcomes across groups", "owner", "Approval-rate ratio per protected group, monthly",
     ">= 0.8 for every group", 120, "on_track", 60),
    ("Every high-risk AI system has a current impact assessment", "manager",
     "Share of high-risk systems with an assessment reviewed in the last 12 months", "100%", 60, "at_risk", 40),
    ("Chatbot answers grounded in the product catalogue", "owner2", "Share of sampled answers with a correct source",
     ">= 98% on 200 monthly samples", 90, "on_track", 75),
    ("AI literacy training for all staff who use AI", "manager", "Share of staff with completed training",
     "95% by year end", -10, "missed", 70),
]  # fmt: skip

OPPORTUNITIES = [
    ("Reuse credit model validation for all AI systems", "manager", "Independent validation at little extra cost.",
     "pursuing", ["Every high-risk AI system has a current impact assessment"]),
    ("Explainable scores as a customer feature", "owner", "Fewer complaints and appeals; trust.",
     "evaluating", ["Fair credit outcomes across groups"]),
]  # fmt: skip

CHANGES = [
    ("Move the fraud model to streaming features", "owner2", "Catch card-not-present fraud within seconds.",
     "Drift monitoring and event logging must follow the new pipeline.", 45, "approved"),
    ("Replace the OCR vendor", "owner", "Lower error rate on payslips; EU data residency.",
     "New supplier assessment and data-retention terms.", 90, "proposed"),
]  # fmt: skip


def _reqs(codes):
    return list(Requirement.objects.mappable().filter(code__in=codes))


def _new(model, title) -> bool:
    return not demo.seeded(model, title)


def seed_plan(users) -> int:
    """Create what is missing; returns how many records were created."""
    today = timezone.localdate()
    created = 0
    for title, who, side, category, description, effect, climate, risk_titles, codes in CONTEXT:
        if _new(ContextIssue, title):
            risks = [r for t in risk_titles for r in Risk.objects.live().filter(title__startswith=t)]
            made = records.create_record(
                ContextIssue,
                actor=users[who],
                fields={
                    "title": title,
                    "owner": users[who],
                    "side": side,
                    "category": category,
                    "description": description,
                    "effect_on_aims": effect,
                    "climate_relevant": climate,
                    "risks": risks,
                },
                requirements=_reqs(codes),
            )
            demo.remember(made, title)
            created += 1
    parties = {}
    for title, side, influence, interest, needs, addressed in PARTIES:
        if _new(InterestedParty, title):
            made = records.create_record(
                InterestedParty,
                actor=users["manager"],
                fields={
                    "title": title,
                    "owner": users["manager"],
                    "side": side,
                    "influence": influence,
                    "interest": interest,
                    "needs_and_expectations": needs,
                    "requirements_addressed": addressed,
                },
                requirements=_reqs(["4.2"]),
            )
            demo.remember(made, title)
            created += 1
        parties[title] = demo.find(InterestedParty, title)  # None once people deleted or archived it
    for title, kind, source, party, applicability, note, reporting in OBLIGATIONS:
        if _new(Obligation, title):
            made = records.create_record(
                Obligation,
                actor=users["manager"],
                fields={
                    "title": title,
                    "owner": users["manager"],
                    "kind": kind,
                    "source": source,
                    "interested_party": parties.get(party),
                    "applicability": applicability,
                    "applicability_note": note,
                    "reporting_duty": reporting,
                },
                requirements=_reqs(["4.2", "A.8.5"] if reporting else ["4.2"]),
            )
            demo.remember(made, title)
            created += 1
    for title, who, measure, target, due_in, status, progress in OBJECTIVES:
        if _new(Objective, title):
            made = records.create_record(
                Objective,
                actor=users[who],
                fields={
                    "title": title,
                    "owner": users[who],
                    "measure": measure,
                    "target": target,
                    "due_on": today + dt.timedelta(days=due_in),
                    "status": status,
                    "progress": progress,
                },
                requirements=_reqs(["6.2"]),
            )
            demo.remember(made, title)
            created += 1
    for title, who, benefit, status, objective_titles in OPPORTUNITIES:
        if _new(Opportunity, title):
            made = records.create_record(
                Opportunity,
                actor=users[who],
                fields={
                    "title": title,
                    "owner": users[who],
                    "expected_benefit": benefit,
                    "status": status,
                    "objectives": [o for t in objective_titles if (o := demo.find(Objective, t))],
                },
                requirements=_reqs(["6.1.1"]),
            )
            demo.remember(made, title)
            created += 1
    for title, who, purpose, consequences, in_days, status in CHANGES:
        if _new(PlannedChange, title):
            change = records.create_record(
                PlannedChange,
                actor=users[who],
                fields={
                    "title": title,
                    "owner": users[who],
                    "purpose": purpose,
                    "consequences": consequences,
                    "planned_for": today + dt.timedelta(days=in_days),
                },
                requirements=_reqs(["6.3"]),
            )
            demo.remember(change, title)
            if status == "approved":
                _approve(change, users["board"], today)
            created += 1
    return created


def _approve(change, board_member, today):
    def prepare(record, before):
        record.approved_by, record.approved_on, record.status = (
            board_member,
            today,
            PlannedChange.Status.APPROVED,
        )

    records.update_record(
        change,
        actor=board_member,
        expected_version=change.version,
        fields={},
        note="Approved at the October governance board.",
        prepare=prepare,
        action=records.Action.ACCEPTED,
    )

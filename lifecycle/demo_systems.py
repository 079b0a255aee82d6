"""Demo AI systems for Northbank Credit: five systems at different life-cycle stages, classified under
the EU AI Act through the questionnaire -- every question answered by the system's owner, the result
confirmed by the governance board (four eyes) -- so the inventory, priorities and dossiers have real
content. Their titles are the names the demo risks use. Entered in the demo ledger (aims.demo), so a
second run creates nothing and leaves what people did to them alone."""

from aims import demo
from aims.records import update_record
from registers.demo_names import CHATBOT, CREDIT, FRAUD, HIRING, OCR

from . import eu_ai_act
from .classification import answer_classification, confirm_classification
from .models import AISystem, Supplier
from .standard.ai_systems import services


def answers(area: str, *yes: str) -> dict:
    """A full set of answers: the Annex III area, yes to the questions named, no to every other one."""
    return {**{key: key in yes for key in eu_ai_act.yes_no_keys()}, "annex_iii": area}


# title: (owner, fields, stage it was already at when brought into the AIMS, EU AI Act answers). Northbank is
# a private bank: neither a public body nor a private entity providing public services.
SYSTEMS = {
    CREDIT: ("owner", {
        "purpose": "Scores applications for consumer loans to decide approval and pricing.",
        "intended_use": "Decision support for credit officers on personal loans up to EUR 50k.",
        "foreseeable_misuse": "Used for small-business lending it was not trained for; scores read as final.",
        "kind": "ml", "origin": "in_house", "ai_role": "producer",
        "deployment_context": "Online and branch applications in Portugal and Ireland.", "languages": "pt, en",
        "affected_people": "Loan applicants", "vulnerable_groups": "Applicants in financial difficulty",
        "personal_data": True, "automation": "in_loop", "criticality": 5,
        "oversight": "A credit officer approves every decline and can override the score with a reason.",
        "data_resources": "Bureau data, application data, 7 years of repayment history",
        "compute_resources": "On-premises GPU room; batch scoring nightly, online scoring API",
        "human_resources": "2 data scientists, 1 model validator", "publish_to_stakeholders": True,
    }, "operation", answers("essential_credit", "profiling")),
    FRAUD: ("owner2", {
        "purpose": "Flags card transactions likely to be fraudulent for review or blocking.",
        "kind": "ml", "origin": "in_house", "ai_role": "producer", "personal_data": True,
        "automation": "on_loop", "criticality": 4,
        "oversight": "Fraud analysts review flagged transactions within 15 minutes; customers can dispute.",
        "affected_people": "Card holders",
    }, "operation", answers("none")),
    CHATBOT: ("owner2", {
        "purpose": "Answers customer questions about products and accounts.",
        "kind": "generative", "origin": "mixed", "ai_role": "customer", "personal_data": True,
        "automation": "advisory", "criticality": 3, "languages": "pt, en",
        "oversight": "Hands over to a person on request or when unsure; answers are logged and sampled.",
        "affected_people": "Customers and prospects", "publish_to_stakeholders": True,
    }, "validation", answers("none", "t_interacts", "t_synthetic")),
    HIRING: ("owner3", {
        "purpose": "Ranks job applications for recruiters.",
        "kind": "nlp", "origin": "supplied", "ai_role": "customer", "personal_data": True,
        "automation": "in_loop", "criticality": 4,
        "oversight": "A recruiter reads every application the model ranks below the cut-off.",
        "affected_people": "Job applicants", "vulnerable_groups": "Career returners, people with disabilities",
    }, "development", answers("employment")),
    OCR: ("owner", {
        "purpose": "Extracts fields from payslips and bank statements in loan files.",
        "kind": "vision", "origin": "supplied", "ai_role": "customer", "personal_data": True,
        "automation": "on_loop", "criticality": 2,
        "oversight": "Low-confidence fields go to an operator; applicants confirm extracted income.",
    }, "design", None),
}  # fmt: skip


# Who supplies the systems that are not built in-house; lifecycle/demo.py records the first two in full.
SUPPLIED_BY = {
    OCR: ("DocuSense OCR", "model", "Document OCR and field-extraction model."),
    CHATBOT: ("Conversa LLM platform", "platform", "Hosted large language model API."),
    HIRING: ("TalentRank screening", "model", "CV parsing and ranking service for recruiters."),
}


def _supplier(system_title, manager):
    from .standard import suppliers

    title, kind, supplies = SUPPLIED_BY[system_title]
    found = demo.find(Supplier, title, live=False) or Supplier.objects.filter(title=title).first()
    return found or suppliers.services.create(
        actor=manager, fields={"title": title, "kind": kind, "supplies": supplies}
    )


def seed_systems(users) -> int:
    created = 0
    for title, (who, fields, stage, given) in SYSTEMS.items():
        if demo.seeded(AISystem, title):
            continue
        owner = users[who]
        data = {"title": title, "owner": owner, **fields}
        if data["origin"] != "in_house":
            data["supplier"] = _supplier(title, users["manager"])
        system = demo.remember(services.create(actor=users["manager"], fields=data), title)
        if given is not None:
            system = answer_classification(
                system, actor=owner, expected_version=system.version, answers=given
            )
            system = confirm_classification(system, actor=users["board"], expected_version=system.version)
        if stage != "design":
            update_record(
                system,
                actor=users["manager"],
                expected_version=system.version,
                fields={},
                prepare=lambda locked, before, stage=stage: setattr(locked, "stage", stage),
                note="Already at this stage when brought into the AIMS; later moves go through gates.",
            )
        created += 1
    return created

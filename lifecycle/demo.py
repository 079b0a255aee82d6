"""Demo suppliers (ISO/IEC 42001 A.10) and AI incidents (A.8.4) for Northbank Credit. Made through each
register's services, so history is real; entered in the demo ledger (aims.demo), so a second run creates
nothing and leaves what people did to them alone. One serious
incident is unreported with its EU AI Act deadline two days away, so the dashboard and reminders show it;
another was reported within its deadline and awaits its complete report (Art. 73(5)).

AI systems are linked by title when the inventory's demo has made them, and left empty otherwise."""

import datetime as dt

from django.utils import timezone

from aims import demo
from registers.demo_names import CHATBOT, CREDIT, OCR  # noqa: E402

from .models import AISystem, Incident, Supplier
from .standard import suppliers
from .standard.incidents.services import draft_incident, log_communication
from .standard.incidents.services import services as incidents

SUPPLIERS = [
    ("owner", {
        "title": "DocuSense OCR", "kind": "model", "status": "approved",
        "supplies": "Document OCR and field-extraction model that reads payslips, bank statements and ID "
        "documents in loan applications.",
        "due_diligence": "Security questionnaire and SOC 2 Type II report reviewed; accuracy tested on 2,000 "
        "of our own scanned documents (98.6% field accuracy); data processing agreement signed; documents "
        "are not used to train their models.",
        "due_diligence_days_ago": 120,
        "responsibilities": "DocuSense: model accuracy, version notes before each release, 30 days' notice of "
        "changes. Northbank: sample checks of extracted fields, human review of low-confidence fields.",
        "contract_reference": "PROC-2024-117",
    }),
    ("owner2", {
        "title": "Conversa LLM platform", "kind": "platform", "status": "conditional",
        "supplies": "Hosted large language model API behind the Ask Northbank customer-support chatbot.",
        "due_diligence": "Model card and usage policy reviewed; red-team results requested; EU data residency "
        "confirmed. Condition: no customer account data in prompts until their retention terms are fixed.",
        "due_diligence_days_ago": 45,
        "responsibilities": "Conversa: platform security, abuse monitoring, notice of model changes. "
        "Northbank: prompt design, guardrails, conversation monitoring, handover to a person.",
        "contract_reference": "PROC-2025-031",
    }),
    ("owner", {
        "title": "Meridian Credit Bureau", "kind": "data", "status": "approved",
        "supplies": "Credit bureau files and bureau scores used as inputs to the credit scoring model.",
        "due_diligence": "Data lineage and accuracy statement reviewed; dispute process checked; licence "
        "allows use in automated credit decisions.",
        "due_diligence_days_ago": 300,
        "responsibilities": "Meridian: file accuracy, daily delivery, correction of disputed records within "
        "28 days. Northbank: checks on each delivery's completeness and freshness before scoring.",
        "contract_reference": "DATA-2019-004",
    }),
]  # fmt: skip

INCIDENTS = [
    ("owner", CREDIT, {
        "title": "Stale bureau data declined 312 credit applicants",
        "severity": "high", "status": "investigating", "detected_days_ago": 13, "occurred_days_ago": 15,
        "description": "A failed bureau delivery went unnoticed for two days; the credit model scored "
        "applicants on files up to a month old and declined 312 who would have been approved.",
        "harm": "Credit wrongly refused; some applicants may have gone to costlier lenders.",
        "people_affected": 312,
        "containment": "Automated declines paused; affected applications re-scored on fresh data and "
        "reviewed by underwriters.",
        "serious": True, "serious_kind": "general",
        "log": [("Governance board", "Incident summary, containment and the reporting deadline.")],
    }),
    ("owner", CREDIT, {
        "title": "Score drift declined applicants over 60 at twice the usual rate",
        "severity": "high", "status": "investigating", "detected_days_ago": 30, "occurred_days_ago": 34,
        "reported_days_ago": 19,
        "description": "After the bureau's format change the score under-weighted long credit histories; "
        "decline rates for applicants over 60 doubled for four days before the fairness monitor caught it.",
        "harm": "Credit refused on grounds linked to age: an infringement of the right to non-discrimination.",
        "people_affected": 146,
        "containment": "Declines for applicants over 60 routed to underwriters; score re-weighted and "
        "re-validated; affected applicants re-assessed.",
        "serious": True, "serious_kind": "general",
        "log": [("Market surveillance authority", "Initial report (Art. 73): facts known so far, the people "
                 "affected and the containment; complete report to follow after root-cause analysis.")],
    }),
    ("owner2", CHATBOT, {
        "title": "Chatbot quoted another customer's repayment date",
        "severity": "medium", "status": "resolved", "detected_days_ago": 40, "occurred_days_ago": 40,
        "description": "Ask Northbank answered a question about repayment dates with another customer's date, "
        "taken from a cached conversation.",
        "harm": "Disclosure of one repayment date; no account number or name.",
        "people_affected": 2,
        "containment": "Conversation cache switched off; fix verified by 500 test conversations.",
        "log": [("Both customers", "Apology and explanation by phone and letter."),
                ("Data protection officer", "Assessed as not reportable under GDPR Art. 33.")],
    }),
]  # fmt: skip

OCR_DRAFT = {
    "title": "OCR misread income on scanned payslips",
    "description": "Field accuracy on payslip income fell to 94% this week, below the 98% threshold.",
    "severity": "medium",
    "drafted_from": "KPI breach: OCR field accuracy below 98%",
}


def _system(title):
    return demo.find(AISystem, title)


def _suppliers(users) -> int:
    today = timezone.localdate()
    created = 0
    for who, spec in SUPPLIERS:
        if demo.seeded(Supplier, spec["title"]):
            continue
        fields = {k: v for k, v in spec.items() if k != "due_diligence_days_ago"}
        fields["due_diligence_on"] = today - dt.timedelta(days=spec["due_diligence_days_ago"])
        made = suppliers.services.create(actor=users["manager"], fields={**fields, "owner": users[who]})
        demo.remember(made, spec["title"])
        created += 1
    return created


def _incidents(users) -> int:
    today = timezone.localdate()
    created = 0
    for who, system, spec in INCIDENTS:
        if demo.seeded(Incident, spec["title"]):
            continue
        fields = {k: v for k, v in spec.items() if not k.endswith("_days_ago") and k != "log"}
        fields["detected_on"] = today - dt.timedelta(days=spec["detected_days_ago"])
        fields["occurred_at"] = timezone.now() - dt.timedelta(days=spec["occurred_days_ago"])
        if "reported_days_ago" in spec:  # the initial report, within its deadline
            fields["reported_on"] = today - dt.timedelta(days=spec["reported_days_ago"])
        incident = incidents.create(
            actor=users[who], fields={**fields, "system": _system(system), "owner": users[who]}
        )
        demo.remember(incident, spec["title"])
        for audience, message in spec["log"]:
            incident = log_communication(
                incident,
                actor=users[who],
                expected_version=incident.version,
                audience=audience,
                message=message,
            )
        created += 1
    if not demo.seeded(Incident, OCR_DRAFT["title"]):
        demo.remember(
            draft_incident(actor=users["owner"], system=_system(OCR), **OCR_DRAFT), OCR_DRAFT["title"]
        )
        created += 1
    return created


def seed_lifecycle_suppliers_incidents(users) -> int:
    """Three suppliers and four incidents; returns how many records were created."""
    return _suppliers(users) + _incidents(users)

"""Demo internal audits for Northbank Credit: this year's audit programme, one audit carried through to
closed (checklist, a minor nonconformity, an observation and an opportunity for improvement, each
answered by its auditee), one in fieldwork whose finding waits for Sofia Marin's answer, and one audit
still planned. Everything goes through the services, so the
history is real; entered in the demo ledger (aims.demo), so a second run creates nothing and leaves what
people did to them alone."""

import datetime as dt

from django.utils import timezone

from aims import demo
from aims.models import Requirement
from lifecycle.models import AISystem
from registers.demo_names import CHATBOT, CREDIT, FRAUD, HIRING

from . import checklist
from . import programme as planning
from .models import Audit, AuditProgramme, Finding, Frequency, Result
from .services import answer_finding, audit_services, close_audit, close_finding, report_audit, start_audit
from .standard.programmes import services as programme_services

DONE_TITLE = "AI risk management and the credit scoring model"
PLANNED_TITLE = "Competence, concerns and incident communication"
FIELDWORK_TITLE = "Monitoring of the fraud detection model"
FIELDWORK_FINDING = (
    "The fraud model's false-positive rate is reported monthly, but no threshold says when it calls for "
    "action, and two months above the usual rate were not discussed."
)

# requirement code: (result, notes, auditee, response, proposed action) for the items that are not
# conforming; every other item of the completed audit conforms.
NOT_CONFORMING = {
    "A.6.2.4": (
        Result.MINOR,
        "Model version 3.2 of the credit score went live on 3 March; its fairness evaluation was recorded on "
        "10 March. The release checklist allows release before the evaluation is filed.",
        "owner",
        "Agreed. The evaluation was run before release but filed a week late.",
        "Make a filed evaluation a blocking check of the release gate; retrain the team by month end.",
    ),
    "A.7.4": (
        Result.OBSERVATION,
        "Data quality checks run monthly, but the representativeness of applicants under 25 is not among "
        "them, although a risk names that group.",
        "owner",
        "Noted: we will add an age-band representativeness check.",
        "Add the age-band check to the monthly data quality report.",
    ),
    "6.1.2": (
        Result.OFI,
        "Risk likelihood and impact are justified in free text; a short rationale template would make "
        "assessments easier to compare.",
        "manager",
        "Good idea; we will add a rationale template to the risk form.",
        "Draft a rationale template and trial it in the next risk review.",
    ),
}


def _reqs(*codes):
    return list(Requirement.objects.filter(standard__key="iso42001", code__in=codes))


def _system(title):
    return demo.find(AISystem, title, live=False)


def _programme(users, today) -> AuditProgramme:
    manager = users["manager"]
    programme = programme_services.create(
        actor=manager,
        fields={
            "title": f"Internal audit programme {today.year}",
            "year": today.year,
            "owner": manager,
            "objectives": "Cover every clause and the Annex A controls that treat our highest risks in "
            "the three-year cycle; audit high-risk AI systems twice a year.",
            "method": "Document review, interviews with owners and sampling of records; reports go to the "
            "governance board.",
        },
    )
    plan = [("6.1.2", 4, None, ""), ("A.6.2.4", 4, None, ""), ("A.7.4", 4, None, ""),
            ("7.2", 9, Frequency.HALF_YEARLY, "New AI literacy duties under the EU AI Act (Art. 4)."),
            ("A.3.3", 9, None, ""), ("A.8.4", 10, None, "")]  # fmt: skip
    # The rest of the three-year cycle, month by month; 7.4, 10.1 and most of Annex A are not reached yet.
    later = ["4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1.1", "6.1.3", "6.1.4", "6.2", "6.3", "7.1",
             "7.3", "7.5.1", "7.5.2", "7.5.3", "8.1", "8.2", "8.3", "8.4", "9.1", "9.2.1", "9.2.2", "9.3.1",
             "9.3.2", "9.3.3", "10.2", "A.2.2", "A.5.2", "A.6.2.6"]  # fmt: skip
    plan += [(code, 1 + n % 12, None, "") for n, code in enumerate(later)]
    for code, month, frequency, reason in plan:
        planning.save_item(programme, actor=manager, requirement=_reqs(code)[0], planned_month=month,
                           frequency=frequency, override_reason=reason)  # fmt: skip
    for title, month in ((CREDIT, 4), (CHATBOT, 9), (HIRING, 11)):
        system = _system(title)
        if system is not None:
            planning.save_item(programme, actor=manager, system=system, planned_month=month)
    return programme


def _completed_audit(users, programme, today) -> Audit:
    grace, manager = users["auditor"], users["manager"]
    credit = _system(CREDIT)
    audit = audit_services.create(
        actor=manager,
        fields={
            "title": DONE_TITLE, "programme": programme, "owner": manager, "lead_auditor": grace,
            "criteria": "ISO/IEC 42001 6.1.2, A.6.2.4 and A.7.4; our AI risk procedure and model release checklist.",
            "scope": _reqs("6.1.2", "A.6.2.4", "A.7.4"), "systems": [credit] if credit else [],
            "starts_on": today - dt.timedelta(days=60), "ends_on": today - dt.timedelta(days=58),
            "conclusion": "Risk management works and is owned; one release control let a model go live "
            "before its fairness evaluation was filed.",
        },
    )  # fmt: skip
    audit = start_audit(audit, actor=grace, expected_version=audit.version)
    checklist.generate(audit, actor=grace)
    seen = set()
    for item in audit.checklist.select_related("requirement"):
        code = item.requirement.code if item.requirement_id else None
        if code in NOT_CONFORMING and code not in seen:
            seen.add(code)
            result, notes, auditee, *_ = NOT_CONFORMING[code]
            checklist.save_item(item, actor=grace, expected_version=item.version, question=item.question,
                                result=result, notes=notes, auditee=users[auditee],
                                records_sampled=credit.reference if credit else "")  # fmt: skip
        else:
            checklist.save_item(item, actor=grace, expected_version=item.version, question=item.question,
                                result=Result.CONFORMING, notes="Sampled records meet the requirement.")  # fmt: skip
    audit.refresh_from_db()
    audit = report_audit(audit, actor=grace, expected_version=audit.version)
    for finding in Finding.objects.filter(audit=audit).select_related("requirement"):
        _result, _notes, auditee, response, action = NOT_CONFORMING[finding.requirement.code]
        finding = answer_finding(finding, actor=users[auditee], expected_version=finding.version,
                                 response=response, proposed_action=action)  # fmt: skip
        close_finding(finding, actor=grace, expected_version=finding.version, note="Answer accepted.")
    audit.refresh_from_db()
    return close_audit(audit, actor=manager, expected_version=audit.version)


def _planned_audit(users, programme, today) -> Audit:
    chatbot = _system(CHATBOT)
    return audit_services.create(
        actor=users["manager"],
        fields={
            "title": PLANNED_TITLE, "programme": programme, "owner": users["manager"],
            "lead_auditor": users["auditor"],
            "criteria": "ISO/IEC 42001 7.2, A.3.3 and A.8.4; the training plan and the incident procedure.",
            "scope": _reqs("7.2", "A.3.3", "A.8.4"), "systems": [chatbot] if chatbot else [],
            "starts_on": today + dt.timedelta(days=21), "ends_on": today + dt.timedelta(days=23),
        },
    )  # fmt: skip


def _fieldwork_audit(users, programme, today) -> Audit:
    """In progress: the first item is a minor nonconformity for the fraud model's owner to answer, raised
    16 days ago (so it is already overdue for an answer); the rest is not assessed yet."""
    grace, fraud = users["auditor"], _system(FRAUD)
    audit = audit_services.create(
        actor=users["manager"],
        fields={
            "title": FIELDWORK_TITLE, "programme": programme, "owner": users["manager"], "lead_auditor": grace,
            "criteria": "ISO/IEC 42001 9.1 and A.6.2.6; the monitoring plan of the fraud detection model.",
            "scope": _reqs("9.1", "A.6.2.6"), "systems": [fraud] if fraud else [],
            "starts_on": today - dt.timedelta(days=18), "ends_on": today + dt.timedelta(days=4),
        },
    )  # fmt: skip
    audit = start_audit(audit, actor=grace, expected_version=audit.version)
    checklist.generate(audit, actor=grace)
    item = audit.checklist.select_related("requirement").first()
    checklist.save_item(item, actor=grace, expected_version=item.version, question=item.question,
                        result=Result.MINOR, notes=FIELDWORK_FINDING, auditee=users["owner2"],
                        records_sampled=fraud.reference if fraud else "")  # fmt: skip
    raised = timezone.now() - dt.timedelta(days=16)  # the demo's past: raised during the first week
    Finding.objects.filter(checklist_item=item).update(created_at=raised)
    return audit


def seed_audits(users) -> int:
    """Create what is missing; returns how many records were created."""
    today = timezone.localdate()
    made = 0
    title = f"Internal audit programme {today.year}"
    if not demo.seeded(AuditProgramme, title):
        demo.remember(_programme(users, today), title)
        made += 1
    programme = demo.find(AuditProgramme, title, live=False)
    if programme is None:
        return made  # people deleted the programme: its audits are not made without it
    for audit_title, make, count in (
        (DONE_TITLE, _completed_audit, lambda audit: 1 + audit.findings.count()),
        (FIELDWORK_TITLE, _fieldwork_audit, lambda audit: 2),
        (PLANNED_TITLE, _planned_audit, lambda audit: 1),
    ):
        if not demo.seeded(Audit, audit_title):
            audit = demo.remember(make(users, programme, today), audit_title)
            made += count(audit)
    return made

"""Demo certification for Northbank Credit: Meridian Certification's stage 1 audit (ready for stage 2, one
area of concern), its stage 2 audit (recommended for certification, one minor nonconformity, raised as a
nonconformity through the same action a finding's page offers), the certificate it granted, and the first
surveillance audit planned. Everything goes through the services; matched by title, so a second run
creates nothing."""

import datetime as dt

from django.utils import timezone

from aims import demo
from aims.models import Requirement
from aims.registry import registry

from . import checklist
from .certificates import certificate_services
from .models import Audit, Finding, Result
from .services import answer_finding, audit_services, close_audit, close_finding, report_audit, start_audit

BODY = "Meridian Certification Ltd"
BODY_AUDITOR = "Dr. Helena Varga"
STAGE_1 = "ISO/IEC 42001 certification, stage 1"
STAGE_2 = "ISO/IEC 42001 certification, stage 2"
SURVEILLANCE = "First surveillance audit"
CERTIFICATE = "ISO/IEC 42001 certificate"
CRITERIA = "ISO/IEC 42001:2023 clauses 4 to 10 and the Annex A controls of our Statement of Applicability."
SCOPE_STATEMENT = (
    "The AI management system of Northbank Credit for the design, validation and operation of AI systems "
    "in consumer credit scoring, fraud detection and customer service."
)

# (requirement code, grade, what the body found, auditee, response, proposed action)
STAGE_1_CONCERN = (
    "9.3.2", Result.OBSERVATION,
    "Area of concern for stage 2: the first management review took no input from interested parties' "
    "feedback; the feedback log existed but was not summarised.",
    "manager", "Agreed: the feedback summary becomes a standing input.",
    "Add the feedback summary to the management review agenda before stage 2.",
)  # fmt: skip
STAGE_2_MINOR = (
    "7.5.3", Result.MINOR,
    "Two superseded versions of the AI risk procedure were still reachable on the intranet next to the "
    "approved version; staff interviewed could not tell which one applies.",
    "owner", "Agreed. Old versions were never withdrawn when the procedure was revised.",
    "Withdraw superseded versions on publication and mark the approved one; check the intranet monthly.",
)  # fmt: skip


def _body_audit(users, *, title, stage, starts_on, codes, certificate=None):
    manager = users["manager"]
    return audit_services.create(
        actor=manager,
        fields={
            "title": title, "kind": Audit.Kind.CERTIFICATION, "stage": stage, "certification_body": BODY,
            "body_auditor": BODY_AUDITOR, "criteria": CRITERIA, "owner": manager,
            "scope": list(Requirement.objects.mappable().filter(code__in=codes)),
            "starts_on": starts_on, "ends_on": starts_on + dt.timedelta(days=2), "certificate": certificate,
        },
    )  # fmt: skip


def _record(audit, users, finding, outcome, conclusion):
    """What the body reported, transcribed by the AIMS manager: its finding on the checklist, answered by
    the auditee, and the body's outcome."""
    manager = users["manager"]
    code, grade, notes, auditee, response, action = finding
    audit = start_audit(audit, actor=manager, expected_version=audit.version)
    requirement = Requirement.objects.mappable().get(code=code)
    item = checklist.add_item(audit, actor=manager, question=f"What did {BODY} find on {code}?",
                              requirement=requirement)  # fmt: skip
    checklist.save_item(item, actor=manager, expected_version=item.version, question=item.question,
                        result=grade, notes=notes, auditee=users[auditee])  # fmt: skip
    audit.refresh_from_db()
    audit = audit_services.update(audit, actor=manager, expected_version=audit.version,
                                  fields={"outcome": outcome, "conclusion": conclusion})  # fmt: skip
    audit = report_audit(audit, actor=manager, expected_version=audit.version)
    found = Finding.objects.get(checklist_item=item)
    return audit, answer_finding(found, actor=users[auditee], expected_version=found.version,
                                 response=response, proposed_action=action)  # fmt: skip


def _raise_nonconformity(finding, actor):
    """The Act registers raise it (10.2) through the action they offer on a finding's page."""
    raising = next((a for a in registry.record_actions_for(Finding) if a.name == "raise-nonconformity"), None)
    if raising is not None:
        raising.service(finding, actor=actor, expected_version=finding.version)


def seed_certification(users) -> int:
    if demo.seeded(Audit, STAGE_1):
        return 0
    today = timezone.localdate()
    manager = users["manager"]
    stage_1 = _body_audit(users, title=STAGE_1, stage=Audit.Stage.STAGE_1, starts_on=today - dt.timedelta(days=150),
                          codes=("4.3", "5.2", "6.1.3", "9.2.2", "9.3.2"))  # fmt: skip
    demo.remember(stage_1, STAGE_1)
    stage_1, concern = _record(
        stage_1, users, STAGE_1_CONCERN, Audit.Outcome.READY,
        "The AIMS is documented and the internal audit and management review have run once; ready for stage 2.",
    )  # fmt: skip
    close_finding(concern, actor=manager, expected_version=concern.version, note="Confirmed at stage 2.")
    close_audit(stage_1, actor=manager, expected_version=stage_1.version)

    stage_2 = _body_audit(users, title=STAGE_2, stage=Audit.Stage.STAGE_2, starts_on=today - dt.timedelta(days=110),
                          codes=("6.1.2", "7.5.3", "8.1", "8.4", "9.1", "A.6.2.4", "A.6.2.6", "A.7.4"))  # fmt: skip
    stage_2, minor = _record(
        stage_2, users, STAGE_2_MINOR, Audit.Outcome.RECOMMENDED,
        "Recommended for certification, subject to an accepted correction plan for the minor nonconformity.",
    )  # fmt: skip
    _raise_nonconformity(minor, users["owner"])

    issued = today - dt.timedelta(days=95)
    certificate = certificate_services.create(
        actor=manager,
        fields={
            "title": CERTIFICATE, "number": "MCL-AIMS-2026-0147", "certification_body": BODY,
            "scope_statement": SCOPE_STATEMENT, "issued_on": issued,
            "expires_on": issued + dt.timedelta(days=3 * 365 - 1),
            "next_surveillance_on": issued + dt.timedelta(days=330), "granted_by": stage_2, "owner": manager,
        },
    )  # fmt: skip
    _body_audit(users, title=SURVEILLANCE, stage=Audit.Stage.SURVEILLANCE, starts_on=certificate.next_surveillance_on,
                codes=("7.5.3", "9.2.2", "9.3.3", "10.2"), certificate=certificate)  # fmt: skip
    return 6  # three audits, two findings, the certificate

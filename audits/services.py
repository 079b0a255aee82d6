"""Audits (ISO/IEC 42001 9.2): planning with the auditors' independence checked, the steps from planned to
closed, and findings answered by their auditees. Views, the API, the demo and tests all go through these;
the checklist's services are in audits.checklist."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.policies import policy_of, require
from aims.records import Action, update_record
from aims.registry import registry
from aims.services import RecordServices

from .models import Audit, AuditProgramme, Certificate, Finding, ProgrammeItem

AUDIT_FIELDS = [
    "title", "kind", "stage", "certification_body", "body_auditor", "programme", "scope", "systems", "criteria",
    "lead_auditor", "team", "starts_on", "ends_on", "joint", "outcome", "certificate", "conclusion", "owner",
    "review_cadence", "next_review_on",
]  # fmt: skip
OWN_MODELS = (Audit, AuditProgramme, Certificate, Finding, ProgrammeItem)


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def conflicts(people, *, requirements, systems) -> dict:
    """{person: [references]} of records each person owns that fall in the scope: AI systems in scope, and
    records of any register mapped to a requirement in scope (9.2.2: auditors do not audit their own work).
    One query per register, whatever the number of people."""
    people = {p.pk: p for p in people if p is not None}
    requirement_ids = [r.pk for r in requirements]
    system_ids = [s.pk for s in systems]
    found: dict[int, list[str]] = {}
    if not people:
        return {}
    for info in registry.registers:
        model = info.model
        if model in OWN_MODELS:
            continue
        condition = None
        if requirement_ids:
            condition = model.objects.filter(requirements__in=requirement_ids)
        if model._meta.label == "lifecycle.AISystem" and system_ids:
            by_system = model.objects.filter(pk__in=system_ids)
            condition = by_system if condition is None else (condition | by_system)
        if condition is None:
            continue
        rows = condition.live().filter(owner_id__in=people).values_list("owner_id", "reference").distinct()
        for owner_id, reference in rows:
            found.setdefault(owner_id, []).append(reference)
    return {people[pk]: sorted(set(refs)) for pk, refs in found.items()}


def independence_errors(*, lead, team, requirements, systems) -> dict:
    """Field errors naming each auditor who owns records in scope, and the records."""
    errors: dict[str, list[str]] = {}
    for person, refs in conflicts([lead, *team], requirements=requirements, systems=systems).items():
        field = "lead_auditor" if lead is not None and person.pk == lead.pk else "team"
        errors.setdefault(field, []).append(
            f"{person} owns {_and_list(refs)}, which {'is' if len(refs) == 1 else 'are'} in this audit's scope: "
            "an auditor may not audit their own records."
        )
    return errors


class AuditServices(RecordServices):
    def derive(self, fields: dict, record) -> dict:
        """The lead and team are auditors, and independent of what they audit."""

        def current(name):
            if name in fields:
                return fields[name]
            if record is None:
                return [] if name in ("team", "scope", "systems") else None
            value = getattr(record, name)
            return list(value.all()) if name in ("team", "scope", "systems") else value

        lead, team = current("lead_auditor"), list(current("team") or [])
        if current("kind") == Audit.Kind.CERTIFICATION:
            if team:  # the body's auditors are named on the audit, not chosen among our users
                raise ValidationError({"team": "A certification body's audit has no internal audit team."})
            return fields
        policy = policy_of(Audit)
        errors: dict[str, list[str]] = {}
        if lead is not None and not policy.may_audit(lead):
            errors["lead_auditor"] = [f"{lead} is not an auditor: choose someone with the auditor role."]
        outsiders = [str(p) for p in team if not policy.may_audit(p)]
        if outsiders:
            errors["team"] = [f"{_and_list(outsiders)}: not an auditor; the team holds auditors only."]
        for field, messages in independence_errors(
            lead=lead,
            team=team,
            requirements=list(current("scope") or []),
            systems=list(current("systems") or []),
        ).items():
            errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        return fields

    def update(self, record, *, actor, expected_version: int, fields: dict, requirements=None, prepare=None):
        """The auditors on an audit record its dates, criteria and conclusion; its plan -- scope, team,
        programme, owner -- stays with whoever plans it (the AIMS manager or the audit's owner)."""
        refusal = policy_of(record).can_change_plan(actor, record)
        if refusal:
            changed = [
                name for name in PLAN_FIELDS if name in fields and _differs(record, name, fields[name])
            ]
            if changed:
                raise ValidationError({name: refusal for name in changed})
        return super().update(
            record, actor=actor, expected_version=expected_version, fields=fields, requirements=requirements,
            prepare=prepare,
        )  # fmt: skip


PLAN_FIELDS = ("kind", "programme", "scope", "systems", "lead_auditor", "team", "joint", "owner")


def _differs(record, name: str, value) -> bool:
    field = Audit._meta.get_field(name)
    if field.many_to_many:
        return {getattr(v, "pk", v) for v in value or []} != set(
            getattr(record, name).values_list("pk", flat=True)
        )
    if field.many_to_one:
        return getattr(value, "pk", value) != getattr(record, f"{name}_id")
    return value != getattr(record, name)


audit_services = AuditServices(Audit, AUDIT_FIELDS)


def _move(audit, *, actor, expected_version, to: str, note: str = "", prepare=None):
    def apply(record, before):
        record.status = to
        if prepare is not None:
            prepare(record)

    return update_record(
        audit, actor=actor, expected_version=expected_version, fields={}, note=note, prepare=apply
    )


def _require(transition: str, record, actor) -> None:
    """The transition's guard (who: a 403), then its state (whether it can be done now: a 400)."""
    policy = policy_of(record)
    require(policy, transition, actor, record)
    state = getattr(policy, f"{transition}_state")(record)
    if state:
        raise ValidationError(state)


@transaction.atomic
def start_audit(audit, *, actor, expected_version: int):
    """Fieldwork begins (9.2.1)."""
    _require("start", audit, actor)
    return _move(audit, actor=actor, expected_version=expected_version, to=Audit.Status.IN_PROGRESS)


@transaction.atomic
def report_audit(audit, *, actor, expected_version: int):
    """The results are reported (9.2.2): every checklist item has a result."""
    _require("report", audit, actor)
    if audit.is_certification:
        return _report_body_audit(audit, actor=actor, expected_version=expected_version)
    if not audit.checklist.exists():
        raise ValidationError(f"{audit.reference} has no checklist yet: generate it and record the results.")
    pending = audit.checklist.filter(result="").count()
    if pending:
        raise ValidationError(
            f"{pending} checklist item{'s have' if pending != 1 else ' has'} no result yet; record "
            f"{'them' if pending != 1 else 'it'} before reporting."
        )
    return _move(audit, actor=actor, expected_version=expected_version, to=Audit.Status.REPORTED)


def _report_body_audit(audit, *, actor, expected_version: int):
    """The certification body has reported (ISO/IEC 17021-1 9.4.8): its outcome is on record, and each of
    its findings is a checklist item with a result (a clean report may have none)."""
    if not audit.outcome:
        raise ValidationError(
            {
                "outcome": f"Record what {audit.certification_body} concluded before marking {audit.reference} reported."
            }
        )
    pending = audit.checklist.filter(result="").count()
    if pending:
        raise ValidationError(f"{pending} of the body's findings on the checklist have no grade yet.")
    return _move(audit, actor=actor, expected_version=expected_version, to=Audit.Status.REPORTED)


@transaction.atomic
def close_audit(audit, *, actor, expected_version: int):
    """Close a reported audit once every finding has been answered by its auditee."""
    _require("close", audit, actor)
    waiting = list(
        audit.findings.live().filter(status=Finding.Status.OPEN).values_list("reference", flat=True)
    )
    if waiting:
        raise ValidationError(
            f"{_and_list(waiting)} still wait{'s' if len(waiting) == 1 else ''} for an answer."
        )
    return _move(audit, actor=actor, expected_version=expected_version, to=Audit.Status.CLOSED)


# -- Findings --------------------------------------------------------------------------------------------
finding_services = RecordServices(
    Finding, ["title", "description", "owner", "review_cadence", "next_review_on"]
)


@transaction.atomic
def answer_finding(finding, *, actor, expected_version: int, response: str, proposed_action: str = ""):
    """The auditee (the finding's owner, or a delegate) answers; the grade stays the auditor's (9.2, 10.2)."""
    _require("answer", finding, actor)
    if not (response or "").strip():
        raise ValidationError({"response": "Say how you respond to the finding."})

    def apply(record, before):
        record.response, record.proposed_action = response.strip(), (proposed_action or "").strip()
        record.status, record.answered_at, record.answered_by = Finding.Status.ANSWERED, timezone.now(), actor

    return update_record(
        finding, actor=actor, expected_version=expected_version, fields={}, prepare=apply, note="Answered."
    )


@transaction.atomic
def close_finding(finding, *, actor, expected_version: int, note: str = ""):
    """The auditors accept the answer and close the finding."""
    _require("close", finding, actor)

    def apply(record, before):
        record.status = Finding.Status.CLOSED

    return update_record(
        finding, actor=actor, expected_version=expected_version, fields={}, prepare=apply,
        action=Action.UPDATED, note=note or "Closed.",
    )  # fmt: skip

"""An audit's checklist (ISO/IEC 42001 9.2): generated from the catalogue for the scope, edited by the
audit's lead and team, and each item that is not conforming kept as a Finding for its auditee.

Every change is written to the audit's history; each item carries its own version, so two auditors
filling different items do not collide, and the second to save the same item is told."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from aims import permissions, webhooks
from aims.models import Crosswalk
from aims.policies import policy_of, require
from aims.records import StaleRow, archive_record, create_record, update_record
from aims.registry import registry

from .checklist_questions import SYSTEM, questions_for
from .models import NOT_CONFORMING, Audit, ChecklistItem, Finding, Result
from .reminders import tell_auditee


class StaleItem(StaleRow):
    """The item changed since the auditor opened it."""

    what = "This checklist item"


REFERENCE = re.compile(r"\b([A-Z]{2,6})-(\d{1,9})\b")


def unknown_references(text: str) -> list[str]:
    """References in `text` that name no record of any register (one query per prefix used)."""
    by_prefix: dict[str, set[str]] = {}
    for prefix, number in REFERENCE.findall(text or ""):
        by_prefix.setdefault(prefix, set()).add(f"{prefix}-{number}")
    models = {info.model.reference_prefix: info.model for info in registry.registers}
    missing = []
    for prefix, wanted in sorted(by_prefix.items()):
        model = models.get(prefix)
        found = (
            set(model.objects.filter(reference__in=wanted).values_list("reference", flat=True))
            if model
            else set()
        )
        missing += sorted(wanted - found)
    return missing


def require_conducting(audit, actor) -> None:
    """Only the audit's lead auditor and team edit its checklist; a closed audit's checklist is final
    (AuditPolicy.can_conduct, which the audit's page asks too)."""
    require(policy_of(audit), "conduct", actor, audit)


def _log(audit, actor, old: str, new: str, label: str = "Checklist"):
    update_record(
        audit,
        actor=actor,
        expected_version=Audit.objects.get(pk=audit.pk).version,  # items carry their own version
        fields={},
        extra_changes=[{"field": "checklist", "label": label, "old": old[:500], "new": new[:500]}],
    )


def mapped(requirement, other_than=None):
    """Requirements of other standards linked to `requirement` by the crosswalk, either way."""
    links = Crosswalk.objects.filter(Q(source=requirement) | Q(target=requirement)).select_related(
        "source__standard", "target__standard"
    )
    found = []
    for link in links:
        other = link.target if link.source_id == requirement.pk else link.source
        if other.standard_id != requirement.standard_id:
            found.append(other)
    return sorted(found, key=lambda r: (r.standard.name, r.position))


def joint_mapping(audit) -> dict[int, list]:
    """{requirement id: [mapped requirements of other standards in the scope]} for a joint audit: what
    else each item covers. Only the standards the audit is scoped to count: ISO/IEC 42001 6.1.2 is also
    crosswalked to NIST AI RMF and EU AI Act entries, which a joint audit with ISO/IEC 27001 does not
    audit. Two queries for the whole checklist."""
    if not audit.joint:
        return {}
    scope_rows = list(audit.scope.values_list("pk", "standard_id"))
    scope_ids = {pk for pk, _ in scope_rows}
    scope_standards = {standard for _, standard in scope_rows}
    links = Crosswalk.objects.filter(Q(source_id__in=scope_ids) | Q(target_id__in=scope_ids)).select_related(
        "source__standard", "target__standard"
    )
    result: dict[int, list] = {}
    for link in links:
        for mine, other in ((link.source, link.target), (link.target, link.source)):
            if (
                mine.pk in scope_ids
                and other.standard_id != mine.standard_id
                and other.standard_id in scope_standards
            ):
                result.setdefault(mine.pk, []).append(other)
    return result


@transaction.atomic
def generate(audit, *, actor) -> int:
    """Questions for every requirement and AI system in scope that has none yet; in a joint audit, a
    requirement of the other standard that a crosswalk maps to one in scope is covered by that item."""
    require_conducting(audit, actor)
    scope = list(audit.scope.select_related("standard").order_by("standard__name", "position"))
    have_req = set(audit.checklist.exclude(requirement=None).values_list("requirement_id", flat=True))
    have_sys = set(audit.checklist.exclude(system=None).values_list("system_id", flat=True))
    covered = set()
    if audit.joint:
        primary = [r for r in scope if r.standard.key == "iso42001"]
        for requirement in primary:
            covered |= {m.pk for m in mapped(requirement)}
    position = (audit.checklist.aggregate(n=Max("position"))["n"] or 0) + 1
    made = []
    for requirement in scope:
        if requirement.pk in have_req or (
            requirement.standard.key != "iso42001" and requirement.pk in covered
        ):
            continue
        for question in questions_for(requirement):
            made.append(
                ChecklistItem(audit=audit, requirement=requirement, question=question, position=position)
            )
            position += 1
    for system in audit.systems.order_by("title"):
        if system.pk not in have_sys:
            question = SYSTEM.format(reference=system.reference, title=system.title)
            made.append(ChecklistItem(audit=audit, system=system, question=question, position=position))
            position += 1
    ChecklistItem.objects.bulk_create(made)
    if made:
        _log(audit, actor, "", f"{len(made)} questions generated for the scope.")
    return len(made)


def _describe(item) -> str:
    head = f"{item.requirement.code} " if item.requirement_id else ""
    result = f" [{item.get_result_display()}]" if item.result else ""
    return f"{head}{item.question[:200]}{result}"


@transaction.atomic
def add_item(audit, *, actor, question: str, requirement=None, system=None) -> ChecklistItem:
    require_conducting(audit, actor)
    if not (question or "").strip():
        raise ValidationError({"question": "Write the question to ask."})
    position = (audit.checklist.aggregate(n=Max("position"))["n"] or 0) + 1
    item = ChecklistItem.objects.create(
        audit=audit, question=question.strip(), requirement=requirement, system=system, position=position
    )
    _log(audit, actor, "", _describe(item))
    return item


@transaction.atomic
def save_item(item, *, actor, expected_version: int, question: str, requirement=..., result: str = "",
              notes: str = "", evidence=(), records_sampled: str = "", auditee=None) -> ChecklistItem:  # fmt: skip
    """Record the result of a checklist item. An item that is not conforming becomes (or updates) a
    Finding owned by the auditee the auditor names; an item set back to conforming archives it.
    `requirement` left out keeps the item's own."""
    permissions.require(actor, "change", item)
    require_conducting(item.audit, actor)
    locked = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if locked.version != expected_version:
        raise StaleItem(locked, expected_version)
    errors = {}
    if not (question or "").strip():
        errors["question"] = "Write the question to ask."
    if result and result not in Result.values:
        errors["result"] = f"Choose one of: {', '.join(Result.values)}."
    if result in NOT_CONFORMING and auditee is None:
        errors["auditee"] = (
            "Choose the auditee: the owner of the audited record, who will answer the finding."
        )
    missing = unknown_references(records_sampled)
    if missing:
        errors["records_sampled"] = f"No record has the reference {', '.join(missing)}."
    elif (records_sampled or "").strip() and not REFERENCE.search(records_sampled):
        errors["records_sampled"] = "Give record references, e.g. RSK-0004, SYS-0002."
    if result in NOT_CONFORMING and not (notes or "").strip():
        errors["notes"] = "Describe what was found: it becomes the finding's description."
    if errors:
        raise ValidationError(errors)
    before = _describe(locked)
    if requirement is not ...:
        locked.requirement = requirement
    locked.question, locked.result = question.strip(), result
    locked.notes, locked.records_sampled = (notes or "").strip(), (records_sampled or "").strip()
    locked.version += 1
    if result:
        locked.assessed_by, locked.assessed_at = actor, timezone.now()
    locked.save()
    locked.evidence.set(evidence)
    _log(locked.audit, actor, before, _describe(locked))
    _sync_finding(locked, actor=actor, auditee=auditee)
    return locked


TITLE_MAX = Finding._meta.get_field("title").max_length


def headline(text: str, limit: int = TITLE_MAX) -> str:
    """The first sentence of the notes: a finding's title, not its description. Whole, so that reports and
    pages wrap it rather than show a cut title; only a sentence longer than the title field is cut, at a
    word."""
    first = text.strip().splitlines()[0].split(". ")[0].rstrip(".")
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def _sync_finding(item, *, actor, auditee):
    finding = Finding.objects.filter(checklist_item=item).first()
    if item.result not in NOT_CONFORMING:
        if finding is not None and not finding.is_archived:
            archive_record(finding, actor=actor, expected_version=finding.version,
                           note="The checklist item is now conforming.")  # fmt: skip
        return
    code = f"{item.requirement.code}: " if item.requirement_id else ""
    fields = {
        "title": f"{code}{headline(item.notes, TITLE_MAX - len(code))}",
        "description": item.notes,
        "owner": auditee,
    }
    if finding is None:
        finding = create_record(
            Finding,
            actor=actor,
            fields={**fields, "audit": item.audit, "checklist_item": item, "requirement": item.requirement,
                    "grade": item.result},
        )  # fmt: skip
        tell_auditee(finding, actor=actor)
        webhooks.emit_about(
            finding, FINDING_RAISED, "raised", actor, audit=item.audit.reference, grade=finding.grade
        )
        return

    def regrade(record, before):
        record.grade, record.requirement = item.result, item.requirement
        if record.archived_at is not None:
            record.archived_at = None

    finding = update_record(
        finding, actor=actor, expected_version=finding.version, fields=fields, prepare=regrade
    )
    tell_auditee(finding, actor=actor)  # a new auditee is told; one already told is not told again


@transaction.atomic
def remove_item(item, *, actor) -> None:
    """Take a question off the checklist; a finding it raised is archived with it (kept in history)."""
    permissions.require(actor, "change", item)
    require_conducting(item.audit, actor)
    finding = Finding.objects.filter(checklist_item=item, archived_at__isnull=True).first()
    if finding is not None:
        archive_record(finding, actor=actor, expected_version=finding.version,
                       note="Its checklist item was removed.")  # fmt: skip
    before = _describe(item)
    audit = item.audit
    item.delete()
    _log(audit, actor, before, "")


FINDING_RAISED = "finding.raised"
webhooks.declare(FINDING_RAISED, "An audit raised a finding from its checklist")

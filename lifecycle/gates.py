"""Stage gates (ISO/IEC 42001 8.1, A.6): an AI system moves to its next life-cycle stage only through a
gate review. The checks a gate needs are computed from the records (impact assessments, bias results,
model versions, risks, documents), never ticked by hand; the AIMS manager chooses which checks each
stage's gate requires (GateCriteria, with DEFAULT_CRITERIA when a stage has no row).

Services: request_gate, decide_gate, withdraw_gate; views, the API and tests all go through them. Who
approves a gate, decides or withdraws it and who changes the criteria are the policies' to say
(lifecycle.policies: GateReviewPolicy, GateCriteriaPolicy)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from aims import permissions, webhooks
from aims.files import stored_file_fields
from aims.models import Change
from aims.policies import policy_of, require
from aims.records import update_record
from aims.together import together

from .classification import prohibited_points
from .models import (
    AISystem,
    BiasAssessment,
    GateCriteria,
    GateReview,
    ImpactAssessment,
    ModelVersion,
    Stage,
    Tier,
)

ORDER = list(Stage.values)
Decision = GateReview.Decision

# The queues of pending gate reviews: the stage gates' dashboard panel and the AI system list's ?gate=
# filter read the same definition.
GATE_QUEUES = {
    "awaiting_me": "Waiting for my decision",
    "pending_others": "Pending, another approver decides",
    "pending": "Pending",
}


def pending_gate_reviews(user, queue: str = "pending"):
    """Gate reviews waiting for a decision: all of them, those `user` decides, or those others decide."""
    pending = GateReview.objects.filter(decision=Decision.PENDING)
    if queue == "awaiting_me":
        return pending.filter(approver=user)
    if queue == "pending_others":
        return pending.exclude(approver=user)
    return pending


# -- The checks, each computed from the records ----------------------------------------------------------
# Each function takes the system and the note given with the request (only the decommissioning record
# reads it) and returns (met, detail): the detail says what was found, or what is missing. A check that
# reads records names what it reads (`reads`): `checklist` asks every check's rows in one query.
def reads(read):
    """Mark a check as reading `read(system)` (a queryset); it takes the rows, or reads them alone."""

    def mark(check):
        def run(system, note="", rows=None):
            return check(system, note, list(read(system)) if rows is None else rows)

        run.read = read
        return run

    return mark


def _oversight_defined(system, note="", rows=None):
    if (system.oversight or "").strip():
        return True, "Human oversight is described on the system."
    return (
        False,
        f"{system.reference} does not say who can intervene, how and when (field “Human oversight”).",
    )


@reads(
    lambda system: (
        ImpactAssessment.objects.live()
        .filter(system=system, version_number__gte=1)
        .order_by("-created_at")[:1]
    )
)
def _impact_assessment_approved(system, note, rows):
    if rows:
        return True, f"{rows[0].reference} approved (version {rows[0].version_number})."
    return False, f"No impact assessment of {system.reference} has been approved by the board yet."


@reads(lambda system: BiasAssessment.objects.live().filter(system=system).order_by("-created_at", "-id")[:1])
def _bias_passed(system, note, rows):
    latest = rows[0] if rows else None
    if latest is None:
        return False, f"No bias assessment of {system.reference} yet."
    if latest.passed:
        return True, f"{latest.reference}, the latest bias assessment, passed."
    outcome = "failed" if latest.passed is False else "has no result yet"
    return False, f"{latest.reference}, the latest bias assessment, {outcome}."


@reads(lambda system: ModelVersion.objects.live().filter(system=system).exclude(evaluation="")[:1])
def _vv_results(system, note, rows):
    if rows:
        return True, f"Model version {rows[0].reference} records its evaluation results."
    return False, f"No model version of {system.reference} records evaluation results."


def _risks_waiting(system):
    # The same rule as the risk register's "awaiting acceptance"; imported here to avoid a cycle at start-up.
    from registers.models import Risk
    from registers.selectors import risks_awaiting_acceptance

    return risks_awaiting_acceptance(Risk.objects.live().filter(systems=system)).values_list(
        "reference", flat=True
    )


@reads(_risks_waiting)
def _risks_accepted(system, note, rows):
    if rows:
        return False, f"Above the risk appetite and not accepted: {', '.join(sorted(rows))}."
    return True, "No risk naming this system is above the appetite without acceptance."


def _eu_classified(system, note="", rows=None):
    if system.eu_tier != Tier.UNCLASSIFIED:
        waiting = " A changed classification awaits confirmation." if system.awaiting_confirmation else ""
        return True, f"Classified: {system.get_eu_tier_display()}.{waiting}"
    if system.awaiting_confirmation:
        return False, (
            f"{system.reference}'s classification ({system.get_proposed_tier_display()}) awaits confirmation "
            "by a second person."
        )
    return False, f"{system.reference} is not yet classified under the EU AI Act."


def _not_prohibited(system, note="", rows=None):
    # The same reading as the dashboard and certification readiness (AISystem.is_prohibited).
    if not system.is_prohibited:
        return True, "Not classified as a prohibited practice."
    points = ", ".join(prohibited_points(system)) or "Art. 5"
    which = (
        "is classified"
        if system.eu_tier == Tier.PROHIBITED
        else "has a proposed classification, awaiting confirmation,"
    )
    return False, (
        f"{system.reference} {which} as a prohibited practice ({points}): it must not be placed on the market, "
        "put into service or used, so it moves to no stage but decommissioning. Decommission it, or correct "
        "the classification's answers."
    )


def _deployment_plans(system):
    from django.db.models import Q

    from registers.models import Document

    return (
        Document.objects.live()
        .filter(status=Document.Status.APPROVED)
        .filter(Q(title__icontains=system.title) | Q(kind=Document.Kind.SOP, title__icontains="deployment"))
        .order_by("reference")[:1]
    )


@reads(_deployment_plans)
def _deployment_plan(system, note, rows):
    if rows:
        return True, f"{rows[0].reference} “{rows[0].title}” is approved."
    return False, (
        f"No approved document has “{system.title}” in its title, and there is no approved SOP with "
        "“deployment” in its title."
    )


def _decommission_record(system, note="", rows=None):
    if (note or "").strip():
        return True, "The request says what happens to the data and models."
    return False, "Say in the evidence note what happens to the system's data and models."


CHECKS = {
    "oversight_defined": ("Human oversight is defined", _oversight_defined),
    "impact_assessment_approved": ("An impact assessment is approved", _impact_assessment_approved),
    "bias_passed": ("The latest bias assessment passed", _bias_passed),
    "vv_results": ("Verification and validation results are recorded", _vv_results),
    "risks_accepted": ("No risk above the appetite is left unaccepted", _risks_accepted),
    "eu_classified": ("Classified under the EU AI Act", _eu_classified),
    "deployment_plan": (
        "A deployment plan is approved (a document naming the system, or the deployment SOP)",
        _deployment_plan,
    ),
    "decommission_record": (
        "A decommissioning record: what happens to data and models",
        _decommission_record,
    ),
}

# Checks the request itself meets (its evidence note): unmet on the page until the person writes it, so
# they never keep the request button from being pressed.
MET_BY_THE_REQUEST = {"decommission_record"}

# Checked at every gate but the one into decommissioning, whatever the criteria: a prohibited practice
# (EU AI Act Art. 5) is stopped, never moved on; the AIMS manager cannot untick it.
ALWAYS = {"not_prohibited": ("Not a prohibited practice (EU AI Act Art. 5)", _not_prohibited)}

# What each stage's entry gate needs when the AIMS manager has not said otherwise.
DEFAULT_CRITERIA = {
    Stage.DEVELOPMENT: ["eu_classified"],
    Stage.VALIDATION: ["oversight_defined"],
    Stage.DEPLOYMENT: [
        "impact_assessment_approved",
        "vv_results",
        "bias_passed",
        "oversight_defined",
        "risks_accepted",
        "deployment_plan",
    ],  # fmt: skip
    Stage.OPERATION: ["risks_accepted"],
    Stage.DECOMMISSIONED: ["decommission_record"],
}
GATED_STAGES = [s for s in ORDER if s != Stage.DESIGN]  # every system starts in design: no gate into it


def stage_label(value: str) -> str:
    return dict(Stage.choices).get(value, value)


def required_checks(stage: str, overrides: dict | None = None) -> list[str]:
    """The keys a gate into `stage` requires: the manager's GateCriteria row, else the default
    (`overrides`: every row as {stage: keys}, read already)."""
    if overrides is None:
        row = GateCriteria.objects.filter(stage=stage).first()
        keys = row.checks if row else DEFAULT_CRITERIA.get(stage, [])
    else:
        keys = overrides.get(stage, DEFAULT_CRITERIA.get(stage, []))
    return [k for k in CHECKS if k in keys]  # CHECKS order; a key no longer known is ignored


def criteria_rows(rows=None) -> dict[str, list]:
    """The manager's GateCriteria rows as {stage: keys} (`rows`: the rows, read already)."""
    return {row.stage: row.checks for row in (GateCriteria.objects.all() if rows is None else rows)}


def all_criteria() -> dict[str, list[str]]:
    """Stage -> required keys for every gated stage, in one query."""
    rows = criteria_rows()
    return {stage: required_checks(stage, rows) for stage in GATED_STAGES}


def targets(stage: str) -> list[str]:
    """Where a system in `stage` may go: the next stage (no skipping), or decommissioning from any
    stage after design."""
    if stage not in ORDER or stage == Stage.DECOMMISSIONED:
        return []
    found = [ORDER[ORDER.index(stage) + 1]]
    if stage != Stage.DESIGN and Stage.DECOMMISSIONED not in found:
        found.append(Stage.DECOMMISSIONED)
    return found


def checklist_keys(to_stage: str, criteria: dict | None = None) -> list[str]:
    """The checks of a gate into `to_stage`: ALWAYS first (but into decommissioning), then its criteria
    (`criteria`: the GateCriteria rows as {stage: keys}, read once for several gates)."""
    always = [] if to_stage == Stage.DECOMMISSIONED else list(ALWAYS)
    return [*always, *required_checks(to_stage, criteria)]


def check_reads(system, keys) -> dict:
    """{key: queryset} of what the checks `keys` read, to ask together (aims.together)."""
    found = ((key, getattr((ALWAYS.get(key) or CHECKS[key])[1], "read", None)) for key in keys)
    return {key: read(system) for key, read in found if read is not None}


def checklist(system, to_stage: str, note: str = "", *, criteria=None, rows=None) -> list[dict]:
    """Each required check with whether it is met and why, as stored on the review. What the checks read
    is asked in one query, or handed over (`rows`: {key: rows}) by a page that asks it with more."""
    keys = checklist_keys(to_stage, criteria)
    if rows is None:
        wanted = check_reads(system, keys)
        rows = dict(zip(wanted, together(*wanted.values()), strict=True))
    items = []
    for key in keys:
        label, check = ALWAYS.get(key) or CHECKS[key]
        met, detail = check(system, note=note, rows=rows.get(key))
        items.append({"key": key, "label": label, "met": bool(met), "detail": detail})
    return items


def unmet(items: list[dict]) -> list[dict]:
    return [item for item in items if not item["met"]]


def blocking(items: list[dict]) -> list[dict]:
    """The unmet checks that refuse a request whatever it says: the records must change first."""
    return [item for item in unmet(items) if item["key"] not in MET_BY_THE_REQUEST]


def _listing(items: list[dict]) -> str:
    return "; ".join(f"{item['label']}: {item['detail']}" for item in items)


# -- Who may approve: the gate review policy's to say (lifecycle.policies) -------------------------------
def eligible_approvers(system, requester=None):
    """Active AIMS managers and board members, but never the system's owner or the requester (four eyes)."""
    return policy_of(GateReview).approvers(system, requester)


def _check_approver(system, approver, actor) -> None:
    reason = policy_of(GateReview).approver_refusal(system, approver, actor)
    if reason:
        raise ValidationError({"approver": reason})


def pending_review(system):
    return system.gate_reviews.filter(decision=Decision.PENDING).first()


def _pending_message(review) -> str:
    return (
        f"{review.system.reference} already has a gate review waiting: into {review.get_to_stage_display()}, "
        f"asked by {review.requested_by}, for {review.approver} to decide. "
        "Withdraw it or wait for the decision."
    )


# -- Services ---------------------------------------------------------------------------------------------
@transaction.atomic
def request_gate(system, *, actor, approver, evidence_note: str, evidence_file=None, to_stage: str = ""):
    """Ask for the gate into `to_stage` (default: the next stage). Refused, with nothing saved, unless
    every required check is met; the message names each one missing."""
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    permissions.require(actor, "change", system)
    if system.is_archived:
        raise ValidationError(f"{system.reference} is archived: restore it before moving it on.")
    allowed = targets(system.stage)
    if not allowed:
        raise ValidationError(f"{system.reference} is decommissioned: there is no further stage.")
    to_stage = to_stage or allowed[0]
    if to_stage not in allowed:
        names = " or ".join(stage_label(s) for s in allowed)
        raise ValidationError(
            {
                "to_stage": f"From {system.get_stage_display()} a system moves to {names}; "
                "stages are not skipped."
            }
        )
    _check_approver(system, approver, actor)
    waiting = pending_review(system)
    if waiting is not None:
        raise ValidationError(_pending_message(waiting))
    note = (evidence_note or "").strip()
    items = checklist(system, to_stage, note)
    missing = unmet(items)
    if missing:
        raise ValidationError(
            f"The gate into {stage_label(to_stage)} cannot be requested yet. Missing: {_listing(missing)}"
        )
    files = stored_file_fields({"evidence": evidence_file}, "evidence", "evidence_name", "evidence_sha256")
    review = GateReview(
        system=system,
        from_stage=system.stage,
        to_stage=to_stage,
        requested_by=actor,
        approver=approver,
        checklist=items,
        evidence_note=note,
        **files,
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # another request won the race for the one pending review
        raise ValidationError(_pending_message(pending_review(system))) from None
    return review


@transaction.atomic
def decide_gate(review, *, actor, approve: bool, reason: str = ""):
    """The designated approver approves (the system moves to the new stage, in its history) or rejects
    (with a reason). Approval recomputes the checklist: a check that became unmet blocks it."""
    review = GateReview.objects.select_for_update().select_related("system").get(pk=review.pk)
    system = review.system
    require(policy_of(review), "decide", actor, review)  # the designated approver, who does not own it
    if review.decision != Decision.PENDING:
        raise ValidationError(f"This gate review was already {review.get_decision_display().lower()}.")
    reason = (reason or "").strip()
    now = timezone.now()
    if not approve:
        if not reason:
            raise ValidationError({"reason": "Say why the gate is rejected, so the owner knows what to fix."})
        review.decision, review.decided_at, review.reason = Decision.REJECTED, now, reason
        review.save(update_fields=["decision", "decided_at", "reason"])
        _decided(review, actor)
        return review
    if system.stage != review.from_stage:
        raise ValidationError(
            f"{system.reference} is now in {system.get_stage_display()}, not where this request started; "
            "reject it and ask again."
        )
    items = checklist(system, review.to_stage, review.evidence_note)
    missing = unmet(items)
    if missing:
        raise ValidationError(f"Since the request, these checks are no longer met: {_listing(missing)}")
    gate = f"Gate {review.get_from_stage_display()} → {review.get_to_stage_display()}"
    update_record(
        system,
        actor=actor,
        expected_version=system.version,  # locked above with the review: nobody can slip in between
        fields={},
        prepare=lambda record, before: setattr(record, "stage", review.to_stage),
        note=f"{gate} approved by {actor} (asked by {review.requested_by}). {reason}".strip(),
    )
    review.decision, review.decided_at, review.reason, review.checklist = (
        Decision.APPROVED,
        now,
        reason,
        items,
    )
    review.save(update_fields=["decision", "decided_at", "reason", "checklist"])
    _decided(review, actor)
    return review


GATE_DECIDED = "gate.decided"
webhooks.declare(GATE_DECIDED, "A stage gate of an AI system was approved or rejected")


def _decided(review, actor) -> None:
    webhooks.emit_about(
        review.system, GATE_DECIDED, "gate decided", actor, decision=review.decision,
        from_stage=review.from_stage, to_stage=review.to_stage, reason=review.reason,
    )  # fmt: skip


@transaction.atomic
def withdraw_gate(review, *, actor):
    """The requester or the system's owner takes a pending request back."""
    review = GateReview.objects.select_for_update().select_related("system").get(pk=review.pk)
    require(policy_of(review), "withdraw", actor, review)  # the requester or the system's owner
    if review.decision != Decision.PENDING:
        raise ValidationError(f"This gate review was already {review.get_decision_display().lower()}.")
    review.decision, review.decided_at = Decision.WITHDRAWN, timezone.now()
    review.save(update_fields=["decision", "decided_at"])
    return review


# -- Gate criteria (configuration) ------------------------------------------------------------------------
def criteria_log():
    """Every change to the criteria: who, when, what (kept as aims Change rows on the GateCriteria rows)."""
    content_type = ContentType.objects.get_for_model(GateCriteria)
    return Change.objects.filter(content_type=content_type).select_related("actor").order_by("-at", "-id")


def _labels(keys) -> str:
    return "; ".join(CHECKS[k][0] for k in CHECKS if k in keys) or "no checks"


@transaction.atomic
def set_criteria(*, actor, wanted: dict[str, list[str]]) -> list[str]:
    """Store the checks each stage's gate requires (`wanted`: stage -> keys; stages left out keep theirs);
    returns the stages changed. AIMS manager only."""
    require(policy_of(GateCriteria), "change", actor, None)
    current = all_criteria()
    content_type = ContentType.objects.get_for_model(GateCriteria)
    changed = []
    for stage in (s for s in GATED_STAGES if s in wanted):  # a stage not mentioned stays as it is
        unknown = [k for k in wanted.get(stage, []) if k not in CHECKS]
        if unknown:
            raise ValidationError({"checks": f"Unknown checks: {', '.join(map(str, unknown))[:200]}."})
        keys = [k for k in CHECKS if k in wanted.get(stage, [])]
        if keys == current[stage]:
            continue
        row, _ = GateCriteria.objects.update_or_create(
            stage=stage, defaults={"checks": keys, "updated_by": actor}
        )
        Change.objects.create(
            content_type=content_type,
            object_id=row.pk,
            version=Change.objects.filter(content_type=content_type, object_id=row.pk).count() + 1,
            action=Change.Action.UPDATED,
            actor=actor,
            changes=[
                {
                    "field": "checks",
                    "label": f"Gate into {stage_label(stage)}",
                    "old": _labels(current[stage]),
                    "new": _labels(keys),
                }
            ],
        )
        changed.append(stage)
    return changed

"""The AI risk treatment plan and its approval (ISO/IEC 42001 6.1.3: designated management approves the
plan and accepts the residual risks).

The plan is what the register holds now: every live risk that has been assessed and not closed, with its
treatment option, plan and due date. An approval (TreatmentPlanApproval) keeps that as the approver saw
it; comparing the two says whether the approval still covers the plan, and if not, what changed. The
readiness row 6.1.3, the risk register's page, the plan's page and the API all read `current_plan()`."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from aims import records
from aims.policies import policy_of, require
from aims.records import Action

from .models import Risk, TreatmentPlanApproval

IN_PLAN = (Risk.Status.ASSESSED, Risk.Status.TREATING, Risk.Status.ACCEPTED)
COMPARED = {"treatment": "treatment option", "plan": "treatment plan", "due": "due date"}


def plan_rows(risks=None) -> list[dict]:
    """The plan as it stands: {"id", "reference", "title", "treatment", "plan", "due"} per assessed, live,
    open risk, by reference. One query."""
    risks = Risk.objects.all() if risks is None else risks
    rows = (
        risks.live()
        .filter(status__in=IN_PLAN)
        .order_by("reference")
        .values_list("pk", "reference", "title", "treatment", "treatment_plan", "treatment_due_on")
    )
    return [
        {"id": pk, "reference": ref, "title": title, "treatment": option, "plan": (plan or "").strip(),
         "due": due.isoformat() if due else ""}
        for pk, ref, title, option, plan, due in rows
    ]  # fmt: skip


def digest(rows: list[dict]) -> str:
    """A short fingerprint of a plan: the approver's form carries it, so a plan changed in the meantime
    is never approved unseen."""
    text = json.dumps([[r["id"], r["treatment"], r["plan"], r["due"]] for r in rows], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _state(approval, added, changed) -> str:
    """ "none" (never approved), "stale" (something changed since) or "current"."""
    if approval is None:
        return "none"
    return "stale" if added or changed else "current"


@dataclass(frozen=True)
class TreatmentPlan:
    rows: list[dict]  # the plan now
    approval: TreatmentPlanApproval | None  # the latest approval
    added: list[dict] = field(default_factory=list)  # in the plan now, not in the approval
    changed: list[tuple[dict, list[str]]] = field(default_factory=list)  # (row, what changed)

    @property
    def digest(self) -> str:
        return digest(self.rows)

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def state(self) -> str:
        return _state(self.approval, self.added, self.changed)

    def changes_text(self, limit: int = 3) -> str:
        """What changed since the approval, in a sentence part: "RSK-0004's treatment plan changed; ..."."""
        parts = [f"{row['reference']}'s {' and '.join(what)} changed" for row, what in self.changed[:limit]]
        if len(self.changed) > limit:
            parts.append(f"{len(self.changed) - limit} more treatments changed")
        if self.added:
            shown = ", ".join(r["reference"] for r in self.added[:limit])
            more = f" and {len(self.added) - limit} more" if len(self.added) > limit else ""
            parts.append(f"{shown}{more} {'was' if len(self.added) == 1 else 'were'} assessed since")
        return "; ".join(parts)


def compare(rows: list[dict], approval: TreatmentPlanApproval | None) -> TreatmentPlan:
    if approval is None:
        return TreatmentPlan(rows, None)
    covered = {c["id"]: c for c in approval.covered}
    added = [r for r in rows if r["id"] not in covered]
    changed = []
    for row in rows:
        before = covered.get(row["id"])
        if before is not None:
            what = [label for key, label in COMPARED.items() if before.get(key, "") != row[key]]
            if what:
                changed.append((row, what))
    # A risk closed or archived since leaves the plan: nothing new to approve.
    return TreatmentPlan(rows, approval, added, changed)


def latest_approval() -> TreatmentPlanApproval | None:
    return TreatmentPlanApproval.objects.select_related("approved_by").first()


def current_plan() -> TreatmentPlan:
    """The plan now against its latest approval: two queries, whatever the number of risks."""
    return compare(plan_rows(), latest_approval())


def plan_for(user) -> TreatmentPlan:
    """The plan as `user` may see it (every risk, for the roles that approve it), against its approval."""
    return compare(plan_rows(Risk.objects.restrict(user, "view")), latest_approval())


@dataclass(frozen=True)
class PlanStanding:
    """What the risk register's page says of the plan: its approval and how many risks were assessed or
    changed since, without the rows (registers.views.RiskListView). Same reading as TreatmentPlan."""

    approval: TreatmentPlanApproval | None
    size: int  # risks in the plan
    added: int
    changed: int

    @property
    def state(self) -> str:
        return _state(self.approval, self.added, self.changed)


def standing_for(user) -> PlanStanding:
    """The plan's standing as `user` may see it. Comparing the plan with its approval reads every risk in
    it (188 ms of a 230 ms list page at 100,000 risks), so the counts are kept in the cache under what
    the comparison depends on: the person (what they may see), the approval, and how many risks are in
    the plan and when the last of them changed. Any change to a risk in the plan (its treatment, plan or
    due date, or it entering or leaving the plan) moves that key, so a person never sees old counts after
    a change, theirs or anyone's; one aggregate query per page."""
    visible = Risk.objects.restrict(user, "view").live().filter(status__in=IN_PLAN)
    approval = latest_approval()
    found = visible.aggregate(size=Count("pk"), last=Max("updated_at"))
    if approval is None:
        return PlanStanding(None, found["size"], 0, 0)
    last = found["last"].isoformat() if found["last"] else "-"
    key = f"treatment-plan-standing:v1:{user.pk}:{approval.pk}:{found['size']}:{last}"
    counts = cache.get(key)
    if counts is None:
        plan = compare(plan_rows(Risk.objects.restrict(user, "view")), approval)
        counts = (len(plan.added), len(plan.changed))
        cache.set(key, counts, 24 * 3600)
    return PlanStanding(approval, found["size"], *counts)


def approval_refusal(user, plan: TreatmentPlan | PlanStanding) -> str:
    """Why `user` may not approve `plan` now, or "": the guard the button and the service both ask."""
    return policy_of(TreatmentPlanApproval).refusal("approve", user, plan)


@transaction.atomic
def approve_treatment_plan(*, actor, seen: str, approved_on: dt.date | None = None, note: str = ""):
    """Approve the AI risk treatment plan as it stands (6.1.3). `seen` is the plan's digest as the
    approver read it: if the plan changed since, nothing is approved. Who may, and when, is the guard
    TreatmentPlanApprovalPolicy.can_approve."""
    plan = current_plan()
    require(policy_of(TreatmentPlanApproval), "approve", actor, plan, field="plan")
    if seen != plan.digest:
        raise ValidationError(
            {"plan": "The treatment plan changed since you opened it. Nothing was approved: reload it, "
                     "read what changed and approve it again."}
        )  # fmt: skip
    today = timezone.localdate()
    approved_on = approved_on or today
    if approved_on > today:
        raise ValidationError({"approved_on": "The plan cannot be approved on a date still to come."})
    if plan.approval and approved_on < plan.approval.approved_on:
        raise ValidationError(
            {"approved_on": f"The last approval is dated {plan.approval.approved_on:%Y-%m-%d}: a new one "
                            "cannot be dated before it."}
        )  # fmt: skip
    approval = TreatmentPlanApproval.objects.create(
        approved_on=approved_on, approved_by=actor, note=note.strip(), covered=plan.rows
    )
    covered = ", ".join(r["reference"] for r in plan.rows)
    records.record_change(
        approval,
        actor=actor,
        action=Action.APPROVED,
        changes=[
            {"field": "approved_on", "label": "Approved on", "old": "", "new": approved_on.isoformat()},
            {"field": "covered", "label": "Risks covered", "old": "", "new": covered},
        ],
        note=note.strip() or plan.changes_text(),
    )
    return approval

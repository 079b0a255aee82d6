"""Who may do what in the Do registers (aims.policies): the release approval of a model version (four
eyes), measuring a KPI, an incident's communication log, the harms of an impact assessment, and the
stage gates -- who approves a gate and decides it, who withdraws a request, and who changes what the
gates check.

A guard returns the reason it refuses, or "". A refusal that is about the record's state rather than the
person (already approved, not a draft) is an aims.policies.StateRefusal, which `require` raises as a
ValidationError (400), every other refusal as PermissionDenied (403), so the service and the button ask
one guard and the status codes stay as they were."""

from aims import roles
from aims.policies import Policy, PublishablePolicy, StateRefusal, change_now_refusal, policy


@policy("lifecycle.ModelVersion")
class ModelVersionPolicy(Policy):
    """The release approval (A.6.2.5): the governance board or the AIMS manager, never its owner."""

    approvers = (roles.BOARD, roles.MANAGER)

    def can_approve(self, user, record) -> str:
        if record.owner_id == user.pk:
            return f"Four eyes: you own {record.reference}, so someone else must approve it."
        if not (user.is_active and user.has_role(*self.approvers)):
            return "Only the governance board or the AIMS manager may approve a model version."
        if record.approved_by_id:
            return StateRefusal(f"{record.reference} is already approved.")
        if record.is_archived:
            return StateRefusal(f"{record.reference} is archived; restore it before approving it.")
        return ""


@policy("lifecycle.KPI")
class KPIPolicy(Policy):
    """Measurements: whoever may change the KPI, while it is not archived."""

    def can_measure(self, user, kpi) -> str:
        return change_now_refusal(user, kpi, "recording measurements")

    def can_import(self, user, kpi) -> str:
        return change_now_refusal(user, kpi, "importing")


@policy("lifecycle.Incident")
class IncidentPolicy(Policy):
    """The communication log (A.8.4): whoever may change the incident, while it is not archived."""

    def can_log(self, user, incident) -> str:
        return change_now_refusal(user, incident, "recording a communication")


@policy("lifecycle.ImpactAssessment")
class ImpactAssessmentPolicy(PublishablePolicy):
    """Harms are content of the draft: added and removed by whoever may change the assessment, while it
    is a draft; turning one into a risk also needs the right to create risks, at any stage."""

    def _harms(self, user, record, doing: str) -> str:
        reason = change_now_refusal(user, record, doing)
        if reason or record.is_editable:
            return reason
        return StateRefusal(
            f"{record.reference} is {record.get_status_display().lower()}; start a revision before {doing}."
        )

    def can_submit(self, user, record) -> str:
        """As every document, and not with a conclusion on sensitive or restricted use lower than the
        harms reach against the organisation's thresholds, unless its reasons are written down."""
        from lifecycle.standard.impact_assessments.uses import conclusion_problem

        reason = super().can_submit(user, record)
        if reason:
            return reason
        problem = conclusion_problem(record)
        return StateRefusal(f"{record.reference} cannot be submitted yet. {problem}") if problem else ""

    def can_add_harm(self, user, record) -> str:
        return self._harms(user, record, "adding harms")

    def can_remove_harm(self, user, record) -> str:
        return self._harms(user, record, "removing harms")

    def can_harm_to_risk(self, user, record) -> str:
        from aims.permissions import allowed, can_add, denial_reason
        from registers.models import Risk

        if not allowed(user, "change", record):
            return denial_reason(user, "change", record)
        if not can_add(user, Risk):
            return denial_reason(user, "add", model=Risk)
        return ""


@policy("lifecycle.ImpactThresholds")
class ImpactThresholdsPolicy(Policy):
    """The thresholds for sensitive and restricted uses: everyone reads them, the AIMS manager sets them."""

    def can_change(self, user, thresholds=None) -> str:
        return (
            ""
            if user.has_role(roles.MANAGER)
            else "Only the AIMS manager sets the thresholds for sensitive and restricted uses."
        )


# -- Stage gates (8.1, A.6) ---------------------------------------------------------------------------
@policy("lifecycle.GateReview")
class GateReviewPolicy(Policy):
    """Who approves a gate: an AIMS manager or a board member who neither owns the system nor asked for
    the gate (four eyes); the designated approver decides, and the person who asked or the system's owner
    may withdraw the request."""

    approver_roles = (roles.MANAGER, roles.BOARD)

    def approvers(self, system, requester=None):
        """Active AIMS managers and board members, but never the system's owner or the requester."""
        from aims.models import User

        people = User.objects.filter(is_active=True, groups__name__in=self.approver_roles).distinct()
        people = people.exclude(pk=system.owner_id)
        if requester is not None:
            people = people.exclude(pk=requester.pk)
        return people.order_by("display_name", "username")

    def approver_refusal(self, system, approver, requester) -> str:
        """Why `approver` may not be the one to decide `requester`'s gate for `system`, or ""."""
        if approver is None:
            return "Choose who approves the gate: an AIMS manager or a board member."
        if approver.pk == system.owner_id:
            return f"Four eyes: {approver} owns {system.reference}, so someone else must approve its gate."
        if approver.pk == requester.pk:
            return "Four eyes: you cannot approve a gate you asked for."
        if not approver.has_role(*self.approver_roles):
            return f"{approver} cannot approve gates: only the AIMS manager or the governance board can."
        return ""

    def can_decide(self, user, review) -> str:
        if user.pk != review.approver_id:
            return f"Only {review.approver}, the designated approver, may decide this gate."
        if user.pk == review.system.owner_id:  # ownership may have changed since the request
            return f"Four eyes: you now own {review.system.reference}, so someone else must decide."
        return ""

    def can_withdraw(self, user, review) -> str:
        if user.pk not in (review.requested_by_id, review.system.owner_id):
            return "Only the person who asked, or the system's owner, may withdraw a gate request."
        return ""

    def oversees(self, user) -> bool:
        """Who sees every pending gate review on the dashboard, not only those they decide."""
        return user.has_role(*self.approver_roles)


@policy("lifecycle.GateCriteria")
class GateCriteriaPolicy(Policy):
    """What each stage's gate checks: everyone reads it, the AIMS manager alone changes it."""

    def can_change(self, user, criteria=None) -> str:
        return (
            ""
            if user.has_role(roles.MANAGER)
            else "Only the AIMS manager changes what the stage gates check."
        )


# -- EU AI Act classification (four eyes) -------------------------------------------------------------
@policy("lifecycle.AISystem")
class AISystemPolicy(Policy):
    """The EU AI Act classification: whoever may change the system answers the questions; a second
    person who may approve -- the governance board or the AIMS manager, neither the one who answered nor
    the system's owner -- confirms the result, or refuses it with a reason."""

    confirmers = (roles.BOARD, roles.MANAGER)

    def can_answer_classification(self, user, system) -> str:
        return change_now_refusal(user, system, "answering the EU AI Act questions")

    def can_confirm_classification(self, user, system) -> str:
        if system.proposed_by_id == user.pk:
            return "Four eyes: you answered the EU AI Act questions, so someone else must confirm or refuse them."
        if system.owner_id == user.pk:
            return f"Four eyes: you own {system.reference}, so someone else must confirm or refuse its classification."
        if not (user.is_active and user.has_role(*self.confirmers)):
            return "Only the governance board or the AIMS manager may confirm or refuse an EU AI Act classification."
        if system.is_archived:
            return StateRefusal(
                f"{system.reference} is archived; restore it before confirming its classification."
            )
        if not system.awaiting_confirmation:
            return StateRefusal(
                f"No EU AI Act classification of {system.reference} is awaiting confirmation."
            )
        return ""


# -- EU AI Act obligations of high-risk systems ------------------------------------------------------
@policy("lifecycle.HighRiskObligation")
class HighRiskObligationPolicy(Policy):
    """An obligation moves through its states by whoever may change it, while it is not archived; the
    state it is in decides which move is open (a StateRefusal, so the service answers 400). Creating the
    obligations of a system takes the right to change the system and to add obligations."""

    def _move(self, user, record, doing: str, done: str, states) -> str:
        reason = change_now_refusal(user, record, doing)
        if reason or record.state in states:
            return reason
        return StateRefusal(
            f"{record.reference} is {record.get_state_display().lower()}, so it cannot be {done}."
        )

    def can_start(self, user, record) -> str:
        return self._move(user, record, "starting it", "started", (record.State.NOT_STARTED,))

    def can_complete(self, user, record) -> str:
        return self._move(user, record, "marking it done", "marked done", record.OPEN)

    def can_not_applicable(self, user, record) -> str:
        return self._move(user, record, "marking it not applicable", "marked not applicable", record.OPEN)

    def can_reopen(self, user, record) -> str:
        states = (record.State.DONE, record.State.NOT_APPLICABLE)
        return self._move(user, record, "reopening it", "reopened", states)

    def can_create_for_system(self, user, system) -> str:
        """`system` is the AI system whose obligations are wanted; refused with the reason when it is not
        high-risk, we are neither its provider nor its deployer, or every obligation exists already."""
        from aims.permissions import can_add, denial_reason

        from .standard.obligations.selectors import nothing_to_create

        reason = change_now_refusal(user, system, "creating its obligations")
        if reason:
            return reason
        if not can_add(user, self.model):
            return denial_reason(user, "add", model=self.model)
        why = nothing_to_create(system)
        return StateRefusal(why) if why else ""

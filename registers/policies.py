"""Who may do what in the Plan registers (aims.policies): one policy per model that differs from the
default -- the board's meetings and decisions, concerns anyone may raise and the AIMS manager
triages, a role's RACI, the communication log, risk acceptance, the approval of the risk treatment
plan, the board's approval of planned changes, the acknowledgement of a published AI policy, and the
actions raised from a readiness assessment's gaps."""

from django.db.models import Q

from aims import roles
from aims.policies import Policy, PublishablePolicy, StateRefusal, change_now_refusal, policy


@policy("registers.BoardMeeting")
class BoardMeetingPolicy(Policy):
    adders = editors = (roles.BOARD, roles.MANAGER)


@policy("registers.Decision")
class DecisionPolicy(Policy):
    adders = editors = (roles.BOARD, roles.MANAGER)


@policy("registers.Concern")
class ConcernPolicy(Policy):
    """Anyone with a role raises a concern; the AIMS manager triages it (A.3.3)."""

    # Everyone, the governance board and auditors included: A.3.3 asks that anyone may report a concern
    # about an AI system, and the concern goes to the AIMS manager, so the raiser edits nothing by it.
    adders = roles.ALL
    triagers = (roles.MANAGER,)

    def view(self, queryset, user):
        """The manager, the board and auditors see every concern; anyone else sees those they raised."""
        if user.has_role(roles.MANAGER, roles.BOARD, roles.AUDITOR):
            return queryset
        return queryset.filter(Q(raised_by=user) | Q(owner=user))

    def names_handler(self, user) -> bool:
        """Who names a concern's handler as they record it: those who change every concern (the AIMS
        manager, who hands concerns out). Anyone else's concern goes to the manager who receives them."""
        return user.has_role(*self.editors)

    def can_triage(self, user, concern) -> str:
        """Who triages (a 403 for anyone else). Whether the concern still can be is `triage_state`."""
        return "" if user.has_role(*self.triagers) else "Only the AIMS manager triages concerns."

    def triage_state(self, concern) -> str:
        """Why nobody may triage `concern` as it stands (its state: refused as a 400), or ""."""
        if concern.is_archived:
            return f"{concern.reference} is archived; restore it before triaging it."
        if concern.outcome != self.model.Outcome.PENDING:
            return (
                f"{concern.reference} was already triaged ({concern.get_outcome_display().lower()}); "
                "it cannot be triaged again."
            )
        return ""


@policy("registers.AimsRole")
class AimsRolePolicy(Policy):
    """A role's RACI letters (5.3) are a change of the role: whoever may change it, while it is live."""

    def can_set_raci(self, user, role) -> str:
        return change_now_refusal(user, role, "changing its RACI")


@policy("registers.Communication")
class CommunicationPolicy(Policy):
    """Recording that a line of the plan was communicated (7.4): whoever may change it, while it is live."""

    def can_log(self, user, communication) -> str:
        return change_now_refusal(user, communication, "recording it as done")


@policy("registers.PlannedChange")
class PlannedChangePolicy(Policy):
    """The governance board decides a proposed change (6.3), never its owner (four eyes)."""

    decides = True

    def approve(self, queryset, user):
        if not user.has_role(roles.BOARD):
            return queryset.none()
        return queryset.filter(status=self.model.Status.PROPOSED)

    def _decide(self, user, change) -> str:
        from aims.permissions import allowed, denial_reason

        return "" if allowed(user, "approve", change) else denial_reason(user, "approve", change)

    def can_approve(self, user, change) -> str:
        return self._decide(user, change)

    def can_reject(self, user, change) -> str:
        return self._decide(user, change)


@policy("registers.Policy")
class PolicyPolicy(PublishablePolicy):
    """AI policies (5.2) follow the board's approval lifecycle; the published version is acknowledged
    (7.3) by the people asked, each once per version."""

    def can_acknowledge(self, user, record) -> str:
        from aims.models import Lifecycle
        from registers.standard.policies import pending_for

        if record.status != Lifecycle.PUBLISHED:
            return f"{record.reference} is not published; there is nothing to acknowledge yet."
        if not pending_for(user, record).exists():
            return f"You have no open request to acknowledge {record.reference} v{record.version_number}."
        return ""


@policy("registers.ReadinessAssessment")
class ReadinessAssessmentPolicy(Policy):
    """Raising implementation actions from the gaps: whoever may change the assessment and may create
    implementation actions. Rating it is editing it (the built-in `can_edit`)."""

    def can_raise_actions(self, user, assessment) -> str:
        from aims.permissions import allowed, can_add, denial_reason
        from registers.models import ImplementationAction

        if not allowed(user, "change", assessment):
            return denial_reason(user, "change", assessment)
        if not can_add(user, ImplementationAction):
            return "Only owners and the AIMS manager may create implementation actions."
        return ""


@policy("registers.RiskCriteria")
class RiskCriteriaPolicy(Policy):
    """The level bands, appetite and categories (6.1.1): set by the AIMS manager alone."""

    def can_change(self, user, criteria) -> str:
        return (
            "" if user.has_role(roles.MANAGER) else "Only the AIMS manager may change the AI risk criteria."
        )


@policy("registers.Risk")
class RiskPolicy(Policy):
    """Acceptance (6.1.3): the board any risk, an owner only up to the appetite."""

    decides = True

    def approve(self, queryset, user):
        from registers.models import RiskCriteria

        if user.has_role(roles.BOARD):
            return queryset
        if user.has_role(roles.OWNER):
            return queryset.filter(residual_score__lte=RiskCriteria.current().appetite_max)
        return queryset.none()

    def can_accept(self, user, risk) -> str | None:
        """Accept the residual risk now (the Accept form): "" when allowed, else why not. A risk already
        accepted or archived offers no acceptance at all, so there is nothing to explain: None."""
        from aims.permissions import allowed, denial_reason

        if risk.is_archived or risk.accepted_by_id:
            return None
        return "" if allowed(user, "approve", risk) else denial_reason(user, "approve", risk)

    def explains_acceptance_to(self, user) -> bool:
        """Who is told why they may not accept: those who accept risks at all (the board and owners)."""
        return user.has_role(roles.BOARD, roles.OWNER)

    def approve_refusal(self, user, risk) -> str:
        from registers.models import RiskCriteria

        criteria = RiskCriteria.current()
        if user.has_role(roles.OWNER) and risk.residual_score > criteria.appetite_max:
            level = criteria.level(risk.residual_score)
            return (
                f"{risk.reference}'s residual level is {level.name if level else risk.residual_score}, above the "
                f"appetite ({criteria.appetite}): only the governance board may accept it."
            )
        if not user.has_role(roles.BOARD, roles.OWNER):
            return "Only the governance board, or an owner within the appetite, may accept a risk."
        return ""


@policy("registers.TreatmentPlanApproval")
class TreatmentPlanApprovalPolicy(Policy):
    """The AI risk treatment plan (6.1.3) is approved by designated management: the governance board or
    the AIMS manager. The guard is asked with the plan as it stands (registers.treatment_plan)."""

    approvers = (roles.BOARD, roles.MANAGER)

    def can_approve(self, user, plan) -> str:
        if not user.has_role(*self.approvers):
            return "Only the governance board and the AIMS manager approve the AI risk treatment plan."
        if not plan.size:
            return StateRefusal("No AI risk is assessed yet: the treatment plan has nothing to approve.")
        if plan.state == "current":
            approval = plan.approval
            return StateRefusal(
                f"The plan approved on {approval.approved_on:%Y-%m-%d} by {approval.approved_by} is current: "
                "no treatment changed and no risk was assessed since."
            )
        return ""

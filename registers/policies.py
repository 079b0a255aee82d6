"""Who may do what in the Plan registers (aims.policies): one policy per model that differs from the
default -- the board's meetings and decisions, concerns anyone may raise, risk acceptance, and the
board's approval of planned changes."""

from django.db.models import Q

from aims import roles
from aims.policies import Policy, policy


@policy("registers.BoardMeeting")
class BoardMeetingPolicy(Policy):
    adders = editors = (roles.BOARD, roles.MANAGER)


@policy("registers.Decision")
class DecisionPolicy(Policy):
    adders = editors = (roles.BOARD, roles.MANAGER)


@policy("registers.Concern")
class ConcernPolicy(Policy):
    adders = roles.ALL

    def view(self, queryset, user):
        """The manager, the board and auditors see every concern; anyone else sees those they raised."""
        if user.has_role(roles.MANAGER, roles.BOARD, roles.AUDITOR):
            return queryset
        return queryset.filter(Q(raised_by=user) | Q(owner=user))


@policy("registers.PlannedChange")
class PlannedChangePolicy(Policy):
    decides = True

    def approve(self, queryset, user):
        if not user.has_role(roles.BOARD):
            return queryset.none()
        return queryset.filter(status=self.model.Status.PROPOSED)


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

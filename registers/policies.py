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

"""Who may do what in the Act registers (aims.policies): effectiveness checks by someone other than the
owner once due, feedback anyone may give, and the sign-off of a management review by a board member who
did not chair it."""

from django.utils import timezone

from aims import roles
from aims.policies import Policy, policy


@policy("reviews.CorrectiveAction")
class CorrectiveActionPolicy(Policy):
    approve_verb = "check its effectiveness"
    decides = True

    def approve(self, queryset, user):
        """The effectiveness check: the AIMS manager, the board or another owner, once it is due (so
        "waiting for my decision" lists only checks that can be done today)."""
        from reviews.standard.corrective_actions import checks_due  # the SQL for "due", kept in one place

        if not user.has_role(roles.MANAGER, roles.BOARD, roles.OWNER):
            return queryset.none()
        return checks_due(queryset)

    def approve_refusal(self, user, obj) -> str:
        Status = self.model.Status  # noqa: N806
        if not user.has_role(roles.MANAGER, roles.BOARD, roles.OWNER):
            return "Only the AIMS manager, the governance board or an owner checks effectiveness."
        if obj.status != Status.DONE:
            return (
                f"{obj.reference} is {obj.get_status_display().lower()}: its effectiveness is checked "
                "once every action is done."
            )
        if obj.check_due_on and obj.check_due_on > timezone.localdate():
            return (
                f"The effectiveness check of {obj.reference} is due on {obj.check_due_on:%Y-%m-%d}, "
                f"{obj.check_after_days} days after its actions were done; check it then."
            )
        return ""


@policy("reviews.Feedback")
class FeedbackPolicy(Policy):
    adders = roles.ALL


@policy("reviews.ManagementReview")
class ManagementReviewPolicy(Policy):
    """Four eyes on sign-off: a board member who did not chair the meeting."""

    adders = (roles.MANAGER,)  # the AIMS manager schedules reviews
    decides = True

    def approve(self, queryset, user):
        if not user.has_role(roles.BOARD):
            return queryset.none()
        return queryset.filter(status=self.model.Status.HELD).exclude(chair=user)

    def approve_refusal(self, user, review) -> str:
        if review.chair_id == user.pk:
            return (
                f"Four eyes: you chaired {review.reference}, so another governance board member signs it off."
            )
        if review.status != self.model.Status.HELD:
            return (
                f"{review.reference} is {review.get_status_display().lower()}; only a review whose meeting "
                "was held is signed off."
            )
        if not user.has_role(roles.BOARD):
            return "Only a governance board member signs off a management review."
        return ""

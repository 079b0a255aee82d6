"""Who may do what in the Act registers (aims.policies): corrective actions started on a live
nonconformity by those who may change it, their actions planned and done, effectiveness checks by someone
other than the owner once due, feedback owners record and the AIMS manager triages, the management review's freeze, meeting and
sign-off by a board member who did not chair it, its outputs kept once signed off, and the improvement
records raised from other registers' records.

A guard `can_<transition>` returns why the person is refused (a 403), or "". Where a transition also
depends on the record's state, `<transition>_state(record)` says why nobody may do it now (a 400): the
service asks the guard, then the state; the button asks both."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from aims import roles
from aims.policies import Policy, policy


def _allowed(user, action: str, record) -> str:
    """No refusal when `user` may do `action` to `record`, else the general one (aims.permissions)."""
    from aims.permissions import allowed, denial_reason

    return "" if allowed(user, action, record) else denial_reason(user, action, record)


def archived(record) -> str:
    return f"{record.reference} is archived; restore it first." if record.is_archived else ""


# -- raising improvement records from other registers' records (reviews.raising) ----------------------------
# Raising a report about a record -- a nonconformity from an incident, a KPI in breach or an audit finding,
# a preventive action from a risk -- is anyone's right who creates such records and sees the source: a
# problem must be reportable by whoever notices it (10.1, 10.2), not only by the source's owner. Raising
# it is not changing the source: the link is kept on the new record, the source's history and version
# move only when the person raising may change the source, and the source's owner is told.
def raising_refusal(user, source, model, *, on_its_page: bool = False) -> str:
    """Why `user` may not raise a `model` record (a nonconformity, a preventive action) from `source` (an
    audit finding, an incident, a KPI, a risk): who creates one, who sees the source (known already on
    the source's own page, `on_its_page`), and not while the source is archived. The button on the
    source's page and the service ask this one rule."""
    from aims.permissions import can_add, denial_reason

    if not can_add(user, model):
        return denial_reason(user, "add", model=model)
    if not on_its_page:
        reason = _allowed(user, "view", source)
        if reason:
            return reason
    return archived(source)


def require_raising(user, source, model) -> None:
    reason = raising_refusal(user, source, model)
    if reason:
        raise PermissionDenied(reason)


def notes_on_source(user, source) -> bool:
    """Whether raising a record from `source` also writes a line in the source's history (and moves its
    version): only when `user` may change the source. Otherwise the new record's link is the record."""
    from aims.permissions import allowed

    return allowed(user, "change", source)


# -- Nonconformities and corrective actions (10.2) ---------------------------------------------------------
@policy("reviews.Nonconformity")
class NonconformityPolicy(Policy):
    """A corrective action is started on a live, open nonconformity by whoever may change it -- its owner,
    their delegates and the AIMS manager -- and may create corrective actions. Unlike raising a report,
    starting one acts on the nonconformity: its corrective actions move its status on and finally close
    it (10.2), which is its owner's to do, not any owner's."""

    def can_start_corrective_action(self, user, nc) -> str:
        from aims.permissions import allowed, can_add, denial_reason
        from reviews.models import CorrectiveAction

        if not can_add(user, CorrectiveAction):
            return denial_reason(user, "add", model=CorrectiveAction)
        if not allowed(user, "change", nc):
            return (
                f"Only the owner of {nc.reference} ({nc.owner}), their delegates and the AIMS manager start its "
                "corrective actions; raise your own nonconformity or tell its owner."
            )
        return archived(nc)

    def start_corrective_action_state(self, nc) -> str:
        return "" if nc.is_open else f"{nc.reference} is closed; nothing is left to correct."


@policy("reviews.CorrectiveAction")
class CorrectiveActionPolicy(Policy):
    """Its owner (or the AIMS manager) plans the actions; each action's owner marks it done; someone else
    checks the effectiveness once it is due."""

    approve_verb = "check its effectiveness"
    decides = True
    checkers = (roles.MANAGER, roles.BOARD, roles.OWNER)

    def approve(self, queryset, user):
        """The effectiveness check: the AIMS manager, the board or another owner, once it is due (so
        "waiting for my decision" lists only checks that can be done today)."""
        from reviews.selectors import checks_due  # the SQL for "due", kept in one place

        if not user.has_role(*self.checkers):
            return queryset.none()
        return checks_due(queryset)

    def approve_refusal(self, user, obj) -> str:
        Status = self.model.Status  # noqa: N806
        if not user.has_role(*self.checkers):
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

    def finished(self, ca) -> bool:
        return ca.status in (self.model.Status.EFFECTIVE, self.model.Status.NOT_EFFECTIVE)

    def can_add_action(self, user, ca) -> str:
        """Plan an action: whoever may change the corrective action, while it is live."""
        return _allowed(user, "change", ca) or archived(ca)

    def add_action_state(self, ca) -> str:
        if self.finished(ca):
            return f"{ca.reference} is finished ({ca.get_status_display().lower()}); start a new corrective action."
        return ""

    def complete_refusal(self, user, ca, action) -> str:
        """Mark `action` (one of the corrective action's rows) done: its owner, or whoever may change the
        corrective action; not while the corrective action is archived."""
        from aims.permissions import allowed

        if not (action.owner_id == user.pk or allowed(user, "change", ca)):
            return (
                f"Only the action's owner ({action.owner}), the owner of {ca.reference} and the AIMS manager "
                "mark it done."
            )
        return archived(ca)

    def require_complete(self, user, ca, action) -> None:
        reason = self.complete_refusal(user, ca, action)
        if reason:
            raise PermissionDenied(reason)

    def can_check_effectiveness(self, user, ca) -> str:
        """Four eyes, once due (`approve`), while it is live."""
        return _allowed(user, "approve", ca) or archived(ca)


# -- Feedback (10.1) ---------------------------------------------------------------------------------------
@policy("reviews.Feedback")
class FeedbackPolicy(Policy):
    """Owners and the AIMS manager record feedback; the AIMS manager triages it.

    Whoever records feedback owns it and keeps it current until triage, so it is recorded by those who
    own register records: not the governance board, which reads registers and decides but edits none,
    nor auditors, who stay independent of the improvement records they audit (9.2, 10.1). A board member
    or an auditor who hears feedback passes it to the AIMS manager, or raises a concern, which everyone
    may (registers.policies.ConcernPolicy, A.3.3)."""

    adders = (roles.OWNER, roles.MANAGER)
    triagers = (roles.MANAGER,)

    def can_triage(self, user, feedback) -> str:
        if not user.has_role(*self.triagers):
            return "Only the AIMS manager triages feedback."
        if feedback.is_archived:
            return f"{feedback.reference} is archived; restore it before triaging it."
        return ""

    def triage_state(self, feedback) -> str:
        if feedback.outcome != self.model.Outcome.PENDING:
            return f"{feedback.reference} was already triaged."
        return ""


# -- Management reviews (9.3) ------------------------------------------------------------------------------
@policy("reviews.ManagementReview")
class ManagementReviewPolicy(Policy):
    """The AIMS manager schedules reviews; whoever may change one freezes its inputs and records the
    meeting; four eyes on sign-off: a board member who did not chair the meeting."""

    adders = (roles.MANAGER,)  # the AIMS manager schedules reviews
    signers = (roles.BOARD,)
    decides = True

    def approve(self, queryset, user):
        if not user.has_role(*self.signers):
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
        if not user.has_role(*self.signers):
            return "Only a governance board member signs off a management review."
        return ""

    def can_freeze(self, user, review) -> str:
        return _allowed(user, "change", review)

    def freeze_state(self, review) -> str:
        Status = self.model.Status  # noqa: N806
        if review.status not in (Status.PLANNED, Status.INPUTS_FROZEN):
            return (
                f"{review.reference} is {review.get_status_display().lower()}: its inputs stay as they were "
                "frozen for the meeting."
            )
        return ""

    def can_record_meeting(self, user, review) -> str:
        return _allowed(user, "change", review)

    def record_meeting_state(self, review) -> dict | str:
        """Why the meeting cannot be recorded now: a message, or {field: message}."""
        Status = self.model.Status  # noqa: N806
        if review.status == Status.PLANNED:
            return {"held_on": "Compile and freeze the inputs first: the meeting reviews the frozen inputs."}
        if review.status != Status.INPUTS_FROZEN:
            return f"{review.reference} is {review.get_status_display().lower()} already."
        return ""

    def can_sign_off(self, user, review) -> str:
        """A board member who neither owns nor chaired it, once the meeting is held (`approve`)."""
        return _allowed(user, "approve", review)


@policy("reviews.ReviewAction")
class ReviewActionPolicy(Policy):
    """An output of a signed-off review stays on record: it is closed as done or cancelled, never
    archived."""

    def can_archive(self, user, action) -> str:
        reason = _allowed(user, "archive", action)
        if reason or action.review.status != action.review.Status.SIGNED_OFF:
            return reason
        return (
            f"{action.reference} is an output of the signed-off review {action.review.reference}: "
            "close it as done or cancelled instead."
        )

"""One policy per model: who may view, add, change, archive and approve its records, and make each of
its transitions, with the reason for every refusal (DESIGN.md "One policy per model").

aims.permissions.restrict(), the buttons of a record page, the services and the API all ask the model's
policy; nothing else decides. A model without a policy of its own gets `Policy` (or `PublishablePolicy`
for records the board approves in versions). An app declares a model's policy in its policies.py,
imported from its AppConfig.ready():

    @policy("registers.Risk")
    class RiskPolicy(Policy):
        decides = True
        def approve(self, queryset, user): ...

A transition ("triage", "answer", "close" ...) has one guard, `can_<transition>(user, record)`, which
returns the reason it is refused, or "" when it is allowed: the button is shown when the guard allows
it, and the service calls `require(policy_of(record), "<transition>", user, record)`, so the two never
disagree."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from aims import roles

DEFAULT_ADDERS = (roles.OWNER, roles.MANAGER)

_declared: dict[str, type] = {}


class Policy:
    adders: tuple[str, ...] = DEFAULT_ADDERS  # roles that may create one (concerns: everyone)
    editors: tuple[str, ...] = (roles.MANAGER,)  # roles that change every record, not just their own
    add_refusal = ""  # words a refusal to add when nobody adds one directly (findings)
    approve_verb = "approve or accept it"  # four eyes: "someone else must <verb>"
    decides = False  # True when `approve` narrows to the records waiting for a decision ("my work")

    def __init__(self, model):
        self.model = model

    # -- querysets (aims.permissions.restrict) ------------------------------------------------------
    def view(self, queryset, user):
        """Who sees what, when not everyone with a role sees everything."""
        return queryset

    def change(self, queryset, user):
        """Who changes and archives: `editors` every record, owners what they own or are delegated."""
        return default_change(queryset, user, self.editors)

    def approve(self, queryset, user):
        """Who approves (never their own record: restrict() removes those first): the board."""
        return queryset if user.has_role(roles.BOARD) else queryset.none()

    def may_add(self, user) -> bool:
        return bool(user.is_authenticated and user.is_active and user.has_role(*self.adders))

    # -- reasons ------------------------------------------------------------------------------------
    def change_refusal(self, user, obj) -> str:
        """Why `user` may not change `obj`; "" for the general wording (aims.permissions.denial_reason)."""
        return ""

    def approve_refusal(self, user, obj) -> str:
        """Why `user` may not approve `obj` beyond four eyes; "" for the general wording."""
        return ""

    # -- guards every record has ----------------------------------------------------------------------
    def can_edit(self, user, record) -> str:
        """Change the record's fields (the form, PATCH): who may change it, and not while archived."""
        return change_now_refusal(user, record)

    def can_delegate(self, user, record) -> str:
        """Hand out change rights: the owner and the AIMS manager; a delegate cannot delegate further."""
        if record.is_archived or not (record.owner_id == user.pk or user.has_role(roles.MANAGER)):
            return f"Only the owner of {record.reference} ({record.owner}) and the AIMS manager choose its delegates."
        return ""

    def refusal(self, transition: str, user, record) -> str:
        """The reason `transition` is refused to `user` on `record`, or "" when it is allowed."""
        guard = getattr(self, f"can_{transition.replace('-', '_')}", None)
        if guard is None:
            raise ValueError(f"{type(self).__name__} has no guard for the transition {transition!r}.")
        return guard(user, record)


class PublishablePolicy(Policy):
    """Records the board approves in versions (policies, the SoA ...): only a version in review. Each step
    of the life cycle (aims.publishing) has its guard: who may take it, and in which states."""

    decides = True
    steps = {  # step: (the states it starts from, who takes it, how the refusal words it)
        "submit": (("draft",), "change", "submitted for review"),
        "send_back": (("in_review",), "approve", "sent back"),
        "approve": (("in_review",), "approve", "approved"),
        "publish": (("approved",), "change", "published"),
        "revise": (("approved", "published"), "change", "revised"),
        "retire": (("published", "approved"), "change", "retired"),
    }

    def _step_refusal(self, step: str, user, record) -> str:
        from aims.permissions import allowed, denial_reason

        states, action, doing = self.steps[step]
        if not allowed(user, action, record):
            return denial_reason(user, action, record)
        if record.status not in states:
            return StateRefusal(
                f"{record.reference} is {record.get_status_display().lower()}, so it cannot be {doing} now."
            )
        return ""

    def can_submit(self, user, record) -> str:
        return self._step_refusal("submit", user, record)

    def can_send_back(self, user, record) -> str:
        return self._step_refusal("send_back", user, record)

    def can_approve(self, user, record) -> str:
        return self._step_refusal("approve", user, record)

    def can_publish(self, user, record) -> str:
        return self._step_refusal("publish", user, record)

    def can_revise(self, user, record) -> str:
        return self._step_refusal("revise", user, record)

    def can_retire(self, user, record) -> str:
        return self._step_refusal("retire", user, record)

    def approve(self, queryset, user):
        from aims.models import Lifecycle

        return queryset.filter(status=Lifecycle.IN_REVIEW) if user.has_role(roles.BOARD) else queryset.none()

    def approve_refusal(self, user, obj) -> str:
        from aims.models import Lifecycle

        if obj.status != Lifecycle.IN_REVIEW:
            return f"{obj.reference} is {obj.get_status_display().lower()}; only a version in review is approved."
        return ""


def policy(model_label: str):
    """Class decorator: the policy of the model "app_label.ModelName"."""

    def declare(cls):
        _declared[model_label.lower()] = cls
        return cls

    return declare


def policy_of(model_or_record) -> Policy:
    model = model_or_record if isinstance(model_or_record, type) else type(model_or_record)
    cls = _declared.get(model._meta.label_lower)
    if cls is None:
        from aims.models import Publishable

        cls = PublishablePolicy if issubclass(model, Publishable) else Policy
    return cls(model)


def change_now_refusal(user, record, doing: str = "editing") -> str:
    """Whoever may change the record, and not while it is archived ("restore it before <doing>"): the
    base of most guards of a record's own transitions (log a communication, set the RACI ...)."""
    from aims.permissions import allowed, denial_reason

    if not allowed(user, "change", record):
        return denial_reason(user, "change", record)
    if record.is_archived:
        return f"{record.reference} is archived; restore it before {doing}."
    return ""


class StateRefusal(str):
    """A guard's refusal because of the record's state (already approved, not a draft), not the person:
    the request was fine but comes at the wrong time, a 400 with the reason rather than a 403."""


def require(policy_: Policy, transition: str, user, record, field: str = "") -> None:
    """Refuse unless the transition's guard allows it: what services call. A StateRefusal is a
    ValidationError (on `field` when given), any other refusal PermissionDenied with the reason."""
    reason = policy_.refusal(transition, user, record)
    if isinstance(reason, StateRefusal):
        raise ValidationError({field: str(reason)} if field else str(reason))
    if reason:
        raise PermissionDenied(reason)


def allows(transition: str, user, record) -> bool:
    """Whether to offer the transition's button: the same guard the service asks."""
    return not policy_of(record).refusal(transition, user, record)


def default_change(queryset, user, editors=(roles.MANAGER,)):
    """`editors` change every record; owners what they own or hold a delegated grant on."""
    if user.has_role(*editors):
        return queryset
    if user.has_role(roles.OWNER):
        return owned(queryset, user)
    return queryset.none()


def owned(queryset, user):
    """Records `user` owns or holds a delegated change grant on, whatever their role: e.g. an auditee
    answering the audit findings on their records."""
    return queryset.filter(Q(owner=user) | granted(queryset.model, user, "change"))


def granted(model, user, *perms: str) -> Q:
    """Records on which `user` holds an object-level grant of one of `perms` ("view", "change"), as a
    subquery: a policy's `view` uses it for people given access to one confidential record."""
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast
    from guardian.models import UserObjectPermission

    grants = (
        UserObjectPermission.objects.filter(
            user=user,
            # joined in SQL, not looked up first: restrict() adds no query of its own
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
            permission__codename__in=[f"{p}_{model._meta.model_name}" for p in perms],
        )
        .annotate(record_id=Cast("object_pk", BigIntegerField()))
        .values("record_id")
    )
    return Q(pk__in=grants)


@policy("aims.Job")
class JobPolicy(Policy):
    """Reports, packs and imports: each person sees the jobs they asked for; the AIMS manager sees all."""

    def view(self, queryset, user):
        return queryset if user.has_role(roles.MANAGER) else queryset.filter(requested_by=user)

    def _not_theirs(self, user, job, doing: str) -> str:
        if job.requested_by_id == user.pk or user.has_role(roles.MANAGER):
            return ""
        return f"Only {job.requested_by} (who asked for it) and the AIMS manager may {doing} this job."

    def can_cancel(self, user, job) -> str:
        from aims.models import Job

        if reason := self._not_theirs(user, job, "cancel"):
            return reason
        if job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
            return StateRefusal(
                f"{job.title} is {job.get_status_display().lower()}; only a queued or running job can be cancelled."
            )
        return ""

    def can_retry(self, user, job) -> str:
        from aims.models import Job
        from aims.registry import registry

        if reason := self._not_theirs(user, job, "retry"):
            return reason
        if job.status not in (Job.Status.FAILED, Job.Status.CANCELLED):
            return StateRefusal(
                f"{job.title} is {job.get_status_display().lower()}; only a failed or cancelled job can be retried."
            )
        if again := job.retries.order_by("-pk").first():
            return StateRefusal(f"{job.title} was retried already, as job {again.pk}.")
        if job.kind not in registry.job_runners:
            return StateRefusal(
                f"Jobs of kind {job.kind!r} are no longer produced, so this one cannot run again."
            )
        if not job.requested_by.is_active:
            return StateRefusal(
                f"{job.requested_by}'s account is deactivated, so their job cannot run again."
            )
        refusal = registry.job_kind(job.kind).retry_refusal
        reason = refusal(job) if refusal else ""
        return StateRefusal(reason) if reason else ""


def dashboard_sections(user) -> dict[str, bool]:
    """Which parts of the dashboard's shell speak to `user`: what they own that is due (owners and the
    manager own records), what waits for their decision (the board, and owners who accept within
    appetite: shown to them only when something waits), and whether to say so when nothing waits (the
    board, whose first question it is)."""
    return {
        "my_work": user.has_role(roles.OWNER, roles.MANAGER),
        "decisions": user.has_role(roles.BOARD, roles.OWNER),
        "decides": user.has_role(roles.BOARD),
    }

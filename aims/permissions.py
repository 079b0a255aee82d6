"""The one permission choke point (DESIGN.md "Roles").

Every queryset that reaches a user -- lists, details, form choices, API, exports, reports -- passes
`restrict(queryset, user, action)`, which expresses the rule as SQL (joins and subqueries, never a
list of ids built in Python). `denial_reason` explains a refusal for the 403 page and the API.

Actions: view, change, archive, approve. "add" is not a queryset action: see `can_add`. What each
action means for a model is its policy's to say (aims.policies): this module only asks it, and adds
what holds for every model -- no role, no access; four eyes on approvals.
"""

from contextlib import contextmanager
from functools import partial

from django.core.exceptions import PermissionDenied
from django.http import Http404

from aims import roles
from aims.policies import DEFAULT_ADDERS, default_change, granted, owned, policy_of  # noqa: F401
from aims.prepared import prepared

ACTIONS = ("view", "change", "archive", "approve")


def has_a_role(user) -> bool:
    """Whether `user` is someone the AIMS lets see anything: signed in, active, holding a role."""
    return user is not None and user.is_authenticated and user.is_active and bool(user.role_names)


def restrict(queryset, user, action: str = "view"):
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if not has_a_role(user):
        return queryset.none()
    policy = policy_of(queryset.model)
    if action == "view":
        return policy.view(queryset, user)
    if action in ("change", "archive"):
        return policy.change(queryset, user)
    # approve: four eyes first -- nobody approves or accepts their own record.
    return policy.approve(queryset.exclude(owner=user), user)


def sees_all(user, model) -> bool:
    """Whether `user` may view every record of `model`: their role gives them the whole register (its
    policy narrows nothing for them), so a page may leave out the question of which ones. False when in
    doubt -- a policy that narrows, or returns anything but the queryset it was given."""
    if not has_a_role(user):
        return False
    everything = model._default_manager.all()
    return policy_of(model).view(everything, user) is everything


def allowed(user, action: str, obj) -> bool:
    """Whether `user` may do `action` to `obj`; inside `remembered(user)`, each question is asked once."""
    cache = getattr(user, "_allowed_cache", None)
    # Archiving is changing (restrict asks the policy's `change` for both): one question, asked once.
    asked = "change" if action == "archive" else action
    key = (asked, obj._meta.label_lower, obj.pk, getattr(obj, "version", None))
    if cache is not None and key in cache:
        return cache[key]
    model = type(obj)
    answer = has_a_role(user) and bool(prepared((model, asked), partial(_may, model, asked), user, pk=obj.pk))
    if cache is not None:
        cache[key] = answer
    return answer


def _may(model, action, user, pk):
    """The record `pk` if `user` may do `action` to it: its SQL kept per set of roles (aims.prepared), as a
    record's page asks three or four such questions."""
    return restrict(model.objects.filter(pk=pk), user, action).values_list("pk")[:1]


@contextmanager
def remembered(user):
    """While a page is drawn, remember each answer of `allowed` (a record page asks the same question once
    per button). Only for the block: grants and roles may change afterwards, and must be asked again."""
    if getattr(user, "_allowed_cache", None) is not None:  # already remembering (nested)
        yield
        return
    user._allowed_cache = {}
    try:
        yield
    finally:
        user._allowed_cache = None


def can_add(user, model) -> bool:
    return policy_of(model).may_add(user)


def denial_reason(user, action: str, obj=None, model=None) -> str:
    """Why `user` may not do `action` (to `obj`); worded for the person who was refused."""
    model = model or type(obj)
    policy = policy_of(model)
    noun = model._meta.verbose_name
    if not user.role_names:
        return "Your account has no AIMS role yet. Ask the AIMS manager to assign one."
    if action == "add":
        if not policy.adders:  # records that only arise from others (audit findings from checklist items)
            return policy.add_refusal or f"Nobody creates a {noun} directly."
        return f"Only {_role_list(policy.adders)} may create a {noun}."
    if action in ("change", "archive"):
        reason = policy.change_refusal(user, obj) if obj is not None else ""
        if reason:
            return reason
        if user.has_role(roles.AUDITOR) and not user.has_role(roles.OWNER, roles.MANAGER):
            return "Auditors have read-only access to registers."
        if user.has_role(roles.BOARD) and not user.has_role(roles.OWNER, roles.MANAGER):
            return "The governance board reads registers and takes decisions; it does not edit them."
        editors = _role_list(policy.editors)
        return (
            f"Only the owner of {obj.reference} ({obj.owner}), their delegates and {editors} may {action} it."
        )
    if obj is not None and obj.owner_id == user.pk:
        return f"Four eyes: you own {obj.reference}, so someone else must {policy.approve_verb}."
    reason = policy.approve_refusal(user, obj) if obj is not None else ""
    if reason:
        return reason
    return f"Only the governance board may approve a {noun}."


def _role_list(names) -> str:
    plural = {
        roles.MANAGER: "the AIMS manager",
        roles.BOARD: "the governance board",
        roles.OWNER: "owners",
        roles.AUDITOR: "auditors",
    }
    words = [plural[n] for n in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def require(user, action: str, obj) -> None:
    """Raise PermissionDenied (403 with the reason) unless `user` may do `action` to `obj`."""
    if not allowed(user, action, obj):
        raise PermissionDenied(denial_reason(user, action, obj))


def require_add(user, model) -> None:
    if not can_add(user, model):
        raise PermissionDenied(denial_reason(user, "add", model=model))


def hides_records(model) -> bool:
    """Whether some people with a role may not see some records of `model`: its policy narrows `view`
    (confidential evidence, concerns). Only those registers cost a query when related records are shown."""
    from aims.policies import Policy

    return type(policy_of(model)).view is not Policy.view


def visible_only(records, user) -> list:
    """Of `records` (the records a page, a report or the API is about to show next to another), those
    `user` may open, in their order: one query per register whose policy hides some records (and none
    for the others), so a confidential record is never named where it is linked from."""
    records = list(records)
    if not has_a_role(user):
        return []
    wanted: dict[type, set] = {}
    for record in records:
        if hides_records(record._meta.model):
            wanted.setdefault(record._meta.model, set()).add(record.pk)
    seen = {
        model: set(restrict(model.objects.filter(pk__in=pks), user, "view").values_list("pk", flat=True))
        for model, pks in wanted.items()
    }
    return [r for r in records if r._meta.model not in seen or r.pk in seen[r._meta.model]]


def get_visible(queryset, user, **lookup):
    """The record if `user` may see it; otherwise 404, whether it exists or not."""
    try:
        return restrict(queryset, user, "view").get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given reference.") from exc


# -- organisation-wide overviews ------------------------------------------------------------------------
# Pages computed from every register at once (certification readiness, the stakeholder report) show
# counts and published content, never a record someone may not open; who sees each is decided here.
OVERVIEWS = {
    "readiness": roles.ALL,
    "readiness_panel": (roles.MANAGER, roles.BOARD),  # the panel of their dashboards
    "stakeholder_report": roles.ALL,
    "board_pack": (roles.MANAGER, roles.BOARD),  # the PDF the board runs its meeting from
}


def may_see_overview(user, overview: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.has_role(*OVERVIEWS[overview])


def require_overview(user, overview: str) -> None:
    if not may_see_overview(user, overview):
        raise PermissionDenied(f"Only these roles may see this: {_role_list(OVERVIEWS[overview])}.")


# -- the AIMS's own settings ------------------------------------------------------------------------------
# Pages that set up the AIMS itself rather than keep a register: who may use each, and what a refusal says.
SETTINGS_PAGES = {
    "all_tokens": ((roles.MANAGER,), "sees every person's API tokens"),
    "webhooks": ((roles.MANAGER,), "manages webhooks"),
    "sign_in_policy": ((roles.MANAGER,), "chooses who must sign in with a second factor"),
    "outside_auditors": ((roles.MANAGER,), "invites outside auditors"),
}


def may_use_settings(user, page: str) -> bool:
    allowed_roles, _ = SETTINGS_PAGES[page]
    return has_a_role(user) and user.has_role(*allowed_roles)


def require_settings(user, page: str) -> None:
    if not may_use_settings(user, page):
        allowed_roles, doing = SETTINGS_PAGES[page]
        raise PermissionDenied(f"Only {_role_list(allowed_roles)} {doing}.")

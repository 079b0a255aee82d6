"""The one permission choke point (DESIGN.md "Roles").

Every queryset that reaches a user -- lists, details, form choices, API, exports, reports -- passes
`restrict(queryset, user, action)`, which expresses the rule as SQL (joins and subqueries, never a
list of ids built in Python). `denial_reason` explains a refusal for the 403 page and the API.

Actions: view, change, archive, approve. "add" is not a queryset action: see `can_add`.
A register may narrow "approve" (risks: owners may accept only up to the appetite) by defining
`restrict_approve(queryset, user)` and `approve_denial_reason(user, obj)` on its model.

A register may also widen or narrow the defaults through attributes of its model:
- `adders`: the roles that may create one (default: owners and the AIMS manager; concerns: everyone);
- `editors`: roles that may change and archive every record, not just their own (default: the AIMS
  manager; board meetings and decisions: the board too);
- `restrict_view(queryset, user)`: who sees what, when not everyone sees everything (concerns;
  confidential evidence, with `granted(model, user, "view")` for object-level view grants);
- `restrict_change(queryset, user)`: who may change and archive, replacing the rule above (audits: their
  auditors too; checklists and findings: only the audit's auditors). It may build on `default_change`;
  `change_denial_reason(user, obj)` then words the refusal.
"""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast
from django.http import Http404
from guardian.models import UserObjectPermission

from aims import roles

ACTIONS = ("view", "change", "archive", "approve")
DEFAULT_ADDERS = (roles.OWNER, roles.MANAGER)


def _delegated(model, user) -> Q:
    """Records on which `user` holds an object-level change grant (django-guardian)."""
    return granted(model, user, "change")


def granted(model, user, *perms: str) -> Q:
    """Records on which `user` holds an object-level grant of one of `perms` ("view", "change"), as a
    subquery: a model's `restrict_view` uses it for people given access to one confidential record."""
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


def restrict(queryset, user, action: str = "view"):
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if user is None or not user.is_authenticated or not user.is_active or not user.role_names:
        return queryset.none()
    model = queryset.model
    if action == "view":
        narrow = getattr(model, "restrict_view", None)
        return narrow(queryset, user) if narrow is not None else queryset
    if action in ("change", "archive"):
        narrow = getattr(model, "restrict_change", None)
        return narrow(queryset, user) if narrow is not None else default_change(queryset, user)
    # approve: four eyes first -- nobody approves or accepts their own record.
    queryset = queryset.exclude(owner=user)
    narrow = getattr(model, "restrict_approve", None)
    if narrow is not None:
        return narrow(queryset, user)
    return queryset if user.has_role(roles.BOARD) else queryset.none()


def default_change(queryset, user):
    """Who changes a record unless its model says otherwise: `editors` (the AIMS manager) all of them,
    owners what they own or are delegated."""
    model = queryset.model
    if user.has_role(*getattr(model, "editors", (roles.MANAGER,))):
        return queryset
    if user.has_role(roles.OWNER):
        return queryset.filter(Q(owner=user) | _delegated(model, user))
    return queryset.none()


def owned(queryset, user):
    """Records `user` owns or holds a delegated change grant on, whatever their role: e.g. an auditee
    answering the audit findings on their records."""
    return queryset.filter(Q(owner=user) | _delegated(queryset.model, user))


def allowed(user, action: str, obj) -> bool:
    """Whether `user` may do `action` to `obj`; inside `remembered(user)`, each question is asked once."""
    cache = getattr(user, "_allowed_cache", None)
    key = (action, obj._meta.label_lower, obj.pk, getattr(obj, "version", None))
    if cache is not None and key in cache:
        return cache[key]
    answer = restrict(type(obj).objects.filter(pk=obj.pk), user, action).exists()
    if cache is not None:
        cache[key] = answer
    return answer


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
    adders = getattr(model, "adders", DEFAULT_ADDERS)
    return bool(user.is_authenticated and user.is_active and user.has_role(*adders))


def denial_reason(user, action: str, obj=None, model=None) -> str:
    """Why `user` may not do `action` (to `obj`); worded for the person who was refused."""
    model = model or type(obj)
    noun = model._meta.verbose_name
    if not user.role_names:
        return "Your account has no AIMS role yet. Ask the AIMS manager to assign one."
    if action == "add":
        adders = getattr(model, "adders", DEFAULT_ADDERS)
        if not adders:  # records that only arise from others (audit findings from checklist items)
            return getattr(model, "add_refusal", f"Nobody creates a {noun} directly.")
        return f"Only {_role_list(adders)} may create a {noun}."
    if action in ("change", "archive"):
        explain = getattr(model, "change_denial_reason", None)
        if explain is not None and obj is not None:
            return explain(user, obj)
        if user.has_role(roles.AUDITOR) and not user.has_role(roles.OWNER, roles.MANAGER):
            return "Auditors have read-only access to registers."
        if user.has_role(roles.BOARD) and not user.has_role(roles.OWNER, roles.MANAGER):
            return "The governance board reads registers and takes decisions; it does not edit them."
        editors = _role_list(getattr(model, "editors", (roles.MANAGER,)))
        return (
            f"Only the owner of {obj.reference} ({obj.owner}), their delegates and {editors} may {action} it."
        )
    if obj is not None and obj.owner_id == user.pk:
        verb = getattr(model, "approve_verb", "approve or accept it")  # e.g. "check its effectiveness"
        return f"Four eyes: you own {obj.reference}, so someone else must {verb}."
    explain = getattr(model, "approve_denial_reason", None)
    if explain is not None and obj is not None:
        reason = explain(user, obj)
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
    "readiness_panel": (roles.MANAGER, roles.BOARD, roles.AUDITOR),  # the board dashboard's panel
    "stakeholder_report": roles.ALL,
}


def may_see_overview(user, overview: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.has_role(*OVERVIEWS[overview])


def require_overview(user, overview: str) -> None:
    if not may_see_overview(user, overview):
        raise PermissionDenied(f"Only these roles may see this: {_role_list(OVERVIEWS[overview])}.")

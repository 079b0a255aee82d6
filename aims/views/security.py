"""The AIMS manager's sign-in security page: which roles must sign in with a second factor (aims.mfa),
who of those people has one, and the policy's history."""

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render

from aims import mfa, permissions, roles
from aims.models import SignInPolicy, SignInPolicyChange, User
from aims.models.users import SECOND_FACTORS


class SignInPolicyForm(forms.Form):
    mfa_roles = forms.MultipleChoiceField(
        label="Roles that must sign in with a second factor",
        choices=[(name, name) for name in roles.ALL],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="People with any of these roles reach no page and no API until they have set up an "
        "authenticator app or a security key, and are asked for it at every sign-in.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


@login_required
def sign_in_policy(request):
    permissions.require_settings(request.user, "sign_in_policy")
    policy = SignInPolicy.objects.filter(pk=SignInPolicy.ID).select_related("updated_by").first()
    current = SignInPolicy.in_force(policy.mfa_roles if policy else None)
    version = policy.version if policy else 0
    form = SignInPolicyForm(request.POST or None, initial={"mfa_roles": current, "version": version})
    if request.method == "POST" and form.is_valid():
        chosen = [name for name in roles.ALL if name in form.cleaned_data["mfa_roles"]]
        if save_policy(request, chosen, form.cleaned_data["version"]):
            return redirect("sign-in-policy")
        form = SignInPolicyForm(initial={"mfa_roles": mfa.required_roles(), "version": _version()})
    people = (
        User.objects.filter(is_active=True, groups__name__in=current)
        .distinct()
        .order_by("username")
        .prefetch_related("groups")
    )
    with_factor = set(
        Authenticator.objects.filter(user__in=people, type__in=SECOND_FACTORS).values_list(
            "user_id", flat=True
        )
    )
    return render(
        request,
        "aims/sign_in_policy.html",
        {
            "form": form,
            "policy": policy,
            "people": [(person, person.pk in with_factor) for person in people],
            "changes": SignInPolicyChange.objects.select_related("actor")[:20],
        },
    )


def _version() -> int:
    return SignInPolicy.objects.filter(pk=SignInPolicy.ID).values_list("version", flat=True).first() or 0


@transaction.atomic
def save_policy(request, chosen: list[str], expected_version: int) -> bool:
    """Save the roles that need a second factor, unless someone saved the policy since the form was drawn."""
    policy = SignInPolicy.objects.select_for_update().filter(pk=SignInPolicy.ID).first()
    before = SignInPolicy.in_force(policy.mfa_roles if policy else None)
    if (policy.version if policy else 0) != expected_version:
        messages.error(
            request,
            f"{policy.updated_by} changed this policy at {policy.updated_at:%Y-%m-%d %H:%M} while you had it "
            "open; nothing of yours was saved. Here it is as it is now: choose again.",
        )
        return False
    if policy is None:
        SignInPolicy.objects.create(pk=SignInPolicy.ID, mfa_roles=chosen, updated_by=request.user)
    else:
        policy.mfa_roles, policy.updated_by = chosen, request.user
        policy.version += 1
        policy.save()
    SignInPolicyChange.objects.create(actor=request.user, before=before, after=chosen)
    messages.success(
        request,
        "Saved. " + (f"{', '.join(chosen)} must now sign in with a second factor." if chosen
                     else "No role must sign in with a second factor now."),
    )  # fmt: skip
    return True

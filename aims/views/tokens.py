"""Personal API tokens: each person makes and revokes their own; the AIMS manager sees and may revoke every
one. What a token may do is enforced by aims.api.auth; this is where it is chosen."""

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from aims import permissions
from aims.api.auth import register_names
from aims.models import ApiToken, Notification
from aims.notifications import notify
from aims.registry import registry


def register_choices() -> list[tuple[str, str]]:
    """Every register, by model label, named and ordered as the menus name them."""
    return [(info.model._meta.label_lower, f"{info.label} ({info.cycle})") for info in registry.registers]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="The system that will use it, e.g. credit-model pipeline."
    )
    access = forms.ChoiceField(
        choices=[("read", "Read only"), ("write", "Read and write")],
        initial="read",
        widget=forms.RadioSelect,
        help_text="Read only unless the integration creates or changes records.",
    )
    registers = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "in-columns"}),
        help_text="Tick the registers it needs; none ticked: every register you may reach.",
    )
    expires_on = forms.DateField(
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"At most {ApiToken.DAYS_MAX} days from today.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registers"].choices = register_choices()
        today = timezone.localdate()
        self.fields["expires_on"].initial = today + timedelta(days=ApiToken.DAYS_DEFAULT)
        self.fields["expires_on"].widget.attrs.update(
            min=(today + timedelta(days=1)).isoformat(),
            max=(today + timedelta(days=ApiToken.DAYS_MAX)).isoformat(),
        )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Name the token, e.g. after the system that will use it.")
        return name

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError("Pick a day after today.")
        if day > today + timedelta(days=ApiToken.DAYS_MAX):
            raise forms.ValidationError(
                f"A token lives at most {ApiToken.DAYS_MAX} days: pick "
                f"{today + timedelta(days=ApiToken.DAYS_MAX):%Y-%m-%d} or earlier."
            )
        return day

    def issue(self, user) -> tuple[ApiToken, str]:
        data = self.cleaned_data
        # The token holds until the end of the day it expires on, in the organisation's time zone.
        ends = timezone.make_aware(datetime.combine(data["expires_on"], time.max))
        return ApiToken.issue(
            user=user,
            name=data["name"],
            writes=data["access"] == "write",
            registers=data["registers"],
            expires_at=ends,
        )


def token_rows(tokens) -> list[dict]:
    """Tokens as a table shows them: the registers they are limited to, named as the menus name them."""
    return [{"token": t, "registers": register_names(t)} for t in tokens]


@login_required
def tokens(request):
    new_secret = None
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            token, new_secret = form.issue(request.user)
            messages.success(request, f"Token “{token.name}” created. Copy it now: it is shown only once.")
            form = TokenForm()
        else:
            messages.error(request, "The token was not made: see the fields marked below.")
    items = request.user.api_tokens.select_related("revoked_by")
    return render(
        request,
        "aims/tokens.html",
        {
            "rows": token_rows(items),
            "new_secret": new_secret,
            "form": form,
            "sees_all_tokens": permissions.may_use_settings(request.user, "all_tokens"),
        },
    )


STATES = {
    "active": lambda now: Q(revoked_at__isnull=True, expires_at__gt=now),
    "expired": lambda now: Q(revoked_at__isnull=True, expires_at__lte=now),
    "revoked": lambda now: Q(revoked_at__isnull=False),
}


@login_required
def all_tokens(request):
    """Every person's tokens, for the AIMS manager: who holds which, what it may do, when it was last
    used, and a revoke button."""
    permissions.require_settings(request.user, "all_tokens")
    items = ApiToken.objects.select_related("user", "revoked_by").order_by("-created_at", "-pk")
    state = request.GET.get("state", "active")
    if state in STATES:
        items = items.filter(STATES[state](timezone.now()))
    query = request.GET.get("q", "").strip()
    if query:
        items = items.filter(
            Q(name__icontains=query) | Q(user__username__icontains=query) | Q(lookup__istartswith=query)
        )
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "aims/tokens_all.html",
        {
            "page_obj": page,
            "rows": token_rows(page.object_list),
            "state": state,
            "query": query,
            "states": ["active", "expired", "revoked", "all"],
            "querystring": urlencode({"state": state, "q": query}),
        },  # fmt: skip
    )


@login_required
@require_POST
def token_revoke(request, pk):
    """Revoke a token: one's own, or anyone's for whoever sees every token (its person is told)."""
    mine = request.user.api_tokens.all()
    anyones = permissions.may_use_settings(request.user, "all_tokens")
    live = (ApiToken.objects if anyones else mine).filter(revoked_at__isnull=True)
    token = get_object_or_404(live.select_related("user"), pk=pk)
    token.revoked_at = timezone.now()
    token.revoked_by = request.user
    token.save(update_fields=["revoked_at", "revoked_by"])
    messages.success(request, f"Token “{token.name}” revoked; integrations using it are refused from now on.")
    if token.user_id != request.user.pk:
        notify(
            token.user,
            kind=Notification.Kind.TOKEN_REVOKED,
            key=f"token-revoked:{token.pk}",
            message=f"{request.user} revoked your API token “{token.name}”: integrations using it are refused.",
            url=reverse("tokens"),
        )
        return redirect("tokens-all")
    return redirect("tokens")

"""The AIMS manager's webhook pages: subscriptions, their secret, a test event, and the delivery log."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aims import permissions, webhooks
from aims.models import WebhookDelivery, WebhookSubscription
from aims.models.webhooks import new_secret


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(
        label="Address (URL)", max_length=500, assume_scheme="https",
        help_text="http(s); not a private, loopback or link-local address.",
    )  # fmt: skip
    event_types = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple(attrs={"class": "in-columns"}),
        help_text="The events it receives.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "event_types"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = webhooks.event_types()
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhooks.check_target(url)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["url"]) from exc
        return url

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("version") != self.instance.version:
            raise forms.ValidationError(
                "Someone changed this webhook since you opened it: reload the page to see their change, "
                "then make yours again."
            )
        return data


@login_required
def webhook_list(request):
    permissions.require_settings(request.user, "webhooks")
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                subscription = form.save(commit=False)
                subscription.owner = request.user
                subscription.save()
                webhooks.subscriptions_changed()
            messages.success(request, f"Webhook “{subscription.name}” created. Its signing secret is below.")
            return redirect("webhook-detail", pk=subscription.pk)
        messages.error(request, "The webhook was not made: see the fields marked below.")
    subscriptions = WebhookSubscription.objects.select_related("owner")
    return render(request, "aims/webhooks.html", {"subscriptions": subscriptions, "form": form})


@login_required
def webhook_detail(request, pk):
    permissions.require_settings(request.user, "webhooks")
    subscription = get_object_or_404(WebhookSubscription.objects.select_related("owner"), pk=pk)
    form = SubscriptionForm(request.POST or None, instance=subscription)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                changed = WebhookSubscription.objects.filter(pk=pk, version=subscription.version).update(
                    name=form.cleaned_data["name"], url=form.cleaned_data["url"],
                    event_types=form.cleaned_data["event_types"], version=F("version") + 1,
                )  # fmt: skip
                webhooks.subscriptions_changed()
            if changed:
                messages.success(request, "Webhook saved.")
                return redirect("webhook-detail", pk=pk)
            form.add_error(
                None, "Someone changed this webhook meanwhile: reload the page, then make your change again."
            )
        messages.error(request, "The webhook was not saved: see the fields marked below.")
    deliveries = subscription.deliveries.prefetch_related("tries")
    status = request.GET.get("status", "")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "aims/webhook_detail.html",
        {"subscription": subscription, "form": form, "page_obj": page, "status": status,
         "statuses": WebhookDelivery.Status.choices, "querystring": f"status={status}" if status else ""},
    )  # fmt: skip


@login_required
@require_POST
def webhook_action(request, pk, action):
    """Test, turn on, turn off, new secret, delete: each a button on the webhook's page."""
    permissions.require_settings(request.user, "webhooks")
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    if action == "test":
        webhooks.emit(webhooks.TEST_EVENT, {"subscription": subscription.name, "sent_by": request.user.username},
                      only=subscription.pk)  # fmt: skip
        messages.success(request, "A test event is on its way: its delivery appears in the log below.")
    elif action in ("enable", "disable"):
        on = action == "enable"
        WebhookSubscription.objects.filter(pk=pk).update(
            active=on, disabled_reason="" if on else f"Turned off by {request.user}.",
            failures_in_a_row=0 if on else F("failures_in_a_row"), version=F("version") + 1,
        )  # fmt: skip
        webhooks.subscriptions_changed()
        messages.success(request, f"Webhook “{subscription.name}” turned {'on' if on else 'off'}.")
    elif action == "secret":
        WebhookSubscription.objects.filter(pk=pk).update(secret=new_secret(), version=F("version") + 1)
        messages.success(
            request, "A new signing secret is in force: give it to the receiver; the old one no longer signs."
        )
    elif action == "delete":
        subscription.delete()
        webhooks.subscriptions_changed()
        messages.success(request, f"Webhook “{subscription.name}” and its delivery log deleted.")
        return redirect("webhook-list")
    else:
        raise PermissionDenied(f"Unknown action {action!r}.")
    return redirect("webhook-detail", pk=pk)

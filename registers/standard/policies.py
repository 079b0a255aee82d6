"""AI policies (ISO/IEC 42001 5.2, A.2) and their acknowledgement (7.3).

A policy follows the shared approval lifecycle (aims.publishing): the board approves, the owner
publishes, every approved version is kept and comparable. Publishing asks the named roles and people
to acknowledge the version in force; the daily sweep reminds those who have not."""

import datetime as dt

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from aims import publishing, roles
from aims.actions import RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.models import Lifecycle, Notification, User
from aims.policies import allows, policy_of
from aims.register import Register
from aims.registry import registry
from aims.services import RecordServices
from registers.content.policy_templates import TEMPLATES
from registers.models import Acknowledgement, Policy

FIELDS = [
    "title", "kind", "purpose", "body", "applies_to", "acknowledge_roles", "acknowledge_people",
    "owner", "review_cadence", "next_review_on",
]  # fmt: skip

services = RecordServices(Policy, FIELDS)


# -- acknowledgements (7.3) --------------------------------------------------------------------------
def people_to_ask(policy):
    named = Q(pk__in=policy.acknowledge_people.values("pk"))
    by_role = Q(groups__name__in=policy.acknowledge_roles or [])
    return User.objects.filter(is_active=True).filter(named | by_role).distinct()


def request_acknowledgements(policy, *, actor):
    """Called when a version is published: one request per person for that version, and a notification."""
    version = policy.version_number
    asked = set(
        Acknowledgement.objects.filter(policy=policy, version_number=version).values_list(
            "person_id", flat=True
        )
    )
    new = [
        Acknowledgement(policy=policy, version_number=version, person=person)
        for person in people_to_ask(policy)
        if person.pk not in asked
    ]
    Acknowledgement.objects.bulk_create(new)
    Notification.objects.bulk_create(
        [
            Notification(
                user=ack.person,
                kind=Notification.Kind.ACKNOWLEDGE,
                key=f"ack:{policy.pk}:{version}",
                message=f"Please read and acknowledge {policy.reference} {policy.title} (v{version}).",
                url=policy.get_absolute_url(),
            )
            for ack in new
        ],
        ignore_conflicts=True,
    )
    return len(new)


# aims.publishing.publish calls the model's on_publish; the model cannot import this module (it would
# be circular), so the register attaches its hook here, at import, once.
publishing.when_published("registers.Policy", request_acknowledgements)


def open_acknowledgements():
    """Requests not yet acknowledged, for the version in force of a published policy, by people still
    active: a superseded version's requests no longer count. The dashboard and the list's
    ?acknowledgement= filter both read it."""
    return Acknowledgement.objects.filter(
        acknowledged_at__isnull=True,
        policy__status=Lifecycle.PUBLISHED,
        version_number=F("policy__version_number"),
        person__is_active=True,
    )


def pending_for(user, policy):
    return Acknowledgement.objects.filter(
        policy=policy, person=user, version_number=policy.version_number, acknowledged_at__isnull=True
    )


@transaction.atomic
def acknowledge(policy, *, actor, expected_version=None):
    """The person confirms they have read the version in force. Not a change to the policy itself.
    Who may (those asked, once the version is published) is PolicyPolicy.can_acknowledge; a refusal is
    about the request, not the person's role, so it stays a 400."""
    reason = policy_of(policy).refusal("acknowledge", actor, policy)
    if reason:
        raise ValidationError(reason)
    pending_for(actor, policy).update(acknowledged_at=timezone.now())
    return policy


def acknowledgement_reminders(today):
    """Open requests older than a week remind their person once a week (the key carries the week)."""
    week = today.isocalendar()
    cutoff = timezone.now() - dt.timedelta(days=7)
    open_requests = Acknowledgement.objects.filter(
        acknowledged_at__isnull=True,
        requested_at__lt=cutoff,
        person__is_active=True,
        policy__status=Lifecycle.PUBLISHED,
        policy__archived_at__isnull=True,
    ).select_related("policy", "person")
    for ack in open_requests:
        policy = ack.policy
        if ack.version_number != policy.version_number:
            continue  # superseded: the newer version has its own request
        yield (
            ack.person,
            Notification.Kind.ACKNOWLEDGE,
            f"ack-reminder:{policy.pk}:{ack.version_number}:{week.year}-{week.week}",
            f"Reminder: {policy.reference} {policy.title} (v{ack.version_number}) still awaits your acknowledgement.",
            policy.get_absolute_url(),
        )


registry.add_reminder_source(acknowledgement_reminders)


# -- pages and API ------------------------------------------------------------------------------------
class PolicyForm(RecordForm):
    acknowledge_roles = forms.MultipleChoiceField(
        label="Roles asked to acknowledge",
        choices=[(r, r) for r in roles.ALL],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=Policy._meta.get_field("acknowledge_roles").help_text,
    )

    class Meta:
        model = Policy
        fields = [*FIELDS, "requirements"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acknowledge_people"].queryset = User.objects.filter(is_active=True).order_by("username")


class PolicyFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "purpose", "body")
    kind = filters.MultipleChoiceFilter(choices=Policy.Kind.choices)
    status = filters.MultipleChoiceFilter(choices=Lifecycle.choices)
    acknowledgement = filters.ChoiceFilter(
        choices=[
            ("outstanding", "Not yet acknowledged by all asked"),
            ("mine", "Waiting for my acknowledgement"),
        ],
        method="filter_acknowledgement",
        empty_label="Any",
        label="Acknowledgement",
    )
    ordering = filters.OrderingFilter(fields=(("reference", "reference"), ("title", "title")))

    class Meta:
        model = Policy
        fields = []

    def filter_acknowledgement(self, queryset, name, value):
        waiting = open_acknowledgements()
        if value == "mine":
            waiting = waiting.filter(person=self.user)
        return queryset.filter(pk__in=waiting.values("policy_id")) if value else queryset


ACTIONS = [
    *publishing.lifecycle_actions(),
    RecordAction(
        "acknowledge",
        "I have read it",
        acknowledge,
        lambda u, r: allows("acknowledge", u, r),
        done="Thank you: your acknowledgement of {reference} is recorded.",
        style="primary",
        description="Acknowledge the published version (open to the people asked).",
    ),
]


class PolicySerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Policy
        fields = record_fields(FIELDS)


class PolicyViewSet(RecordViewSet):
    """Policies (5.2, A.2) with their approval lifecycle, versions and acknowledgement. DELETE archives."""

    serializer_class = PolicySerializer
    filterset_class = PolicyFilterSet
    services = services
    record_actions = ACTIONS


class PolicyRegister(Register):
    model = Policy
    label, url_prefix, position = "Policies", "policies", 30
    menu_group = "5"
    services = services
    form = PolicyForm
    filterset = PolicyFilterSet
    viewset = PolicyViewSet
    actions = ACTIONS
    starters = TEMPLATES
    detail_template = "registers/policy_detail.html"
    columns = [
        ("Policy", "title", "title"),
        ("Kind", "kind", None),
        ("Status", "status", None),
        ("Approved version", lambda r: f"v{r.version_number}" if r.version_number else "none yet", None),
        ("Published", "published_on", None),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ]
    fieldsets = [
        ("The policy", ["kind", "purpose", "applies_to", "body"]),
        ("Acknowledgement", ["acknowledge_roles", "acknowledge_people"]),
    ]
    form_fieldsets = [
        ("The policy", ["title", "kind", "purpose", "applies_to", "body"]),
        ("Acknowledgement (7.3)", ["acknowledge_roles", "acknowledge_people"]),
        ("Links", ["requirements"]),
        ("Ownership and review (A.2.4)", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 5.2 and A.2: the AI policy and the policies that support it. The governance board "
        "approves each version; publishing asks people to acknowledge it."
    )
    empty_text = "No policies yet. Start from the AI policy template and adapt it to your organisation."

    def detail_context(self, request, policy, tab) -> dict:
        """The acknowledgements of the version in force, on the details tab."""
        if tab != "details" or not policy.version_number:
            return {}
        requests = list(
            Acknowledgement.objects.filter(policy=policy, version_number=policy.version_number)
            .select_related("person")
            .order_by("acknowledged_at", "person__username")
        )
        done = [a for a in requests if a.acknowledged_at]
        return {
            "acknowledgements": requests,
            "acknowledged_count": len(done),
            "in_force": publishing.published_version(policy),
        }

    def sample(self, people, n=0):
        fields = {"title": f"AI policy, {n}", "body": "1. Purpose\nWe use AI responsibly."}
        return self.services.create(actor=people["owner"], fields=fields)

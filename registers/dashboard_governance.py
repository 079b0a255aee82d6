"""The board dashboard's governance panel: policy status (5.2), acknowledgements outstanding (7.3),
competence gaps and training (7.2), the viewer's own among them. Every number links to the list behind it;
a constant number of queries."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from aims import roles
from aims.models import Lifecycle
from aims.registry import registry
from aims.selectors import first_with_total

from .competence_gaps import GAP, competence_gaps
from .models import Policy, TrainingRecord
from .standard.policies import open_acknowledgements
from .standard.training import EXPIRING_WITHIN_DAYS, expiry_conditions


def governance_panel(request) -> dict:
    user, today = request.user, timezone.localdate()
    policies = Policy.objects.restrict(user, "view").live()
    counts = policies.aggregate(
        due=Count("pk", filter=Q(next_review_on__lt=today)),
        **{value: Count("pk", filter=Q(status=value)) for value in Lifecycle.values},
    )
    ai_policy = (
        policies.filter(kind=Policy.Kind.AI_POLICY, status=Lifecycle.PUBLISHED)
        .order_by("-published_on")
        .first()
    )
    # Open requests for the version in force only: a superseded version's requests no longer count.
    open_acks = open_acknowledgements().filter(policy__in=policies)
    acks = open_acks.aggregate(
        policies=Count("policy", distinct=True), mine=Count("policy", filter=Q(person=user), distinct=True)
    )
    mine = list(open_acks.filter(person=user).select_related("policy")[:5])
    expiry = expiry_conditions(today)
    training = (
        TrainingRecord.objects.restrict(user, "view")
        .live()
        .aggregate(
            expired=Count("pk", filter=expiry["expired"]), expiring=Count("pk", filter=expiry["expiring"])
        )
    )
    gaps = competence_gaps(today=today, user=user)
    own = next((row for row in gaps.rows if row.person.pk == user.pk), None)  # None: the viewer holds no role
    policy_list = reverse("policy-list")
    return {
        "template": "registers/governance_panel.html",
        "policy_list": policy_list,
        "statuses": [
            (label, counts[value], f"{policy_list}?status={value}")
            for value, label in Lifecycle.choices
            if value != Lifecycle.RETIRED or counts[value]
        ],
        "policies_due": counts["due"],
        "ai_policy": ai_policy,
        "acks": acks,
        "my_acks": mine,
        "training": training,
        "training_list": reverse("trainingrecord-list"),
        "expiring_days": EXPIRING_WITHIN_DAYS,
        "gaps_url": reverse("competencerequirement-gaps"),
        "competence": {
            "gaps": gaps.count(GAP),
            "expiring": gaps.count("expiring"),
            "mine": own.count(GAP) if own else None,
        },
    }


# Policy status, acknowledgements and competence of everyone: the AIMS manager keeps them up.
registry.add_dashboard_panel(governance_panel, roles=(roles.MANAGER,), order=90)


def acknowledgements_panel(request) -> dict:
    """The policies in force waiting for the viewer's acknowledgement (7.3): shown to the people asked,
    only when something waits (one query; the list behind it is ?acknowledgement=mine)."""
    user = request.user
    visible = Policy.objects.restrict(user, "view").live()
    mine, count = first_with_total(  # one request per person and version
        open_acknowledgements().filter(policy__in=visible, person=user).select_related("policy"),
        "policy__reference",
        shown=5,
    )
    return {
        "template": "registers/acknowledgements_panel.html",
        "hidden": not mine,
        "policy_list": reverse("policy-list"),
        "acks": mine,
        "count": count,
    }


registry.add_dashboard_panel(
    acknowledgements_panel, roles=(roles.OWNER, roles.AUDITOR, roles.BOARD), order=17
)

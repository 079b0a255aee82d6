"""The board dashboard's governance panel: policy status (5.2), acknowledgements outstanding (7.3),
training gaps (7.2). Every number links to the list behind it; a constant number of queries."""

import datetime as dt

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from aims.models import Lifecycle
from aims.registry import registry

from .models import Acknowledgement, Policy, TrainingRecord

EXPIRING_WITHIN_DAYS = 60  # as the competence matrix and the training list


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
    open_acks = Acknowledgement.objects.filter(
        acknowledged_at__isnull=True,
        policy__in=policies.filter(status=Lifecycle.PUBLISHED),
        version_number=F("policy__version_number"),
        person__is_active=True,
    )
    ack_totals = open_acks.aggregate(requests=Count("pk"), people=Count("person", distinct=True))
    mine = list(open_acks.filter(person=user).select_related("policy")[:5])
    training = (
        TrainingRecord.objects.restrict(user, "view")
        .live()
        .aggregate(
            expired=Count("pk", filter=Q(expires_on__lte=today)),
            expiring=Count(
                "pk",
                filter=Q(
                    expires_on__gt=today, expires_on__lte=today + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
                ),
            ),
        )
    )
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
        "acks": ack_totals,
        "my_acks": mine,
        "training": training,
        "training_list": reverse("trainingrecord-list"),
        "matrix_url": reverse("competencerequirement-matrix"),
    }


registry.add_dashboard_panel(governance_panel)

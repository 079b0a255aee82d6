"""Corrective actions (ISO/IEC 42001 10.2): the root cause of a nonconformity through five whys and its
category, the actions (who, what, by when), and a check some days after they are done -- by someone other
than the owner -- that they worked. Effective closes the nonconformity; not effective reopens it."""

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from aims.actions import Input, RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm, owner_choices
from aims.links import Related
from aims.policies import allows, policy_of
from aims.register import Register
from aims.registry import registry
from reviews.improvement import CA_FIELDS, add_action, ca_services, check_effectiveness, complete_action
from reviews.models import CorrectiveAction, Lesson, Nonconformity
from reviews.selectors import checks_due, with_overdue_actions

Status = CorrectiveAction.Status
WHY_FIELDS = [f"{w}_{n}" for n in range(1, 6) for w in ("why", "because")]


# -- actions: buttons on the page and POST endpoints in the API ----------------------------------------
ADD_ACTION = RecordAction(
    "add-action",
    "Plan an action",
    add_action,
    lambda user, ca: False,  # the page offers it under the action table, with a date and a person
    done="{reference}: action planned.",
    inputs=(
        Input("description", "Action", help_text="What will be done."),
        Input("owner", "Owner", help_text="Username of the person who does it."),
        Input("due_on", "Due", help_text="A date like 2026-03-31."),
    ),
    description="Plan an action: `description`, `owner` (username), `due_on` (YYYY-MM-DD). Needs one "
    "answered why and the cause category first.",
)
COMPLETE_ACTION = RecordAction(
    "complete-action",
    "Mark an action done",
    complete_action,
    lambda user, ca: False,  # a button on each row of the action table
    done="{reference}: action done.",
    inputs=(Input("action", "Action number"),),
    description="Mark action number `action` done. When every action is done, the effectiveness period starts.",
)
CHECK = RecordAction(
    "check-effectiveness",
    "Check effectiveness",
    check_effectiveness,
    lambda user, ca: allows("check-effectiveness", user, ca),  # four eyes, once due, while live
    done="{reference}: effectiveness recorded.",
    inputs=(
        Input("result", "Result", choices=tuple(CorrectiveAction.Result.choices)),
        Input("notes", "What was checked and what it showed"),
    ),
    style="primary",
    description="Record the effectiveness check (four eyes: not the CA's owner), once due: `result` effective "
    "closes the nonconformity, not_effective reopens it.",
)


class CorrectiveActionForm(RecordForm):
    class Meta:
        model = CorrectiveAction
        fields = [*CA_FIELDS, "requirements"]
        labels = {"title": "Corrective action"}
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in WHY_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The live nonconformities its editor may see (RecordForm), of those the open ones and its own.
        field = self.fields["nonconformity"]
        still_open = Q(status__in=Nonconformity.OPEN_STATUSES)
        if self.instance.pk:
            still_open |= Q(pk=self.instance.nonconformity_id)
        field.queryset = field.queryset.filter(still_open).order_by("reference")


class CorrectiveActionFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "why_1", "because_1", "nonconformity__reference")
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    cause_category = filters.MultipleChoiceFilter(choices=CorrectiveAction.CauseCategory.choices)
    nonconformity = filters.ModelChoiceFilter(
        queryset=Nonconformity.objects.all(), to_field_name="reference", empty_label="Any"
    )
    overdue = YesNoFilter(method="filter_overdue", label="Action overdue")
    check_due = YesNoFilter(method="filter_check_due", label="Effectiveness check due")
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("status", "status"),
                ("actions_done_on", "actions_done"))
    )  # fmt: skip

    class Meta:
        model = CorrectiveAction
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(pk__in=with_overdue_actions(CorrectiveAction.objects.all()).values("pk"))
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_check_due(self, queryset, name, value):
        if value is None:
            return queryset
        due = Q(pk__in=checks_due(CorrectiveAction.objects.all()).values("pk"))
        return queryset.filter(due) if value else queryset.exclude(due)


class CorrectiveActionSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = CorrectiveAction
        fields = record_fields(
            [*CA_FIELDS, "status", "actions_done_on", "check_result", "check_notes", "checked_on"]
        )


class CorrectiveActionViewSet(RecordViewSet):
    """Corrective actions (10.2). `nonconformity` by reference; why_1..5/because_1..5 are the five whys. POST …/add-action/, …/complete-action/ and …/check-effectiveness/. Filter ?overdue=true, ?check_due=true. DELETE archives."""

    serializer_class = CorrectiveActionSerializer
    filterset_class = CorrectiveActionFilterSet
    services = ca_services
    record_actions = (ADD_ACTION, COMPLETE_ACTION, CHECK)


class CorrectiveActionRegister(Register):
    model = CorrectiveAction
    label, url_prefix, position = "Corrective actions", "corrective-actions", 40
    menu_group = "10"
    services = ca_services
    form = CorrectiveActionForm
    filterset = CorrectiveActionFilterSet
    viewset = CorrectiveActionViewSet
    select_related = ("owner", "nonconformity", "checked_by")
    columns = [
        ("Corrective action", "title", "title"),
        ("Nonconformity", "nonconformity", None),
        ("Cause", "cause_category", None),
        ("Status", "status", "status"),
        ("Check due", "check_due_on", None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("Root cause", ["nonconformity", "cause_category", "check_after_days", "actions_done_on"]),
        ("Effectiveness", ["check_result", "check_notes", "checked_by", "checked_on"]),
    ]
    form_fieldsets = [
        ("What it corrects", ["title", "nonconformity"]),
        (
            "Root cause: five whys (at least the first before planning actions)",
            [*WHY_FIELDS, "cause_category"],
        ),
        ("Effectiveness", ["check_after_days"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on", "requirements"]),
    ]
    actions = (ADD_ACTION, COMPLETE_ACTION, CHECK)
    related = (
        Related(
            "Lessons learned", lambda ca: Lesson.objects.filter(corrective_actions=ca).order_by("reference")
        ),
    )
    detail_template = "reviews/correctiveaction_detail.html"
    lead = (
        "ISO/IEC 42001 10.2: the root cause of a nonconformity, the actions that remove it, and a check by "
        "someone else, some days after they are done, that they worked."
    )
    empty_text = "No corrective actions yet. Open a nonconformity and start one from its page."

    def sample(self, people, n=0):
        nc = registry.register_for(Nonconformity).register.sample(people, n)
        fields = {"title": f"Freshness monitoring, {n}", "nonconformity": nc}
        return self.services.create(actor=people["owner"], fields=fields)

    def detail_context(self, request, record, tab) -> dict:
        if tab != "details":
            return {}
        user, today, policy = request.user, timezone.localdate(), policy_of(record)
        rows = list(record.actions.select_related("owner"))
        can_plan = allows("add_action", user, record) and not policy.add_action_state(record)
        checker_refusal = ""
        if record.status == Status.DONE:
            checker_refusal = policy.refusal("check_effectiveness", user, record)
        return {
            "whys": record.whys,
            "rows": [
                (a, a.status == "open" and a.due_on < today, not policy.complete_refusal(user, record, a))
                for a in rows
            ],
            "can_plan": can_plan,
            "people": owner_choices().order_by("username") if can_plan else [],
            "check_due_on": record.check_due_on,
            "check_waiting": record.status == Status.DONE
            and record.check_due_on
            and record.check_due_on > today,
            "checker_refusal": checker_refusal,
        }

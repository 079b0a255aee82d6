"""Management review actions (ISO/IEC 42001 9.3.3, 10.1): each output of a review -- a decision on a
continual improvement opportunity, a change needed to the AIMS, a resource need -- tracked to done by its
owner, reminded when overdue, and reported at the next review."""

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.models import Notification
from aims.register import Register
from aims.registry import registry
from aims.views.records import RecordFormView
from reviews.models import ManagementReview, ReviewAction
from reviews.services import ACTION_FIELDS, action_services, freeze_inputs, record_meeting

Status = ReviewAction.Status


def overdue(today: dt.date) -> Q:
    return Q(due_on__lt=today) & ~Q(status__in=ReviewAction.CLOSED)


class ReviewActionForm(RecordForm):
    class Meta:
        model = ReviewAction
        fields = [*ACTION_FIELDS, "requirements"]
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for name in ("due_on", "completed_on", "next_review_on")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        held = Q(status=ManagementReview.Status.HELD)  # outputs are added between meeting and sign-off
        keep = Q(pk=self.instance.review_id) if self.instance.review_id else Q(pk__in=[])
        # Of the reviews its editor may see (RecordForm), those held and its own.
        field = self.fields["review"]
        field.queryset = field.queryset.filter(held | keep).order_by("-scheduled_on")
        self.fields["review"].help_text = "The management review whose meeting decided it."


class ReviewActionFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description")
    review = filters.CharFilter(field_name="review__reference", label="Management review (reference)")
    kind = filters.MultipleChoiceFilter(choices=ReviewAction.Kind.choices)
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    overdue = YesNoFilter(method="filter_overdue", label="Overdue")
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("due_on", "due"), ("status", "status"))
    )

    class Meta:
        model = ReviewAction
        fields = []

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = overdue(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class ReviewActionFormView(RecordFormView):
    """A new action opened from a review's page (?review=MR-0001) starts with that review."""

    def get_form(self, data=None):
        form = super().get_form(data)
        reference = self.request.GET.get("review", "")
        if self.record is None and data is None and reference:
            form.initial["review"] = ManagementReview.objects.live().filter(reference=reference).first()
        return form


class ReviewActionSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = ReviewAction
        fields = record_fields(ACTION_FIELDS)


class ReviewActionViewSet(RecordViewSet):
    """Management review actions (9.3.3). `review` by reference, `owner` by username; filter with ?review=MR-0001, ?overdue=true, ?status=. DELETE archives."""

    serializer_class = ReviewActionSerializer
    filterset_class = ReviewActionFilterSet
    services = action_services


class ReviewActionRegister(Register):
    model = ReviewAction
    label, url_prefix, position = "Management review actions", "review-actions", 11
    menu_group = "9"
    services = action_services
    form = ReviewActionForm
    filterset = ReviewActionFilterSet
    viewset = ReviewActionViewSet
    form_view = ReviewActionFormView
    select_related = ("owner", "review")
    columns = [
        ("Action", "title", "title"),
        ("Review", "review", None),
        ("Kind", "kind", None),
        ("Due", "due_on", "due"),
        ("Status", "status", "status"),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The output", ["review", "kind", "description"]),
        ("Progress", ["due_on", "status", "completed_on"]),
    ]
    form_fieldsets = [
        ("The output", ["title", "review", "kind", "description"]),
        ("Progress", ["owner", "due_on", "status", "completed_on"]),
        ("Links and review", ["requirements", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 9.3.3: the outputs of management reviews -- improvement decisions, changes to the "
        "AIMS and resource needs -- each with an owner and a due date. The next review reports their status."
    )
    empty_text = (
        "No management review actions yet. Once a review's meeting is recorded, add each decision it took "
        "here, with an owner and a due date."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"Fund a second fairness analyst, {n}",
            "review": held_review(people),
            "kind": ReviewAction.Kind.RESOURCES,
            "description": "The backlog of bias assessments needs a second analyst.",
            "due_on": timezone.localdate() + dt.timedelta(days=60),
            "owner": people["owner"],
        }
        return self.services.create(actor=people["owner"], fields=fields)


def held_review(people):
    """A review whose meeting was held, its outputs open to record: the samples share one."""
    review = ManagementReview.objects.live().filter(status=ManagementReview.Status.HELD).first()
    if review is not None:
        return review
    review = registry.register_for(ManagementReview).register.sample(people)
    manager = people["manager"]
    review = freeze_inputs(review, actor=manager, expected_version=review.version)
    return record_meeting(
        review, actor=manager, expected_version=review.version, held_on=timezone.localdate().isoformat(),
        minutes="Reviewed every input; agreed the actions.",
    )  # fmt: skip


# -- Reminders: an overdue action reminds its owner, once per due date --------------------------------------


def overdue_reminders(today: dt.date):
    late = (
        ReviewAction.objects.live()
        .filter(overdue(today), owner__is_active=True)
        .select_related("owner", "review")
    )
    for action in late:
        yield (
            action.owner,
            Notification.Kind.OVERDUE_ESCALATION,
            f"mr-action-overdue:{action.pk}:{action.due_on.isoformat()}",
            f"{action.reference} {action.title} (from management review {action.review.reference}) was due on "
            f"{action.due_on:%Y-%m-%d} and is not done.",
            action.get_absolute_url(),
        )


registry.add_reminder_source(overdue_reminders)

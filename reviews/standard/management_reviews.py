"""Management reviews (ISO/IEC 42001 9.3): scheduled by the AIMS manager, inputs compiled from the
registers and frozen (9.3.2), the meeting and its outputs recorded (9.3.3), signed off by a governance
board member who did not chair it. Signed off, the review is read-only; its actions move on."""

import datetime as dt

import django_filters as filters
from django import forms
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from aims import permissions, roles
from aims.actions import Input, RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import PersonField, RecordSerializer, absolute_links, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.links import Related
from aims.models import User
from aims.policies import allows, policy_of
from aims.register import Register
from reviews.models import ManagementReview
from reviews.report import ReportView
from reviews.services import (
    REVIEW_FIELDS,
    freeze_inputs,
    record_meeting,
    review_services,
    sign_off,
)

Status = ManagementReview.Status

FREEZE = RecordAction(
    "freeze",
    "Compile and freeze inputs",
    freeze_inputs,
    lambda user, r: not policy_of(r).freeze_state(r) and allows("freeze", user, r),
    done="{reference}: inputs compiled from the registers and frozen.",
    style="primary",
    description="Compile every 9.3.2 input section for the review's period and freeze it (again, until the "
    "meeting is held; earlier freezes are kept).",
)
RECORD_MEETING = RecordAction(
    "record-meeting",
    "Record the meeting",
    record_meeting,
    lambda user, r: not policy_of(r).record_meeting_state(r) and allows("record-meeting", user, r),
    done="{reference}: meeting recorded. Now record its outputs as actions.",
    inputs=(
        Input("held_on", "Held on", help_text="The meeting's date, as YYYY-MM-DD."),
        Input("minutes", "Minutes", help_text="What was reviewed, discussed and concluded."),
        Input(
            "present",
            "Who was present",
            required=False,
            help_text="Usernames separated by commas; leave empty if everyone invited and the chair attended.",
        ),
    ),
    style="primary",
    description="Record that the meeting was held: date (held_on), minutes and who was present (usernames).",
)
SIGN_OFF = RecordAction(
    "sign-off",
    "Sign off",
    sign_off,
    lambda user, r: allows("sign-off", user, r),  # a held review, four eyes (ManagementReviewPolicy)
    done="{reference} signed off. It is read-only now; its actions stay open to update.",
    inputs=(Input("note", "Note", required=False, help_text="Anything the board adds to its sign-off."),),
    style="primary",
    confirm="Sign off the review? It becomes read-only.",
    description="A governance board member who neither owns nor chaired the review signs it off.",
)
ACTIONS = (FREEZE, RECORD_MEETING, SIGN_OFF)


def people():
    """Anyone with an AIMS role may chair or attend."""
    return User.objects.filter(is_active=True, groups__name__in=roles.ALL).distinct().order_by("username")


class ManagementReviewForm(RecordForm):
    class Meta:
        model = ManagementReview
        fields = [*REVIEW_FIELDS, "requirements"]
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for name in ("scheduled_on", "period_from", "period_to", "next_review_on")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = people()
        self.fields["attendees"].queryset = people()
        self.fields["attendees_present"].queryset = people()
        if self.instance.pk is None or self.instance.status in (Status.PLANNED, Status.INPUTS_FROZEN):
            # Recorded with the meeting ("Record the meeting"); corrected here afterwards.
            del self.fields["minutes"], self.fields["attendees_present"]


class ManagementReviewFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "minutes")
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("scheduled_on", "scheduled"),
            ("status", "status"),
        )
    )

    class Meta:
        model = ManagementReview
        fields = []


# -- API -------------------------------------------------------------------------------------------------
class FrozenInputsSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    frozen_at = serializers.DateTimeField()
    frozen_by = PersonField()
    since = serializers.DateField()
    until = serializers.DateField()
    sections = serializers.ListField(child=serializers.DictField())

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["sections"] = absolute_links(data["sections"], self.context.get("request"))  # as every link
        return data


class ManagementReviewSerializer(RecordSerializer):
    signed_off_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta(RecordSerializer.Meta):
        model = ManagementReview
        fields = record_fields([*REVIEW_FIELDS, "status", "held_on", "signed_off_at", "signed_off_by"])


class ManagementReviewViewSet(RecordViewSet):
    """Management reviews (9.3). People by username. POST …/freeze/ compiles and freezes the inputs, GET …/inputs/ lists every freeze, POST …/record-meeting/ and …/sign-off/ follow. DELETE archives."""

    serializer_class = ManagementReviewSerializer
    filterset_class = ManagementReviewFilterSet
    services = review_services
    record_actions = ACTIONS

    @extend_schema(
        responses=FrozenInputsSerializer(many=True), description="Every freeze of the inputs, newest first."
    )
    @action(detail=True, methods=["get"])
    def inputs(self, request, *args, **kwargs):
        review = self.get_object()
        page = self.paginate_queryset(review.freezes.select_related("frozen_by"))
        return self.get_paginated_response(
            FrozenInputsSerializer(page, many=True, context=self.get_serializer_context()).data
        )


# -- The register ----------------------------------------------------------------------------------------
class ManagementReviewRegister(Register):
    model = ManagementReview
    label, url_prefix, position = "Management reviews", "management-reviews", 10
    menu_group = "9"
    services = review_services
    form = ManagementReviewForm
    filterset = ManagementReviewFilterSet
    viewset = ManagementReviewViewSet
    select_related = ("owner", "chair", "signed_off_by")
    # Who was invited and present show on the page and in the CSV/XLSX export: fetched with the page.
    prefetch_related = ("requirements", "attendees", "attendees_present")
    columns = [
        ("Review", "title", "title"),
        ("Scheduled for", "scheduled_on", "scheduled"),
        ("Period covered", lambda r: f"{r.period_from:%Y-%m-%d} to {r.period_to:%Y-%m-%d}", None),
        ("Status", "status", "status"),
        ("Chair", "chair", None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The review", ["scheduled_on", "period_from", "period_to", "cadence_months", "chair", "attendees"]),
        ("The meeting", ["held_on", "attendees_present", "minutes", "signed_off_by", "signed_off_at"]),
    ]
    form_fieldsets = [
        ("The review", ["title", "scheduled_on", "period_from", "period_to", "cadence_months"]),
        ("Who takes part", ["chair", "attendees", "owner"]),
        ("The meeting", ["attendees_present", "minutes"]),
        ("Links and review", ["requirements", "review_cadence", "next_review_on"]),
    ]
    actions = ACTIONS
    related = (
        Related(
            "Nonconformities raised at this review",
            lambda review: review.nonconformities.order_by("reference"),
            detail=lambda nc: f"{nc.get_grade_display()} · {nc.get_status_display()}",
        ),
    )
    detail_template = "reviews/managementreview_detail.html"
    lead = (
        "ISO/IEC 42001 9.3: top management reviews the AIMS at least once a year. Inputs are compiled from "
        "the registers and frozen; the meeting's decisions become tracked actions; the board signs off."
    )
    empty_text = (
        "No management review yet. Schedule the first one: choose the period it covers and who chairs it, "
        "then compile and freeze its inputs before the meeting."
    )

    def sample(self, people, n=0):
        today = timezone.localdate()
        fields = {
            "title": f"Management review {n + 1}",
            "scheduled_on": today + dt.timedelta(days=n),
            "period_from": today - dt.timedelta(days=365),
            "period_to": today,
            "chair": people["board"],
            "attendees": [people["manager"]],
            "owner": people["owner"],
        }
        return self.services.create(actor=people["manager"], fields=fields)

    def list_options(self) -> dict:
        return {**super().list_options(), "prefetch_related": self.prefetch_related}

    def detail_context(self, request, record, tab) -> dict:
        """The frozen inputs, earlier freezes and the outputs, under the details."""
        if tab != "details":
            return {}
        freezes = list(record.freezes.select_related("frozen_by"))
        user = request.user
        sections = freezes[0].sections if freezes else []
        return {
            "inputs": freezes[0] if freezes else None,
            # The frozen items' titles and details may name other records: linked where they may be seen.
            "linked": [
                i.get(k, "") for s in sections for i in s.get("items", ()) for k in ("title", "detail")
            ],
            "earlier_freezes": freezes[1:],
            "outputs": list(record.actions.live().select_related("owner")),
            "can_add_output": record.status == Status.HELD
            and permissions.can_add(user, record.actions.model),
        }

    def extra_urls(self) -> list:
        return [
            path(
                f"{self.url_prefix}/<str:reference>/report/",
                ReportView.as_view(),
                name="managementreview-report",
            )
        ]

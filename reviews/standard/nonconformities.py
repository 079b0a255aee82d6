"""Nonconformities (ISO/IEC 42001 10.2): what does not meet a requirement, where it was found (an audit,
an incident, a KPI breach, a complaint, a management review), how bad it is, what was done at once, and
where it stands -- open, action planned, action done, verifying effectiveness, closed, or reopened when a
corrective action did not work. Raised here, from an incident's page, from a KPI in breach, or from
feedback triage."""

import django_filters as filters
from django.db.models import Q

from aims.actions import Input, RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.links import Related
from aims.models import Requirement
from aims.policies import allows, policy_of
from aims.register import Register
from audits.models import Audit
from lifecycle.models import KPI, Incident
from reviews.improvement import NC_FIELDS, NO_REQUIREMENT, nc_services, start_corrective_action
from reviews.models import Feedback, Lesson, ManagementReview, Nonconformity

OPEN = Q(status__in=Nonconformity.OPEN_STATUSES)

START_CA = RecordAction(
    "start-corrective-action",
    "Start a corrective action",
    start_corrective_action,
    lambda user, nc: (
        not policy_of(nc).start_corrective_action_state(nc) and allows("start_corrective_action", user, nc)
    ),
    done="{reference}: corrective action started; analyse the cause with five whys, then plan the actions.",
    inputs=(Input("title", "Corrective action", help_text="In a few words, e.g. 'Bureau feed monitoring'."),),
    style="primary",
    description="Start a corrective action on this nonconformity (10.2), owned by you.",
)


class NonconformityForm(RecordForm):
    class Meta:
        model = Nonconformity
        fields = [*NC_FIELDS, "requirements"]
        labels = {"title": "Nonconformity", "requirements": "Requirements not met"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirements"].label = "Requirements not met"
        self.fields["requirements"].help_text = "At least one clause or Annex A control that is not met."
        self.fields["requirements"].required = True  # the service says so too, for the API
        self.fields["requirements"].error_messages["required"] = NO_REQUIREMENT


class NonconformityFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "source_note")
    grade = filters.MultipleChoiceFilter(choices=Nonconformity.Grade.choices)
    source = filters.MultipleChoiceFilter(choices=Nonconformity.Source.choices)
    status = filters.MultipleChoiceFilter(choices=Nonconformity.Status.choices)
    open = YesNoFilter(method="filter_open", label="Open")
    finding = filters.CharFilter(field_name="finding__reference", label="Audit finding")
    audit = filters.ModelChoiceFilter(
        queryset=Audit.objects.all(), to_field_name="reference", empty_label="Any", label="Internal audit"
    )
    review = filters.ModelChoiceFilter(
        queryset=ManagementReview.objects.all(), to_field_name="reference", empty_label="Any",
        label="Management review",
    )  # fmt: skip
    incident = filters.ModelChoiceFilter(
        queryset=Incident.objects.all(), to_field_name="reference", empty_label="Any", label="AI incident"
    )
    kpi = filters.ModelChoiceFilter(
        queryset=KPI.objects.all(), to_field_name="reference", empty_label="Any", label="KPI"
    )
    ordering = filters.OrderingFilter(
        fields=(("reference", "reference"), ("title", "title"), ("grade", "grade"), ("status", "status"),
                ("created_at", "raised"))
    )  # fmt: skip

    class Meta:
        model = Nonconformity
        fields = []

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(OPEN) if value else queryset.exclude(OPEN)


def _found_in(nc):
    """The record it came from (drawn as a link), else the note."""
    return nc.finding or nc.review or nc.incident or nc.kpi or nc.audit or nc.source_note


class NonconformitySerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Nonconformity
        fields = record_fields([*NC_FIELDS, "status", "closed_on"])


class NonconformityViewSet(RecordViewSet):
    """Nonconformities (10.2). `requirements` (codes, at least one) are the requirements not met; `audit`, `review` (the management review it was raised at), `incident` and `kpi` by reference; `source_note` names a source no record stands for. `status` moves with the corrective actions. POST …/start-corrective-action/ starts one. DELETE archives."""

    serializer_class = NonconformitySerializer
    filterset_class = NonconformityFilterSet
    services = nc_services
    record_actions = (START_CA,)


class NonconformityRegister(Register):
    model = Nonconformity
    label, url_prefix, position = "Nonconformities", "nonconformities", 30
    menu_group = "10"
    services = nc_services
    form = NonconformityForm
    filterset = NonconformityFilterSet
    viewset = NonconformityViewSet
    select_related = ("owner", "incident", "kpi", "measurement", "finding", "audit", "review")
    columns = [
        ("Nonconformity", "title", "title"),
        ("Grade", "grade", "grade"),
        ("Source", "source", None),
        ("Found in", _found_in, None),
        ("Status", "status", "status"),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("What is wrong", ["description", "grade", "containment", "requirements"]),
        (
            "Where it was found",
            [
                "source",
                "finding",
                "audit",
                "review",
                "incident",
                "kpi",
                "measurement",
                "source_note",
                "closed_on",
            ],
        ),
    ]
    form_fieldsets = [
        ("What is wrong", ["title", "description", "grade", "containment", "requirements"]),
        ("Where it was found", ["source", "audit", "review", "incident", "kpi", "source_note"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    actions = (START_CA,)
    related = (
        Related(
            "Lessons learned", lambda nc: Lesson.objects.filter(nonconformities=nc).order_by("reference")
        ),
        Related("Feedback", lambda nc: Feedback.objects.filter(nonconformity=nc).order_by("reference")),
    )
    detail_template = "reviews/nonconformity_detail.html"
    lead = (
        "ISO/IEC 42001 10.2: what does not meet a requirement, what was done at once, and the corrective "
        "actions that remove its cause. It closes only when a check shows they worked."
    )
    empty_text = (
        "No nonconformities recorded. Raise one from an incident, a KPI in breach, an audit finding or a "
        "complaint: name the requirement not met and what you did straight away."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"Bureau files used without a freshness check, {n}",
            "source": Nonconformity.Source.OTHER,
            "description": "Data older than the supplier agreement allows was used.",
            "grade": Nonconformity.Grade.MINOR,
        }
        requirements = Requirement.objects.mappable().filter(code__in=("8.1", "A.6.2.6"))
        return self.services.create(actor=people["owner"], fields=fields, requirements=list(requirements))

    def detail_context(self, request, record, tab) -> dict:
        if tab != "details":
            return {}
        return {
            "corrective_actions": record.corrective_actions.select_related("owner").order_by("created_at")
        }

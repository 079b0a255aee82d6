"""AI incidents (ISO/IEC 42001 A.8.4, A.3.3): what happened, the harm, who is affected, how it was
contained, and what was communicated to whom. A serious incident under the EU AI Act (Art. 73) has a
reporting deadline counted from when we became aware: the list, the record and the dashboard count it
down, and the owner and every AIMS manager are reminded daily from three days before it until it is
reported."""

import datetime as dt

import django_filters as filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, DateField, DurationField, F, Q, Value, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from aims import permissions, records, roles
from aims.actions import Input, RecordAction
from aims.api.base import make_api
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.models import Notification, User
from aims.records import history
from aims.registry import registry
from aims.services import RecordServices
from aims.views.records import make_views
from lifecycle.models import AISystem, Incident, IncidentLog
from reviews.raising import RAISE_NC_FROM_INCIDENT

MENU = ("AI incidents", "incidents", 70)

FIELDS = [
    "title", "system", "occurred_at", "detected_on", "severity", "description", "harm", "people_affected",
    "containment", "status", "serious", "serious_kind", "reported_on", "owner", "review_cadence",
    "next_review_on",
]  # fmt: skip

OPEN = Q(status__in=[Incident.Status.OPEN, Incident.Status.INVESTIGATING])
UNREPORTED = Q(serious=True, reported_on__isnull=True)
REMIND_WITHIN_DAYS = 3  # reminders start this many days before the reporting deadline


# -- The reporting deadline (EU AI Act Art. 73) ---------------------------------------------------------


def with_deadline(queryset):
    """Annotate `deadline_on`, the model's `reporting_deadline` in SQL, so lists can filter and sort by it
    (the model's DEADLINE_DAYS stay the one source of the day counts)."""
    return queryset.annotate(
        deadline_on=Case(
            *[
                When(
                    serious=True,
                    serious_kind=kind,
                    then=Cast(
                        F("detected_on") + Value(dt.timedelta(days=days), DurationField()), DateField()
                    ),
                )
                for kind, days in Incident.DEADLINE_DAYS.items()
            ],
            output_field=DateField(),
        )
    )


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def countdown(incident, today: dt.date | None = None) -> str:
    """ "due in 3 days", "due today", "overdue by 2 days" or "reported on …"; empty when not serious."""
    if incident.reported_on:
        return f"reported on {incident.reported_on:%Y-%m-%d}"
    deadline = incident.reporting_deadline
    if deadline is None:
        return ""
    left = (deadline - (today or timezone.localdate())).days
    if left > 0:
        return f"due in {_days(left)}"
    return "due today" if left == 0 else f"overdue by {_days(-left)}"


def _reporting_cell(incident) -> str:
    deadline = incident.reporting_deadline
    if deadline is None:
        return ""
    return f"{deadline:%Y-%m-%d} ({countdown(incident)})"


# -- Services -------------------------------------------------------------------------------------------


class IncidentServices(RecordServices):
    def derive(self, fields: dict, record) -> dict:
        # An incident no longer marked serious keeps no kind: a stale kind would read as a deadline.
        if fields.get("serious") is False:
            fields["serious_kind"] = ""
        return fields


services = IncidentServices(Incident, FIELDS)


@transaction.atomic
def draft_incident(
    *, actor, system, title: str, description: str, severity: str, drafted_from: str, owner=None
):
    """Open an incident detected today from a signal elsewhere (a KPI breach, a concern), for its owner to
    investigate (A.8.4): `owner` (default: the actor), e.g. the KPI's owner rather than the pipeline that
    pushed the measurement. `drafted_from` says where it came from and is kept in its history."""
    permissions.require_add(actor, Incident)
    incident = records.create_record(
        Incident,
        actor=actor,
        fields={
            "title": title,
            "system": system,
            "description": description,
            "severity": severity,
            "status": Incident.Status.OPEN,
            "detected_on": timezone.localdate(),
            "drafted_from": drafted_from[:100],
            "owner": owner or actor,
        },
    )
    # drafted_from is not editable, so history does not diff it: the creation entry says it instead.
    history(incident).filter(version=incident.version).update(note=f"Drafted from {drafted_from}."[:500])
    return incident


@transaction.atomic
def log_communication(record, *, actor, expected_version: int, audience: str, message: str):
    """What was communicated about the incident, to whom (A.8.4): a log row and a history entry, one
    transaction, refused on a stale version like any other change."""
    permissions.require(actor, "change", record)
    if record.is_archived:
        raise PermissionDenied(
            f"{record.reference} is archived; restore it before recording a communication."
        )
    record = records.update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        extra_changes=[
            {"field": "log", "label": "Communication", "old": "", "new": f"To {audience}: {message}"[:500]}
        ],
        note=f"Communicated to {audience}."[:500],
    )
    IncidentLog.objects.create(incident=record, by=actor, audience=audience[:200], message=message)
    return record


LOG = RecordAction(
    "log",
    "Record a communication",
    log_communication,
    lambda user, record: permissions.allowed(user, "change", record),
    done="{reference}: communication recorded.",
    inputs=(
        Input(
            "audience", "To whom", help_text="e.g. affected customers, the regulator, the governance board."
        ),
        Input("message", "What was communicated"),
    ),
    description="Record what was communicated about the incident and to whom (A.8.4).",
)


# -- Pages and API --------------------------------------------------------------------------------------


class IncidentForm(RecordForm):
    class Meta:
        model = Incident
        fields = [*FIELDS, "requirements"]
        labels = {"title": "Incident"}
        widgets = {
            "occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "detected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reported_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["detected_on"].initial = timezone.localdate()


class IncidentFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "harm")
    severity = filters.MultipleChoiceFilter(choices=Incident.Severity.choices)
    status = filters.MultipleChoiceFilter(choices=Incident.Status.choices)
    open = YesNoFilter(method="filter_open", label="Open")
    system = filters.ModelChoiceFilter(
        queryset=AISystem.objects.all(), to_field_name="reference", empty_label="Any", label="AI system"
    )
    serious = YesNoFilter(label="Serious (EU AI Act)")
    reporting_overdue = YesNoFilter(method="filter_reporting_overdue", label="Reporting overdue")
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("severity", "severity"),
            ("status", "status"),
            ("detected_on", "detected"),
        )
    )

    class Meta:
        model = Incident
        fields = []

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(OPEN) if value else queryset.exclude(OPEN)

    def filter_reporting_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(pk__in=with_deadline(Incident.objects.filter(UNREPORTED)).filter(
            deadline_on__lt=timezone.localdate()
        ).values("pk"))  # fmt: skip
        return queryset.filter(late) if value else queryset.exclude(late)


def incident_context(request, record, tab) -> dict:
    """The reporting count-down and the communication log under the details."""
    if tab != "details":
        return {}
    return {
        "deadline": record.reporting_deadline,
        "countdown": countdown(record),
        "reporting_overdue": bool(
            record.reporting_deadline
            and not record.reported_on
            and record.reporting_deadline < timezone.localdate()
        ),
        "log": record.log.select_related("by")[:100],
    }


views = make_views(
    Incident,
    services=services,
    form_class=IncidentForm,
    filterset_class=IncidentFilterSet,
    columns=[
        ("Incident", "title", "title"),
        ("AI system", "system", None),
        ("Severity", "severity", "severity"),
        ("Status", "status", "status"),
        ("Became aware", "detected_on", "detected"),
        ("Report by", _reporting_cell, None),
        ("Owner", "owner", None),
    ],
    fieldsets=[
        ("What happened", ["system", "occurred_at", "detected_on", "description"]),
        ("Harm and response", ["severity", "harm", "people_affected", "containment", "status"]),
        ("EU AI Act", ["serious", "serious_kind", "reported_on"]),
    ],
    form_fieldsets=[
        ("What happened", ["title", "system", "occurred_at", "detected_on", "description"]),
        ("Harm and response", ["severity", "harm", "people_affected", "containment", "status"]),
        ("EU AI Act (Art. 73)", ["serious", "serious_kind", "reported_on", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ],
    select_related=("owner", "system"),
    actions=[LOG, RAISE_NC_FROM_INCIDENT],
    detail_template="lifecycle/incident_detail.html",
    detail_context=incident_context,
    lead="ISO/IEC 42001 A.8.4: AI incidents, the harm done, how they were contained and who was told. "
    "Serious incidents under the EU AI Act show their reporting deadline.",
    empty_text="No AI incidents recorded. When an AI system causes or nearly causes harm, record it here "
    "the day you become aware of it.",
)


ViewSet = make_api(
    Incident,
    services=services,
    fields=[*FIELDS, "drafted_from"],  # not editable, so read-only in the API
    filterset_class=IncidentFilterSet,
    actions=[LOG, RAISE_NC_FROM_INCIDENT],
    doc="AI incidents (A.8.4). `system` by reference; filter with ?serious=true, ?reporting_overdue=true, "
    "?severity=, ?status=. POST …/log/ records a communication. DELETE archives.",
)


# -- Reminders --------------------------------------------------------------------------------------------


def reporting_reminders(today: dt.date):
    """Serious incidents not yet reported whose deadline is within three days or past: the owner and every
    AIMS manager, daily (the key carries the date) until the report date is recorded."""
    due = (
        with_deadline(Incident.objects.live().filter(UNREPORTED))
        .filter(deadline_on__lte=today + dt.timedelta(days=REMIND_WITHIN_DAYS))
        .select_related("owner")
    )
    managers = None
    for incident in due:
        if managers is None:  # only asked for when something is due
            managers = list(User.objects.filter(groups__name=roles.MANAGER, is_active=True).distinct())
        late = incident.deadline_on < today
        kind = Notification.Kind.OVERDUE_ESCALATION if late else Notification.Kind.REVIEW_DUE
        key = f"incident-report:{incident.pk}:{today.isoformat()}"  # one a day; owner and manager once
        message = (
            f"{incident.reference} {incident.title} is a serious AI incident: report it to the authority by "
            f"{incident.deadline_on:%Y-%m-%d} ({countdown(incident, today)})."
        )
        url = incident.get_absolute_url()
        for person in [incident.owner, *managers]:
            if person.is_active:
                yield person, kind, key, message, url


registry.add_reminder_source(reporting_reminders)


# -- Dashboard ----------------------------------------------------------------------------------------------


def incidents_panel(request) -> dict:
    """Open incidents by severity and serious incidents still to report, nearest deadline first: two
    queries however many incidents there are."""
    today = timezone.localdate()
    visible = Incident.objects.restrict(request.user, "view").live()
    counts = visible.aggregate(
        open_count=Count("pk", filter=OPEN),
        **{f"severity_{s}": Count("pk", filter=OPEN & Q(severity=s)) for s in Incident.Severity.values},
        unreported_count=Count("pk", filter=UNREPORTED),
    )
    unreported = with_deadline(visible.filter(UNREPORTED)).order_by("deadline_on", "reference")
    serious = list(unreported.select_related("owner")[:10])
    for incident in serious:
        incident.countdown = countdown(incident, today)
        incident.late = incident.deadline_on is not None and incident.deadline_on < today
    return {
        "template": "lifecycle/incidents_panel.html",
        "list_url": reverse("incident-list"),
        "open_count": counts["open_count"],
        "unreported_count": counts["unreported_count"],
        "by_severity": [
            (value, label, counts[f"severity_{value}"])
            for value, label in reversed(Incident.Severity.choices)
        ],
        "serious": serious,
    }


registry.add_dashboard_panel(incidents_panel)

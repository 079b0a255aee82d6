"""The incident register's services: a kind only while serious, an incident drafted from a signal
elsewhere (a KPI breach, a concern), and what was communicated to whom (A.8.4)."""

from django.db import transaction
from django.utils import timezone

from aims import permissions, records, webhooks
from aims.actions import Input, RecordAction
from aims.policies import allows, policy_of, require
from aims.services import RecordServices
from lifecycle.models import Incident, IncidentLog

FIELDS = [
    "title", "system", "occurred_at", "detected_on", "severity", "description", "harm", "people_affected",
    "containment", "status", "serious", "serious_kind", "reported_on", "complete_report_on", "owner", "review_cadence",
    "next_review_on",
]  # fmt: skip


class IncidentServices(RecordServices):
    def derive(self, fields: dict, record) -> dict:
        # An incident no longer marked serious keeps no kind: a stale kind would read as a deadline.
        if fields.get("serious") is False:
            fields["serious_kind"] = ""
        return fields

    @transaction.atomic
    def create(self, *, actor, **kwargs):
        incident = super().create(actor=actor, **kwargs)
        if incident.serious:
            _became_serious(incident, actor)
        return incident

    @transaction.atomic
    def update(self, record, *, actor, **kwargs):
        was_serious = Incident.objects.filter(pk=record.pk).values_list("serious", flat=True).first()
        incident = super().update(record, actor=actor, **kwargs)
        if incident.serious and not was_serious:
            _became_serious(incident, actor)
        return incident


def _became_serious(incident, actor) -> None:
    """A serious incident (EU AI Act Art. 73) has a reporting deadline: systems that track it hear at once."""
    webhooks.emit_about(
        incident, SERIOUS, "serious", actor, serious_kind=incident.serious_kind, severity=incident.severity
    )


SERIOUS = "incident.serious"
webhooks.declare(SERIOUS, "An AI incident was marked serious under the EU AI Act (Art. 73)")


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
        # drafted_from is not editable, so history does not diff it: the creation entry says it instead.
        note=f"Drafted from {drafted_from}."[:500],
    )
    return incident


@transaction.atomic
def log_communication(record, *, actor, expected_version: int, audience: str, message: str):
    """What was communicated about the incident, to whom (A.8.4): a log row and a history entry, one
    transaction, refused on a stale version like any other change."""
    require(policy_of(record), "log", actor, record)  # whoever may change it, while not archived
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
    lambda user, record: allows("log", user, record),
    done="{reference}: communication recorded.",
    inputs=(
        Input(
            "audience", "To whom", help_text="e.g. affected customers, the regulator, the governance board."
        ),
        Input("message", "What was communicated"),
    ),
    description="Record what was communicated about the incident and to whom (A.8.4).",
)

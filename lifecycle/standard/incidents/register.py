"""The AI incident register, declared: its pages with the reporting count-down and the log, and its API."""

from django.utils import timezone

from aims.links import Related
from aims.register import Register
from lifecycle.models import Incident

from .api import IncidentViewSet
from .forms import IncidentFilterSet, IncidentForm
from .selectors import PARAGRAPH, countdown, reporting_cell
from .services import LOG, services


class IncidentRegister(Register):
    model = Incident
    label, url_prefix, position = "AI incidents", "incidents", 70
    menu_group = "8"
    services = services
    form = IncidentForm
    filterset = IncidentFilterSet
    viewset = IncidentViewSet
    select_related = ("owner", "system")
    # The concerns triaged into the incident (A.3.3): shown only to those who may open them (aims.links).
    related = (Related("Raised from concerns", lambda incident: incident.concerns.order_by("reference")),)
    actions = (LOG,)
    columns = [
        ("Incident", "title", "title"),
        ("AI system", "system", None),
        ("Severity", "severity", "severity"),
        ("Status", "status", "status"),
        ("Became aware", "detected_on", "detected"),
        ("Report by", reporting_cell, None),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("What happened", ["system", "occurred_at", "detected_on", "description"]),
        ("Harm and response", ["severity", "harm", "people_affected", "containment", "status"]),
        ("EU AI Act", ["serious", "serious_kind", "reported_on", "complete_report_on"]),
    ]
    form_fieldsets = [
        ("What happened", ["title", "system", "occurred_at", "detected_on", "description"]),
        ("Harm and response", ["severity", "harm", "people_affected", "containment", "status"]),
        (
            "EU AI Act (Art. 73)",
            ["serious", "serious_kind", "reported_on", "complete_report_on", "requirements"],
        ),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    detail_template = "lifecycle/incident_detail.html"

    def sample(self, people, n=0):
        fields = {
            "title": f"Chatbot quoted the wrong repayment date, {n}",
            "detected_on": timezone.localdate(),
            "severity": Incident.Severity.MEDIUM,
            "description": "A cached answer leaked into another customer's conversation.",
        }
        return self.services.create(actor=people["owner"], fields=fields)

    lead = (
        "ISO/IEC 42001 A.8.4: AI incidents, the harm done, how they were contained and who was told. "
        "Serious incidents under the EU AI Act show their reporting deadline."
    )
    empty_text = (
        "No AI incidents recorded. When an AI system causes or nearly causes harm, record it here "
        "the day you become aware of it."
    )

    def detail_context(self, request, record, tab) -> dict:
        """The reporting count-down and the communication log under the details."""
        if tab != "details":
            return {}
        return {
            "deadline": record.reporting_deadline,
            "countdown": countdown(record),
            "deadline_cite": PARAGRAPH.get(record.serious_kind, "Art. 73"),
            "reporting_overdue": bool(
                record.reporting_deadline
                and not record.reported_on
                and record.reporting_deadline < timezone.localdate()
            ),
            "log": record.log.select_related("by")[:100],
        }

"""The AI system page as the hub of the AIMS: every record that concerns the system, by register, with
counts and links (aims.links draws them). The system dossier PDF lists the same records from the same
functions, so the page and the dossier state the same facts. Later apps add their own sections (the
audits that covered the system, nonconformities) through the core's registry."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from aims.links import Related
from aims.registry import registry
from registers.models import Concern, Risk

from .models import KPI

SYSTEM = "lifecycle.AISystem"
SHOWN = 10  # per register on the page; the count and, for risks, the filtered list cover the rest


def system_risks(system):
    return (
        Risk.objects.live()
        .filter(systems=system)
        .select_related("owner")
        .order_by("-residual_score", "reference")
    )


def system_assessments(system):
    return system.impact_assessments.live().annotate(harm_count=Count("harms")).order_by("reference")


def system_kpis(system):
    """The system's KPIs with their latest measurement as the KPI register keeps it (last_value, moved on
    only by the newest measurement), so the hub, the dossier and the KPI list show the same value."""
    return KPI.objects.live().filter(system=system).order_by("reference")


def system_concerns(system):
    return Concern.objects.live().filter(systems=system).order_by("-created_at", "-id")


def _kpi_line(kpi) -> str:
    if kpi.last_measured_at is None:
        return "no measurement yet"
    when = timezone.localtime(kpi.last_measured_at)
    return f"{kpi.get_state_display().lower()}: {kpi.last_value.normalize():f} on {when:%Y-%m-%d}"


def _risk_list(system) -> str:
    return f"{reverse('risk-list')}?system={system.reference}"


def _section(label, records, detail=None, **more):
    return Related(label, records, detail, empty="None yet.", limit=SHOWN, **more)


SECTIONS = [
    _section("AI risks", system_risks, lambda r: f"{r.get_status_display().lower()}, residual {r.residual_score}",
             more_url=_risk_list),
    _section("Impact assessments", system_assessments,
             lambda a: f"{a.get_status_display().lower()}, {a.harm_count} harm{'s' * (a.harm_count != 1)}"),
    _section("Datasets", lambda s: s.datasets.live().order_by("reference")),
    _section("Model versions", lambda s: s.model_versions.live().order_by("-created_at", "-id"),
             lambda v: "approved" if v.approved_on else "not yet approved"),
    _section("Bias assessments", lambda s: s.bias_assessments.live().order_by("-created_at", "-id"),
             lambda b: b.get_status_display().lower()),
    _section("KPIs", system_kpis, _kpi_line),
    _section("Incidents", lambda s: s.incidents.live().order_by("-detected_on", "-id"),
             lambda i: f"{i.get_severity_display().lower()}, {i.get_status_display().lower()}"),
    _section("Statement of Applicability controls",
             lambda s: s.soa_entries.live().select_related("control").order_by("control__position", "reference"),
             lambda e: e.get_implementation_display().lower(),
             more_url=lambda s: f"{reverse('soaentry-list')}?system={s.reference}"),
    _section("Concerns raised", system_concerns, lambda c: c.get_outcome_display().lower()),
]  # fmt: skip


def register_sections() -> None:
    for section in SECTIONS:
        registry.add_related(SYSTEM, section)

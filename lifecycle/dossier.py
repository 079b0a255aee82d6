"""The system dossier: one PDF per AI system, traceable end to end -- the auditor's sampling view.
Inventory entry, EU AI Act classification, stages and gates, impact assessments and harms, risks, SoA
controls, datasets, model versions, bias results, KPIs, incidents, concerns raised, and what later apps
add to the system's page (audits, nonconformities). A Celery job (aims.jobs)."""

from django.utils import timezone

from aims.links import related_of
from aims.permissions import restrict
from aims.record_reports import RecordReportView, record_report_runner
from aims.registry import registry

from .models import AISystem
from .system_hub import SECTIONS, system_assessments, system_concerns, system_kpis, system_risks

KIND = "system_dossier_pdf"


def dossier_context(system: AISystem, viewer=None) -> dict:
    """Everything the dossier shows, in a fixed number of queries whatever the system holds: the records
    `viewer` (who asked for it) may see, as on the system's page -- a concern they may not open is not
    in their dossier."""

    def seen(queryset):
        return list(restrict(queryset, viewer, "view"))

    return {
        "system": system,
        "gates": list(system.gate_reviews.select_related("requested_by", "approver")),
        # The same records, from the same functions, as the system's page (system_hub).
        "assessments": seen(system_assessments(system).prefetch_related("harms__risk")),
        "risks": seen(system_risks(system)),
        "controls": seen(system.soa_entries.live().select_related("control")),
        "datasets": seen(system.datasets.live()),
        "model_versions": seen(
            system.model_versions.live().prefetch_related("training_data").select_related("approved_by")
        ),
        "bias": seen(system.bias_assessments.live()),
        "kpis": seen(system_kpis(system)),
        "concerns": seen(system_concerns(system)),
        "incidents": seen(system.incidents.live()),
        "later_sections": later_sections(system, viewer),
        "generated": timezone.localtime(),
        "org": "AIMS",
        "title": f"System dossier {system.reference}",
    }


def later_sections(system: AISystem, viewer) -> list[tuple[str, list[tuple]]]:
    """What later apps show on the system's page (the audits that covered it, its nonconformities),
    from the same declarations, so the dossier states the same facts as the page: [(label, [(record,
    detail)])]."""
    sections = []
    for relation in registry.related_for(AISystem):
        if relation in SECTIONS:
            continue  # drawn by the dossier's own tables above
        rows = [
            (r, relation.detail(r) if relation.detail else "") for r in related_of(relation, system, viewer)
        ]
        sections.append((relation.label, rows))
    return sections


system_dossier_pdf = record_report_runner(
    AISystem,
    template="reports/system_dossier.html",
    context=dossier_context,
    filename=lambda system: f"dossier-{system.reference}-{timezone.localdate():%Y-%m-%d}.pdf",
    select_related=("owner", "supplier", "classified_by"),
)


class DossierView(RecordReportView):
    model, kind, title = AISystem, KIND, "System dossier"


registry.add_job_runner(KIND, system_dossier_pdf)

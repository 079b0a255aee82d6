"""The system dossier: one PDF per AI system, traceable end to end -- the auditor's sampling view.
Inventory entry, EU AI Act classification, stages and gates, impact assessments and harms, risks, SoA
controls, datasets, model versions, bias results, KPIs and incidents. A Celery job (aims.jobs)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import View

from aims import jobs
from aims.jobs import JobError
from aims.pdf import html_to_pdf
from aims.registry import registry
from aims.views.records import RecordMixin
from registers.models import Risk

from .models import AISystem

KIND = "system_dossier_pdf"


def dossier_context(system: AISystem) -> dict:
    """Everything the dossier shows, in a fixed number of queries whatever the system holds."""
    return {
        "system": system,
        "gates": list(system.gate_reviews.select_related("requested_by", "approver")),
        "assessments": list(system.impact_assessments.live().prefetch_related("harms__risk")),
        "risks": list(
            Risk.objects.live()
            .filter(ai_system=system.title)
            .select_related("owner")
            .order_by("-residual_score")
        ),
        "controls": list(system.soa_entries.live().select_related("control")),
        "datasets": list(system.datasets.live()),
        "model_versions": list(
            system.model_versions.live().prefetch_related("training_data").select_related("approved_by")
        ),
        "bias": list(system.bias_assessments.live()),
        "kpis": list(system.kpis.live()),
        "incidents": list(system.incidents.live()),
        "generated": timezone.localtime(),
        "org": "AIMS",
        "title": f"System dossier {system.reference}",
    }


def system_dossier_pdf(job, progress) -> tuple[str, bytes]:
    """Job runner: params {"reference": "SYS-0001"}; the requester must be able to see the system."""
    reference = (job.params or {}).get("reference")
    system = (
        AISystem.objects.restrict(job.requested_by, "view")
        .filter(reference=reference)
        .select_related("owner", "supplier", "classified_by")
        .first()
    )
    if system is None:
        raise JobError(f"No AI system {reference} that you can see.")
    progress(10)
    html = render_to_string(
        "reports/system_dossier.html", {**dossier_context(system), "requested_by": job.requested_by}
    )
    progress(30)
    return f"dossier-{system.reference}-{timezone.localdate():%Y-%m-%d}.pdf", html_to_pdf(html, progress, 6)


class DossierView(RecordMixin, View):
    model = AISystem

    def post(self, request, reference):
        system = self.get_record()
        job = jobs.start_job(
            kind=KIND, title=f"System dossier {system.reference} (PDF)", params={"reference": system.reference},
            user=request.user,
        )  # fmt: skip
        messages.info(request, "The dossier is being made; this page follows its progress.")
        return redirect("job-detail", pk=job.pk)


registry.add_job_runner(KIND, system_dossier_pdf)

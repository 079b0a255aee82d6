"""The report for external interested parties (ISO/IEC 42001 7.4, the external communication the AIMS
plans, and A.8.5, reporting about the AI systems to interested parties): the scope, the AI policy in
brief, the AI systems in use with their purpose and EU AI Act tier, how to raise a concern, and when
management last reviewed the AIMS.

Only what is marked publishable goes in: the *published versions* of the scope statement and the AI
policy (as the board approved them, never a draft being revised), and the AI systems whose owners ticked
"publish to stakeholders" -- of those, the title, purpose and tier only. Everything is read through
explicit field lists, so a field added to a model later cannot slip in. A page for internal users and a
PDF through a Celery job (aims.jobs)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from aims import jobs, permissions
from aims.models import RecordVersion
from aims.pdf import html_to_pdf
from aims.registry import registry
from aims.views.job_answers import answer_with_job
from registers.models import Policy, ScopeStatement

from .models import AISystem, Stage

KIND = "stakeholder_report_pdf"
SCOPE_FIELDS = ("boundaries", "systems_in_scope", "units_in_scope", "ai_roles")
POLICY_FIELDS = ("purpose", "applies_to")
DEFAULT_CONTACT = (
    "Tell us through the contact address on our website. Every concern reaches the AIMS manager, who "
    "looks into it and answers; you may ask for your name to be withheld."
)


def _published(queryset, fields) -> dict | None:
    """{"title", "number", "published_on", "items": [(label, value)]} of the version in force: the one
    published last and not superseded or retired, even while a revision is being drafted. Two queries."""
    version = (
        RecordVersion.objects.filter(
            content_type=ContentType.objects.get_for_model(queryset.model),
            object_id__in=queryset.values("pk"),
            published_at__isnull=False,
            retired_at__isnull=True,
        )
        .order_by("-published_at", "-pk")
        .first()
    )
    if version is None:
        return None
    items = [(c["label"], c["value"]) for c in version.content if c["field"] in fields and c["value"]]
    published_on = timezone.localdate(version.published_at)
    return {"title": version.title, "number": version.number, "published_on": published_on, "items": items}


def report_context() -> dict:
    """What the stakeholder report shows, in a constant number of queries."""
    review = registry.latest_management_review() if registry.latest_management_review else None
    systems = list(
        AISystem.objects.live()
        .filter(publish_to_stakeholders=True, in_scope=True)
        .exclude(stage=Stage.DECOMMISSIONED)  # "in use": a retired system is no longer reported
        .order_by("title")
        .values_list("title", "purpose", "eu_tier")
    )
    tiers = dict(AISystem._meta.get_field("eu_tier").choices)
    return {
        "scope": _published(ScopeStatement.objects.live(), SCOPE_FIELDS),
        "policy": _published(Policy.objects.live().filter(kind=Policy.Kind.AI_POLICY), POLICY_FIELDS),
        "systems": [{"title": t, "purpose": p, "tier": tiers.get(tier, tier)} for t, p, tier in systems],
        "contact": getattr(settings, "STAKEHOLDER_CONCERN_CONTACT", "") or DEFAULT_CONTACT,
        "management_review": review,
        # Evidence packs we hand out are signed: the key's fingerprint lets a reader check one is ours.
        "pack_key": registry.pack_signing_key() if registry.pack_signing_key else None,
        "generated": timezone.localtime(),
        "org": getattr(settings, "ORGANISATION_NAME", "AIMS"),
        "title": "Our AI management system: report to interested parties",
    }


@login_required
def report_page(request):
    permissions.require_overview(request.user, "stakeholder_report")
    return render(request, "lifecycle/stakeholder_report.html", {"report": report_context()})


@login_required
@require_POST
def report_pdf_start(request):
    permissions.require_overview(request.user, "stakeholder_report")
    job = jobs.start_job(kind=KIND, title="Stakeholder report (PDF)", params={}, user=request.user)
    return answer_with_job(request, job, waiting="The stakeholder report is being made.")


def stakeholder_report_pdf(job, progress) -> tuple[str, bytes]:
    """Job runner: no parameters; the requester must be allowed to see the report."""
    permissions.require_overview(job.requested_by, "stakeholder_report")
    progress(10)
    report = report_context()
    html = render_to_string(
        "reports/stakeholder_report.html", {**report, "report": report, "requested_by": "interested parties"}
    )
    progress(30)
    return f"stakeholder-report-{timezone.localdate():%Y-%m-%d}.pdf", html_to_pdf(html, progress, 2)


registry.add_job_runner(KIND, stakeholder_report_pdf)

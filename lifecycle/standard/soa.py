"""The Statement of Applicability (ISO/IEC 42001 6.1.3 d): every Annex A control with whether it applies,
why, how far it is implemented, the risks that call for it and the evidence -- approved by the board as a
whole statement (aims.publishing), so versions, approval and the word diff work as for any document.

The rows are SoAEntry records (lifecycle/standard/soa_entries.py), shown with their control's one
judgement -- the one certification readiness shows (lifecycle.controls) -- and three checks of the
statement itself (lifecycle/standard/soa_rows.py); the statement's frozen content is built from them here."""

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone

from aims import freshness, jobs, permissions, publishing, records
from aims.actions import RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.certification import carried, carry, one_run
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.models import Lifecycle
from aims.pdf import html_to_pdf
from aims.record_reports import RecordReportView
from aims.register import Register
from aims.registry import registry
from aims.services import RecordServices
from lifecycle.models import SoAEntry, Statement

from .soa_rows import (  # noqa: F401  CHECKS, issue_q, label_of, SHOWN_SYSTEMS: read through this module
    CHECKS,
    SHOWN_SYSTEMS,
    annex_a_controls,
    entry_rows,
    issue_q,
    label_of,
    statement_figures,
)

KIND = "soa_pdf"

FIELDS = ["title", "introduction", "owner", "review_cadence", "next_review_on"]
services = RecordServices(Statement, FIELDS)


# -- the entries, their judgements and checks: soa_rows (the page, the PDF and the entries read them) ----
# -- the frozen content: what the board approves ----------------------------------------------------
def entry_value(row) -> str:
    """One entry as the board approves it. Evidence is counted, not named: the approved text is read by
    everyone who may read the statement, and a piece of evidence may be confidential."""
    entry, judgement = row["entry"], row["judgement"]
    whole = "the whole AIMS" if entry.applicable else "—"  # an excluded control applies to nothing
    pieces = len(judgement.evidence)
    evidence = [f"{pieces} item{'s' if pieces != 1 else ''} in the evidence library"] if pieces else []
    if entry.evidence_note.strip():
        evidence.append(entry.evidence_note.strip())
    parts = [
        f"Applicable: {'yes' if entry.applicable else 'no'}",
        entry.get_implementation_display(),
        f"Justification: {entry.justification.strip() or '—'}",
        f"AI systems: {', '.join(s.reference for s in row['systems']) or whole}",
        f"Evidence: {'; '.join(evidence) or '—'}",
    ]
    return " · ".join(parts)


def frozen_content(statement) -> list[dict]:
    """The statement as approved: its introduction, then one item per live entry in control order,
    keyed by control code (or the entry's reference for the organisation's own controls), so the
    word diff compares the same control across versions."""
    items = [{"field": "introduction", "label": "Introduction", "value": statement.introduction.strip()}]
    rows, _ = entry_rows()
    for row in rows:
        entry = row["entry"]
        key = entry.control.code if entry.control_id else entry.reference
        items.append({"field": key, "label": row["label"], "value": entry_value(row)})
    return items


# aims.publishing.freeze uses the model's frozen_content when it has one; the model cannot import this
# module (it would be circular), so the register attaches it here, at import, once.
publishing.freeze_content_with("lifecycle.Statement", frozen_content)


# -- create an entry for every Annex A control ------------------------------------------------------
@transaction.atomic
def create_entries(statement, *, actor, expected_version):
    """One SoA entry per Annex A control that has none (archived ones count: they can be restored), so a
    second run creates nothing. The statement itself is not changed."""
    permissions.require_add(actor, SoAEntry)
    taken = set(SoAEntry.objects.filter(control__isnull=False).values_list("control_id", flat=True))
    missing = [c for c in annex_a_controls() if c.pk not in taken]
    if not missing:
        raise ValidationError("Every Annex A control already has an SoA entry; nothing was created.")
    for control in missing:
        records.create_record(
            SoAEntry,
            actor=actor,
            fields={"title": f"{control.code} {control.title}"[:200], "control": control, "owner": actor},
            requirements=[control],
        )
    return statement


def _missing_controls() -> bool:
    return annex_a_controls().exclude(soa_entries__isnull=False).exists()


ACTIONS = [
    *publishing.lifecycle_actions(),
    RecordAction(
        "create-entries",
        "Create entries for all 38 Annex A controls",
        create_entries,
        lambda u, r: permissions.can_add(u, SoAEntry) and _missing_controls(),
        done="SoA entries created for every Annex A control that had none; complete each one below.",
        description="One SoA entry per Annex A control that has none yet; a second call creates nothing.",
    ),
]


# -- pages -------------------------------------------------------------------------------------------
class StatementForm(RecordForm):
    class Meta:
        model = Statement
        fields = [*FIELDS, "requirements"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 8})}


class StatementFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "introduction")
    status = filters.MultipleChoiceFilter(choices=Lifecycle.choices)
    ordering = filters.OrderingFilter(fields=(("reference", "reference"), ("title", "title")))

    class Meta:
        model = Statement
        fields = []


def statement_context(request, statement, tab, *, user=None):
    """The statement's page (and PDF): every entry with its judgement and checks, and its figures."""
    if tab != "details":
        return {}
    viewer = request.user if request is not None else user

    def judged():
        # The page names a few AI systems per entry and links to the rest; the PDF is a document, whole.
        # The version in force is read in the same round trip as the entries and their judgements.
        in_force = publishing.in_force(statement)
        with one_run():
            carry("in_force", in_force)
            rows, judgements = entry_rows(user=viewer, brief=request is not None)
            version = next(iter(carried("in_force", in_force)), None)
        return {
            "rows": rows,
            "linked": [row["judgement"].reason for row in rows],  # references in reasons become links
            **statement_figures(rows, judgements),
            "in_force": version,
        }

    if request is None:  # a document: judged at the time it is made
        return judged()
    # Judging every control reads most registers: the page keeps it until anything is written.
    return freshness.kept(("soa", statement.pk, viewer.pk), judged)


# -- the SoA as a PDF (a background job, like the readiness report) ----------------------------------
def soa_pdf(job, progress) -> tuple[str, bytes]:
    """Job runner: params {"reference": "SOA-0001"}; the requester must be able to see it."""
    reference = (job.params or {}).get("reference")
    statement = Statement.objects.restrict(job.requested_by, "view").filter(reference=reference).first()
    if statement is None:
        raise jobs.JobError(f"No Statement of Applicability {reference} that you can see.")
    progress(10)
    context = statement_context(None, statement, "details", user=job.requested_by)
    html = render_to_string(
        "reports/soa.html",
        {
            **context,
            "statement": statement,
            "checks": CHECKS,
            "generated": timezone.localtime(),
            "org": "AIMS",
            "title": f"Statement of Applicability {statement.reference}",
            "requested_by": job.requested_by,
        },
    )
    progress(30)
    return f"soa-{statement.reference}-v{statement.version_number}.pdf", html_to_pdf(html, progress, 5)


registry.add_job_runner(KIND, soa_pdf)


class ReportView(RecordReportView):
    """Queue the SoA PDF as a job; its page follows the progress."""

    model, kind, title = Statement, KIND, "Statement of Applicability"


# -- the register and its API ------------------------------------------------------------------------
class StatementSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Statement
        fields = record_fields(FIELDS)


class StatementViewSet(RecordViewSet):
    """The Statement of Applicability (6.1.3 d) with its approval lifecycle and versions; its rows are the SoA entries (/api/v1/soa-entries/). DELETE archives."""

    serializer_class = StatementSerializer
    filterset_class = StatementFilterSet
    services = services
    record_actions = tuple(ACTIONS)


class StatementRegister(Register):
    model = Statement
    label, url_prefix, position = "Statement of Applicability", "soa", 20
    menu_group = "8"
    services = services
    form = StatementForm
    filterset = StatementFilterSet
    viewset = StatementViewSet
    actions = tuple(ACTIONS)
    columns = [
        ("Statement", "title", "title"),
        ("Status", "status", None),
        ("Approved version", lambda r: f"v{r.version_number}" if r.version_number else "none yet", None),
        ("Published", "published_on", None),
        ("Owner", "owner", None),
    ]
    fieldsets = [("The statement", ["introduction"])]
    form_fieldsets = [
        ("The statement", ["title", "introduction"]),
        ("Links", ["requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 6.1.3 d: which Annex A controls apply, why, and how far each is implemented. The "
        "governance board approves the statement as a whole; every approved version is kept and comparable."
    )
    empty_text = (
        "No Statement of Applicability yet. Create one, then create the entries for all 38 Annex A "
        "controls from its page and complete each."
    )
    detail_template = "lifecycle/statement_detail.html"

    def sample(self, people, n=0):
        fields = {"title": f"Statement of Applicability {2026 + n}", "introduction": "Covers retail lending."}
        return self.services.create(actor=people["owner"], fields=fields)

    def detail_context(self, request, record, tab) -> dict:
        return statement_context(request, record, tab)

    def extra_urls(self) -> list:
        return [
            path(f"{self.url_prefix}/<str:reference>/report/", ReportView.as_view(), name="statement-report")
        ]

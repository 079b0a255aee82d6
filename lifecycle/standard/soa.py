"""The Statement of Applicability (ISO/IEC 42001 6.1.3 d): every Annex A control with whether it applies,
why, how far it is implemented, the risks that call for it and the evidence -- approved by the board as a
whole statement (aims.publishing), so versions, approval and the word diff work as for any document.

The rows are SoAEntry records (lifecycle/standard/soa_entries.py); the statement's frozen content is built
from them here. Three checks run on every row: (a) excluded yet called for by a live risk, (b) applicable
without evidence, (c) no justification."""

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone

from aims import jobs, permissions, publishing, records
from aims.actions import RecordAction
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.models import Lifecycle, Requirement
from aims.pdf import html_to_pdf
from aims.record_reports import RecordReportView
from aims.register import Register
from aims.registry import registry
from aims.services import RecordServices
from lifecycle.models import SoAEntry, Statement
from registers.models import Risk

KIND = "soa_pdf"

FIELDS = ["title", "introduction", "owner", "review_cadence", "next_review_on"]
services = RecordServices(Statement, FIELDS)

# The three checks, worded for the table and the PDF.
CHECKS = {
    "called_for": "Excluded, yet a live risk calls for it",
    "no_evidence": "Applicable without evidence",
    "no_justification": "No justification",
}


# -- the entries and their checks ------------------------------------------------------------------
ANNEX_A_CONTROLS = 38  # ISO/IEC 42001:2023 Annex A; the catalogue's data migration loads exactly these


def annex_a_controls():
    return Requirement.objects.filter(standard__key="iso42001", kind=Requirement.Kind.CONTROL).order_by(
        "position"
    )


def _calling_risks():
    """Live risks that still need treating: archived and closed risks call for nothing."""
    return Risk.objects.live().exclude(status=Risk.Status.CLOSED)


def issue_q(check: str | None = None) -> Q:
    """The checks as SQL, for the has-issue filter; `check` narrows to one of CHECKS."""
    blank = r"^\s*$"
    by_risk_link = Exists(
        Risk.requirements.through.objects.filter(
            requirement_id=OuterRef("control_id"), risk__in=_calling_risks()
        )
    )
    by_entry = Exists(
        SoAEntry.risks.through.objects.filter(soaentry_id=OuterRef("pk"), risk__in=_calling_risks())
    )
    conditions = {
        "called_for": Q(applicable=False) & (Q(by_risk_link) | Q(by_entry)),
        "no_evidence": Q(applicable=True, evidence__regex=blank),
        "no_justification": Q(justification__regex=blank),
    }
    if check:
        return conditions[check]
    return conditions["called_for"] | conditions["no_evidence"] | conditions["no_justification"]


SHOWN_RISKS = 5  # per entry; the rest are a link away (thousands of risks can call for one control)


def entry_rows(entries=None) -> list[dict]:
    """Each live entry with the risks calling for it (the first few, and how many in all) and its failed
    checks, in control order (the organisation's own controls last). A fixed number of queries, and
    bounded work, whatever the number of entries or risks."""
    entries = list(
        (entries if entries is not None else SoAEntry.objects.live())
        .select_related("control", "owner")
        .prefetch_related("systems", "risks")
        .order_by("control__position", "reference")
    )
    controls = [e.control_id for e in entries if e.control_id]
    links = Risk.requirements.through.objects.filter(requirement_id__in=controls, risk__in=_calling_risks())
    counts = dict(links.order_by().values_list("requirement_id").annotate(n=Count("risk_id")))
    first = (
        links.annotate(
            rank=Window(RowNumber(), partition_by=[F("requirement_id")], order_by=F("risk__reference").asc())
        )
        .filter(rank__lte=SHOWN_RISKS)
        .select_related("risk")
    )
    by_control = {}
    for link in first:
        by_control.setdefault(link.requirement_id, {})[link.risk.pk] = link.risk
    rows = []
    for entry in entries:
        named = {
            r.pk: r for r in entry.risks.all() if r.archived_at is None and r.status != Risk.Status.CLOSED
        }
        shown = sorted({**by_control.get(entry.control_id, {}), **named}.values(), key=lambda r: r.reference)
        total = max(counts.get(entry.control_id, 0), len(shown))
        issues = issues_of(entry, shown)
        rows.append(
            {
                "entry": entry,
                "risks": shown[:SHOWN_RISKS],
                "risk_count": total,
                "more_risks": max(total - SHOWN_RISKS, 0),
                "issues": issues,
                "label": label_of(entry),
            }
        )
    return rows


def issues_of(entry, risks) -> list[tuple[str, str]]:
    """The failed checks of one entry as (key, text); `risks` are the live risks calling for it."""
    issues = []
    if not entry.applicable and risks:
        issues.append(("called_for", f"{CHECKS['called_for']}: {', '.join(r.reference for r in risks)}"))
    if entry.applicable and not entry.evidence.strip():
        issues.append(("no_evidence", CHECKS["no_evidence"]))
    if not entry.justification.strip():
        issues.append(("no_justification", CHECKS["no_justification"]))
    return issues


def label_of(entry) -> str:
    return f"{entry.control.code} {entry.control.title}" if entry.control_id else entry.title


def implementation_percent(entries=None) -> int:
    """Implemented applicable entries as a share of applicable entries, 0-100 (0 when none applies yet).
    For the Statement page and the dashboard."""
    applicable = (entries if entries is not None else SoAEntry.objects.live()).filter(applicable=True)
    counts = applicable.aggregate(  # one query, as the dashboard needs it
        total=Count("pk"), done=Count("pk", filter=Q(implementation=SoAEntry.Implementation.IMPLEMENTED))
    )
    return round(100 * counts["done"] / counts["total"]) if counts["total"] else 0


# -- the frozen content: what the board approves ----------------------------------------------------
def entry_value(entry) -> str:
    parts = [
        f"Applicable: {'yes' if entry.applicable else 'no'}",
        entry.get_implementation_display(),
        f"Justification: {entry.justification.strip() or '—'}",
        f"Evidence: {entry.evidence.strip() or '—'}",
    ]
    return " · ".join(parts)


def frozen_content(statement) -> list[dict]:
    """The statement as approved: its introduction, then one item per live entry in control order,
    keyed by control code (or the entry's reference for the organisation's own controls), so the
    word diff compares the same control across versions."""
    items = [{"field": "introduction", "label": "Introduction", "value": statement.introduction.strip()}]
    for row in entry_rows():
        entry = row["entry"]
        key = entry.control.code if entry.control_id else entry.reference
        items.append({"field": key, "label": row["label"], "value": entry_value(entry)})
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


def statement_context(request, statement, tab):
    if tab != "details":
        return {}
    rows = entry_rows()
    counts = {key: sum(1 for r in rows if any(k == key for k, _ in r["issues"])) for key in CHECKS}
    applicable = [r for r in rows if r["entry"].applicable]
    implemented = sum(
        1 for r in applicable if r["entry"].implementation == SoAEntry.Implementation.IMPLEMENTED
    )
    # Both from the rows already loaded: the same figures as implementation_percent(), no more queries.
    covered = {r["entry"].control_id for r in rows if r["entry"].control_id}
    return {
        "rows": rows,
        "percent": round(100 * implemented / len(applicable)) if applicable else 0,
        "applicable_count": len(applicable),
        "implemented_count": implemented,
        "check_counts": [(CHECKS[key], key, n) for key, n in counts.items()],
        "rows_with_issues": sum(1 for r in rows if r["issues"]),
        "missing_controls": ANNEX_A_CONTROLS - len(covered),
        "in_force": publishing.published_version(statement),
    }


# -- the SoA as a PDF (a background job, like the readiness report) ----------------------------------
def soa_pdf(job, progress) -> tuple[str, bytes]:
    """Job runner: params {"reference": "SOA-0001"}; the requester must be able to see it."""
    reference = (job.params or {}).get("reference")
    statement = Statement.objects.restrict(job.requested_by, "view").filter(reference=reference).first()
    if statement is None:
        raise jobs.JobError(f"No Statement of Applicability {reference} that you can see.")
    progress(10)
    context = statement_context(None, statement, "details")
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

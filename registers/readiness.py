"""The readiness (maturity) assessment: the questionnaire, the gaps it shows, progress between two runs,
the implementation actions raised from gaps, and the readiness report PDF.

Questions are the catalogue itself: every requirement of clauses 4 to 10 and every Annex A objective
group, with our own paraphrase from the catalogue as guidance; so the questionnaire follows the
catalogue and never drifts from it."""

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from aims import permissions
from aims.models import Requirement
from aims.pdf import html_to_pdf
from aims.policies import policy_of, require
from aims.records import Action, create_record, update_record
from aims.services import RecordServices

from .models import ImplementationAction, Maturity, ReadinessAnswer, ReadinessAssessment

KIND = "readiness_report_pdf"
FIELDS = [
    "title",
    "assessed_on",
    "status",
    "target_maturity",
    "notes",
    "owner",
    "review_cadence",
    "next_review_on",
]
# How soon a gap's action falls due, by priority.
DUE_DAYS = {"High": 30, "Medium": 90, "Low": 180}


def questions():
    """Clause requirements (4.1 ... 10.2) and Annex A objective groups (A.2 ... A.10), in document order."""
    return Requirement.objects.filter(
        standard__key="iso42001", kind__in=(Requirement.Kind.REQUIREMENT, Requirement.Kind.OBJECTIVE)
    ).order_by("position")


def section_of(requirement) -> str:
    """The chart's and the gap list's grouping: "Clause 6" or "Annex A"."""
    if requirement.kind == Requirement.Kind.OBJECTIVE:
        return "Annex A"
    return f"Clause {requirement.code.split('.')[0]}"


class ReadinessServices(RecordServices):
    """A new assessment gets one answer per question, carried over from the latest one so that a re-run
    only changes what moved."""

    @transaction.atomic
    def create(self, *, actor, fields, requirements=None, action=Action.CREATED):
        permissions.require_add(actor, ReadinessAssessment)
        data = self._only_editable(fields)
        data.setdefault("owner", actor)
        data["status"] = ReadinessAssessment.Status.IN_PROGRESS
        previous = ReadinessAssessment.objects.live().order_by("-assessed_on", "-id").first()
        assessment = create_record(
            ReadinessAssessment, actor=actor, fields=data, requirements=requirements, action=action
        )
        carried = {}
        if previous is not None:
            carried = {a.requirement_id: a for a in previous.answers.all()}
        ReadinessAnswer.objects.bulk_create(
            [
                ReadinessAnswer(
                    assessment=assessment,
                    requirement=q,
                    maturity=getattr(carried.get(q.pk), "maturity", None),
                    evidence_note=getattr(carried.get(q.pk), "evidence_note", ""),
                )
                for q in questions()
            ]
        )
        return assessment


services = ReadinessServices(ReadinessAssessment, FIELDS)


@transaction.atomic
def save_answers(assessment, *, actor, expected_version: int, data) -> ReadinessAssessment:
    """Apply the questionnaire form (`maturity-<id>`, `evidence-<id>`); every change is history of the
    assessment. A bad value names its question and nothing is saved. Rating is editing the assessment:
    whoever may edit it, and not while it is archived (the same guard as the page's questionnaire)."""
    require(policy_of(assessment), "edit", actor, assessment)
    if assessment.status == ReadinessAssessment.Status.COMPLETE:
        raise ValidationError(f"{assessment.reference} is complete; start a new assessment to rate again.")
    answers = list(assessment.answers.select_related("requirement"))
    changes, errors = [], {}
    for answer in answers:
        if f"maturity-{answer.pk}" not in data and f"evidence-{answer.pk}" not in data:
            continue  # not on the form that was sent (an API client may send a few): unchanged
        current = "" if answer.maturity is None else str(answer.maturity)
        raw = str(data.get(f"maturity-{answer.pk}", current)).strip()
        if raw == "":
            maturity = None
        elif raw.isdigit() and int(raw) in Maturity.values:
            maturity = int(raw)
        else:
            errors[f"maturity-{answer.pk}"] = (
                f"{answer.requirement.code}: maturity must be a whole number from 0 to 5."
            )
            continue
        evidence = str(data.get(f"evidence-{answer.pk}", answer.evidence_note) or "").strip()
        if maturity != answer.maturity or evidence != answer.evidence_note:
            label = f"{answer.requirement.code} {answer.requirement.title}"
            changes.append(
                {
                    "field": f"answer:{answer.requirement.code}",
                    "label": label,
                    "old": _shown(answer.maturity, answer.evidence_note),
                    "new": _shown(maturity, evidence),
                }
            )
            answer.maturity, answer.evidence_note = maturity, evidence
    if errors:
        raise ValidationError(errors)
    if not changes:
        return assessment
    ReadinessAnswer.objects.bulk_update(answers, ["maturity", "evidence_note"])
    return update_record(
        assessment,
        actor=actor,
        expected_version=expected_version,
        fields={},
        extra_changes=changes,
    )


def _shown(maturity, evidence) -> str:
    level = "not rated" if maturity is None else f"maturity {maturity}"
    return f"{level}; {evidence}" if evidence else level


@dataclass
class Gap:
    answer: ReadinessAnswer
    size: int
    priority: str


def gaps(assessment) -> list[Gap]:
    """Rated answers below the target, worst first. High: two or more levels short, or nothing in place for a
    clause requirement (certification needs every clause); Medium: two short in Annex A or one short in a
    clause; Low: the rest."""
    found = []
    for answer in assessment.answers.select_related("requirement"):
        if answer.maturity is None:
            continue  # not rated is not known to be a gap: the questionnaire counts these separately
        maturity = answer.maturity
        size = assessment.target_maturity - maturity
        if size <= 0:
            continue
        clause = answer.requirement.kind == Requirement.Kind.REQUIREMENT
        if size >= 3 or (clause and maturity == 0) or (clause and size >= 2):
            priority = "High"
        elif clause or size >= 2:
            priority = "Medium"
        else:
            priority = "Low"
        found.append(Gap(answer, size, priority))
    order = {"High": 0, "Medium": 1, "Low": 2}
    return sorted(found, key=lambda g: (order[g.priority], -g.size, g.answer.requirement.position))


def summary(assessment) -> "OrderedDict[str, float | None]":
    """Average maturity per section (clauses 4-10, Annex A); unrated answers count as not rated."""
    sums: OrderedDict[str, list[int]] = OrderedDict()
    for answer in assessment.answers.select_related("requirement"):
        sums.setdefault(section_of(answer.requirement), [])
        if answer.maturity is not None:
            sums[section_of(answer.requirement)].append(answer.maturity)
    return OrderedDict((k, round(sum(v) / len(v), 1) if v else None) for k, v in sums.items())


def _answers_counted(**lookup):
    answers = ReadinessAnswer.objects.filter(assessment=OuterRef("pk"), **lookup).order_by()
    counted = answers.values("assessment").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_progress(queryset):
    """Count each assessment's questions, and those at or above its target, in the query of the list
    itself (subqueries: no GROUP BY, so the list keeps its order): readiness_percent then asks nothing
    more per row."""
    return queryset.annotate(
        question_count=_answers_counted(),
        questions_met=_answers_counted(maturity__gte=OuterRef("target_maturity")),
    )


def readiness_percent(assessment) -> int:
    """The share of questions at or above the target."""
    if hasattr(assessment, "question_count"):  # counted by with_progress
        total, met = assessment.question_count, assessment.questions_met
    else:
        answers = list(assessment.answers.values_list("maturity", flat=True))
        total = len(answers)
        met = sum(1 for m in answers if m is not None and m >= assessment.target_maturity)
    if not total:
        return 0
    return round(100 * met / total)


def previous_of(assessment):
    return (
        ReadinessAssessment.objects.live()
        .filter(assessed_on__lte=assessment.assessed_on)
        .exclude(pk=assessment.pk)
        .order_by("-assessed_on", "-id")
        .first()
    )


def compare(older, newer) -> list[dict]:
    """Question by question: maturity then and now, and the change."""
    before = {a.requirement_id: a.maturity for a in older.answers.all()}
    rows = []
    for answer in newer.answers.select_related("requirement"):
        was = before.get(answer.requirement_id)
        now = answer.maturity
        delta = None if was is None or now is None else now - was
        rows.append(
            {
                "requirement": answer.requirement,
                "was": was,
                "now": now,
                "delta": delta,
                "evidence": answer.evidence_note,
            }
        )
    return rows


@transaction.atomic
def raise_actions(assessment, *, actor, expected_version=None) -> ReadinessAssessment:
    """One implementation action per gap that has none yet: due by priority, in the pilot phase when
    High (pilot systems first), otherwise in the roll-out. Who may: ReadinessAssessmentPolicy."""
    require(policy_of(assessment), "raise-actions", actor, assessment)
    have = set(assessment.actions.live().values_list("requirement_id", flat=True))
    today = timezone.localdate()
    created = 0
    for gap in gaps(assessment):
        requirement = gap.answer.requirement
        if requirement.pk in have:
            continue
        create_record(
            ImplementationAction,
            actor=actor,
            fields={
                "title": f"Close the gap in {requirement.code} {requirement.title}"[:200],
                "assessment": assessment,
                "requirement": requirement,
                "description": f"Raise maturity from {gap.answer.maturity or 0} to {assessment.target_maturity}. "
                + (f"Evidence so far: {gap.answer.evidence_note}" if gap.answer.evidence_note else ""),
                "due_on": today + dt.timedelta(days=DUE_DAYS[gap.priority]),
                "phase": ImplementationAction.Phase.PILOT
                if gap.priority == "High"
                else ImplementationAction.Phase.ROLLOUT,
                "owner": assessment.owner,
            },
            requirements=[requirement] if requirement.kind == Requirement.Kind.REQUIREMENT else None,
        )
        created += 1
    if not created:
        raise ValidationError("Every gap already has an implementation action.")
    return assessment


def bar_chart_svg(rows, *, target: int, title: str, width: int = 560) -> str:
    """Horizontal bars of average maturity 0-5 per section, the previous assessment as a thin bar
    beneath, and the target as a dashed line. Plain SVG: the page and the PDF show the same chart."""
    left, bar, gap, top = 90, 16, 14, 28
    scale = (width - left - 20) / 5
    height = top + len(rows) * (2 * bar + gap) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" font-family="DejaVu Sans, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for level in range(6):
        x = left + level * scale
        parts.append(f'<line x1="{x:.0f}" y1="{top - 6}" x2="{x:.0f}" y2="{height - 20}" stroke="#d5d9de"/>')
        parts.append(f'<text x="{x:.0f}" y="{height - 6}" text-anchor="middle" fill="#444">{level}</text>')
    for i, (label, now, before) in enumerate(rows):
        y = top + i * (2 * bar + gap)
        parts.append(
            f'<text x="{left - 8}" y="{y + bar - 3}" text-anchor="end" fill="#1b1b1b">{escape(label)}</text>'
        )
        if now is not None:
            parts.append(
                f'<rect x="{left}" y="{y}" width="{now * scale:.0f}" height="{bar}" fill="#1f5f99">'
                f"<title>{escape(label)}: {now}</title></rect>"
                f'<text x="{left + now * scale + 4:.0f}" y="{y + bar - 3}" fill="#1b1b1b">{now}</text>'
            )
        else:
            parts.append(f'<text x="{left + 4}" y="{y + bar - 3}" fill="#666">not rated</text>')
        if before is not None:
            parts.append(
                f'<rect x="{left}" y="{y + bar + 2}" width="{before * scale:.0f}" height="{bar // 2}" fill="#9aa5b1">'
                f"<title>{escape(label)} before: {before}</title></rect>"
            )
    x = left + target * scale
    parts.append(
        f'<line x1="{x:.0f}" y1="{top - 10}" x2="{x:.0f}" y2="{height - 20}" stroke="#8a1c14" stroke-dasharray="5 3"/>'
        f'<text x="{x + 4:.0f}" y="{top - 14}" fill="#8a1c14">target {target}</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def chart_for(assessment, previous=None) -> str:
    now = summary(assessment)
    before = summary(previous) if previous else {}
    rows = [(section, value, before.get(section)) for section, value in now.items()]
    title = f"Average maturity by section, {assessment.assessed_on:%Y-%m-%d}"
    if previous:
        title += f" (grey: {previous.assessed_on:%Y-%m-%d})"
    return bar_chart_svg(rows, target=assessment.target_maturity, title=title)


def report_context(assessment) -> dict:
    previous = previous_of(assessment)
    return {
        "assessment": assessment,
        "previous": previous,
        "chart": chart_for(assessment, previous),
        "percent": readiness_percent(assessment),
        "gaps": gaps(assessment),
        "answers": list(assessment.answers.select_related("requirement")),
        "comparison": compare(previous, assessment) if previous else None,
        "actions": list(assessment.actions.live().select_related("owner", "requirement")),
        "generated": timezone.localtime(),
        "org": "AIMS",
        "title": f"Readiness report {assessment.reference}",
    }


def readiness_report_pdf(job, progress) -> tuple[str, bytes]:
    """Job runner: params {"reference": "RDY-0001"}; the requester must be able to see it."""
    from aims.jobs import JobError

    reference = (job.params or {}).get("reference")
    assessment = (
        ReadinessAssessment.objects.restrict(job.requested_by, "view").filter(reference=reference).first()
    )
    if assessment is None:
        raise JobError(f"No readiness assessment {reference} that you can see.")
    progress(10)
    html = render_to_string(
        "reports/readiness.html", {**report_context(assessment), "requested_by": job.requested_by}
    )
    progress(30)
    return f"readiness-{assessment.reference}-{assessment.assessed_on:%Y-%m-%d}.pdf", html_to_pdf(
        html, progress, 4
    )

"""Raising improvement records from where a problem shows (10.1, 10.2): a nonconformity from an
internal audit's finding, an AI incident or a KPI in breach, a preventive action from an AI risk. Each is a RecordAction that the
incident, KPI and risk registers list among their own, so it is a button on their page and a POST in
their API; the new record links to its source. Raising is a report, not a change of the source: the
source's history names the new record (and its version moves) only when the person raising it may change
the source; its owner is told either way (reviews.policies, "raising")."""

from django.core.exceptions import ValidationError
from django.db import transaction

from aims.actions import Input, RecordAction

from .improvement import _note_on, nc_services, pa_services, parse_date, parse_requirements
from .models import Nonconformity, PreventiveAction
from .policies import notes_on_source, raising_refusal, require_raising

# An audit finding's grade and the nonconformity's: minor and major nonconformities only.
FINDING_GRADES = {"minor_nc": Nonconformity.Grade.MINOR, "major_nc": Nonconformity.Grade.MAJOR}

GRADE = Input("grade", "Grade", choices=tuple(Nonconformity.Grade.choices))
REQUIREMENTS = Input(
    "requirements",
    "Requirements not met",
    help_text="Clauses and controls; in the API their codes, e.g. 8.1, A.6.2.6.",
    requirements=True,
)
DESCRIPTION = Input("description", "What is wrong", required=False, help_text="Empty: taken from the source.")


def _raise(source_record, *, actor, expected_version, fields: dict, requirements: str):
    require_raising(actor, source_record, Nonconformity)
    nc = nc_services.create(actor=actor, fields=fields, requirements=parse_requirements(requirements))
    _linked_back(source_record, nc, actor=actor, expected_version=expected_version, label="Nonconformity")
    return nc


def _linked_back(source, raised, *, actor, expected_version, label: str):
    """The source's history names what was raised from it, when `actor` may change the source; the link
    itself is on the raised record, and the source's owner was told by its services."""
    if notes_on_source(actor, source):
        _note_on(
            source, actor=actor, expected_version=expected_version, label=label,
            text=f"{raised.reference} {raised.title}", note=f"{label} {raised.reference} raised.",
        )  # fmt: skip
    return type(source).objects.get(pk=source.pk)


@transaction.atomic
def nc_from_finding(finding, *, actor, expected_version: int, requirements: str = "", description=""):
    """An audit finding graded a nonconformity (9.2 to 10.2): the nonconformity, with the finding's grade
    and requirement, linked to it. One per finding; observations and opportunities are not raised."""
    if finding.grade not in FINDING_GRADES:
        raise ValidationError(
            f"{finding.reference} is graded {finding.get_grade_display().lower()}, not a nonconformity: record "
            "it as a lesson or an opportunity instead."
        )
    if finding.nonconformities.exists():
        raise ValidationError(f"{finding.reference} already has its nonconformity.")
    codes = requirements.strip() or (finding.requirement.code if finding.requirement_id else "")
    _raise(
        finding, actor=actor, expected_version=expected_version, requirements=codes,
        fields={
            "title": finding.title,
            "source": Nonconformity.Source.AUDIT,
            "finding": finding,
            "audit": finding.audit,
            "description": description.strip() or finding.description,
            "grade": FINDING_GRADES[finding.grade],
        },
    )  # fmt: skip
    return type(finding).objects.get(pk=finding.pk)


@transaction.atomic
def nc_from_incident(
    incident, *, actor, expected_version: int, grade: str, requirements: str, description=""
):
    """The incident shows a requirement was not met: a nonconformity, pre-filled from it."""
    _raise(
        incident, actor=actor, expected_version=expected_version, requirements=requirements,
        fields={
            "title": incident.title,
            "source": Nonconformity.Source.INCIDENT,
            "incident": incident,
            "description": description.strip() or incident.description,
            "containment": incident.containment,
            "grade": grade,
        },
    )  # fmt: skip
    return type(incident).objects.get(pk=incident.pk)


@transaction.atomic
def nc_from_kpi(kpi, *, actor, expected_version: int, grade: str, requirements: str, description=""):
    """A KPI in breach: a nonconformity against what it monitors, linked to the measurement that breached."""
    if kpi.state != kpi.State.BREACH:
        raise ValidationError(
            f"{kpi.reference} is {kpi.get_state_display().lower()}, not in breach: raise a preventive "
            "action for a trend instead."
        )
    latest = kpi.measurements.first()
    value = f"{latest.value.normalize():f} {kpi.unit}".strip() if latest else "no value"
    _raise(
        kpi, actor=actor, expected_version=expected_version, requirements=requirements,
        fields={
            "title": f"{kpi.title} in breach"[:200],
            "source": Nonconformity.Source.KPI,
            "kpi": kpi,
            "description": description.strip()
            or f"{kpi.metric} measured {value}, past the breach threshold of {kpi.breach.normalize():f}.",
            "grade": grade,
            "measurement": latest,  # the value that breached: kept, never edited
        },
    )  # fmt: skip
    return type(kpi).objects.get(pk=kpi.pk)


@transaction.atomic
def pa_from_risk(risk, *, actor, expected_version: int, description: str, due_on: str, title: str = ""):
    """Act on a risk before it turns into a nonconformity (10.1): a preventive action linked to it."""
    require_raising(actor, risk, PreventiveAction)
    if not description.strip():
        raise ValidationError({"description": "Say what will be done."})
    pa = pa_services.create(
        actor=actor,
        fields={
            "title": (title.strip() or f"Prevent: {risk.title}")[:200],
            "source": PreventiveAction.Source.RISK,
            "risk": risk,
            "description": description.strip(),
            "due_on": parse_date(due_on, "due_on"),
        },
    )
    return _linked_back(risk, pa, actor=actor, expected_version=expected_version, label="Preventive action")


def _can_raise(model):
    return lambda user, record: not raising_refusal(user, record, model, on_its_page=True)


RAISE_NC_FROM_FINDING = RecordAction(
    "raise-nonconformity",
    "Raise a nonconformity",
    nc_from_finding,
    lambda user, finding: (
        finding.grade in FINDING_GRADES
        and not finding.nonconformities.exists()
        and not raising_refusal(user, finding, Nonconformity, on_its_page=True)
    ),
    done="{reference}: nonconformity raised with the finding's grade; see Nonconformities.",
    inputs=(
        Input(
            "requirements",
            "Requirements not met",
            required=False,
            help_text="Clauses and controls (in the API their codes); none: the finding's requirement.",
            requirements=True,
        ),
        DESCRIPTION,
    ),  # fmt: skip
    description="Raise the nonconformity of this finding (10.2), with its grade and requirement: optional "
    "`requirements` (codes) and `description`. Find it with /api/v1/nonconformities/?finding=.",
)
RAISE_NC_FROM_INCIDENT = RecordAction(
    "raise-nonconformity",
    "Raise a nonconformity",
    nc_from_incident,
    _can_raise(Nonconformity),
    done="{reference}: nonconformity raised; it is listed under Nonconformities below.",
    inputs=(GRADE, REQUIREMENTS, DESCRIPTION),
    description="Raise a nonconformity from this incident (10.2): `grade`, `requirements` (codes), optional "
    "`description`. It links back to the incident; find it with /api/v1/nonconformities/?incident=.",
)
RAISE_NC_FROM_KPI = RecordAction(
    "raise-nonconformity",
    "Raise a nonconformity",
    nc_from_kpi,
    lambda user, kpi: (
        kpi.state == kpi.State.BREACH and not raising_refusal(user, kpi, Nonconformity, on_its_page=True)
    ),
    done="{reference}: nonconformity raised from the breach.",
    inputs=(GRADE, REQUIREMENTS, DESCRIPTION),
    description="Raise a nonconformity from a KPI in breach (10.2): `grade`, `requirements` (codes), "
    "optional `description`; linked to the KPI and the breaching measurement.",
)
RAISE_PA_FROM_RISK = RecordAction(
    "raise-preventive-action",
    "Raise a preventive action",
    pa_from_risk,
    _can_raise(PreventiveAction),
    done="{reference}: preventive action raised.",
    inputs=(
        Input("description", "What will be done"),
        Input("due_on", "Due", help_text="A date like 2026-03-31."),
    ),
    description="Raise a preventive action from this risk (10.1): `description`, `due_on` (YYYY-MM-DD).",
)

"""What the Act registers show on earlier registers' record pages, the link back to what they raised
(aims.links.Related): an audit's and a finding's nonconformities, the lessons drawn from an audit or
an AI incident, and the preventive actions raised from a risk or a KPI (their own history names them only
when whoever raised them may change the source, reviews.raising). The earlier apps may not import this one; it declares them here, from its plugins."""

from aims.links import Related
from aims.registry import registry

from .models import Lesson, Nonconformity, PreventiveAction


def _nc_detail(nc) -> str:
    return f"{nc.get_grade_display()} · {nc.get_status_display()}"


def _lessons(*, by: str):
    return lambda record: Lesson.objects.filter(**{by: record}).order_by("reference")


LESSONS_OF_AUDIT = Related("Lessons learned", _lessons(by="audits"))
NCS_OF_AUDIT = Related(
    "Nonconformities",
    lambda audit: Nonconformity.objects.filter(audit=audit).order_by("reference"),
    detail=_nc_detail,
)
NC_OF_FINDING = Related(
    "Nonconformity raised",
    lambda finding: Nonconformity.objects.filter(finding=finding).order_by("reference"),
    detail=_nc_detail,
)
LESSONS_OF_INCIDENT = Related("Lessons learned", _lessons(by="incidents"))


def _preventive_actions(*, by: str):
    return lambda record: PreventiveAction.objects.filter(**{by: record}).order_by("reference")


def _pa_detail(pa) -> str:
    return f"{pa.get_status_display()} · due {pa.due_on:%Y-%m-%d}"


PAS_OF_RISK = Related("Preventive actions", _preventive_actions(by="risk"), detail=_pa_detail)
PAS_OF_KPI = Related("Preventive actions", _preventive_actions(by="kpi"), detail=_pa_detail)


def install() -> None:
    registry.add_related("audits.Audit", NCS_OF_AUDIT)
    registry.add_related("audits.Audit", LESSONS_OF_AUDIT)
    registry.add_related("audits.Finding", NC_OF_FINDING)
    registry.add_related("lifecycle.Incident", LESSONS_OF_INCIDENT)
    registry.add_related("registers.Risk", PAS_OF_RISK)
    registry.add_related("lifecycle.KPI", PAS_OF_KPI)

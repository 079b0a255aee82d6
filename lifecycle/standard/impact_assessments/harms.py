"""The harms of an impact assessment (A.5.4, A.5.5): added and removed while it is a draft, and turned
into a linked AI risk (6.1.2) at any stage. The services, and the same as API actions."""

from django.core.exceptions import ValidationError
from django.db import transaction

from aims import records
from aims.actions import Input, RecordAction
from aims.models import Requirement
from aims.policies import allows, policy_of, require
from lifecycle.models import Harm
from registers import services as risk_services
from registers.models import Risk, RiskCategory
from registers.models.risk import IMPACT_LABELS, LIKELIHOOD_LABELS

from .services import harm_line

HARM_FIELDS = ["description", "affected", "likelihood", "severity", "reversibility"]
LIKELIHOOD = tuple((str(k), f"{k} {v}") for k, v in LIKELIHOOD_LABELS.items())
SEVERITY = tuple((str(k), f"{k} {v}") for k, v in IMPACT_LABELS.items())


def may_edit_harms(user, record) -> bool:
    """The harm form and its buttons: the same guard the services ask (ImpactAssessmentPolicy)."""
    return allows("add-harm", user, record)


def _harm_of(record, harm_id) -> Harm:
    try:
        return record.harms.get(pk=int(harm_id))
    except (Harm.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"harm": f"{record.reference} has no harm {harm_id}."}) from None


@transaction.atomic
def add_harm(record, *, actor, expected_version: int, **fields):
    """A harm the system could cause (A.5.4, A.5.5): content of the draft, so only while it is a draft."""
    require(policy_of(record), "add-harm", actor, record)  # who may change it, while a draft
    harm = Harm(assessment=record, **{k: fields.get(k) for k in HARM_FIELDS})
    harm.full_clean()
    record = records.update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        extra_changes=[{"field": "harms", "label": "Harm added", "old": "", "new": harm_line(harm)[:500]}],
    )
    harm.save()
    return record


@transaction.atomic
def remove_harm(record, *, actor, expected_version: int, harm: str):
    require(policy_of(record), "remove-harm", actor, record)
    found = _harm_of(record, harm)
    record = records.update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        extra_changes=[{"field": "harms", "label": "Harm removed", "old": harm_line(found)[:500], "new": ""}],
    )
    found.delete()
    return record


def _default_category():
    return RiskCategory.objects.filter(active=True, slug="accountability").first() or (
        RiskCategory.objects.filter(active=True).first()
    )


@transaction.atomic
def harm_to_risk(
    record, *, actor, expected_version: int, harm: str, category: str = "", risk_source: str = ""
):
    """Turn a harm into a linked AI risk (6.1.2) in one step: scored as the harm, residual the same until
    treated, to be mitigated by the assessment's measures. Allowed at any stage: approved assessments are
    where risks come from. The risk's owner refines category and source afterwards."""
    require(policy_of(record), "harm-to-risk", actor, record)  # who may change it and create risks
    found = _harm_of(record, harm)
    if found.risk_id:
        raise ValidationError({"harm": f"This harm is already {found.risk.reference}."})
    chosen = RiskCategory.objects.filter(slug=category).first() if category else _default_category()
    if chosen is None:
        raise ValidationError({"category": f"Unknown risk category {category!r}."})
    measures = record.measures.strip()
    risk = risk_services.risk_create(
        actor=actor,
        fields={
            "title": found.description.splitlines()[0][:200],
            "description": f"From impact assessment {record.reference}: {found.description}\n"
            f"Reversibility: {found.get_reversibility_display().lower()}.",
            "systems": [record.system],
            "category": chosen,
            "risk_source": risk_source or "C.3.6",  # life cycle issues, until the owner says better
            f"affects_{found.affected}": True,
            "inherent_likelihood": found.likelihood,
            "inherent_impact": found.severity,
            "residual_likelihood": found.likelihood,
            "residual_impact": found.severity,
            "treatment": Risk.Treatment.MITIGATE,
            "treatment_plan": f"The measures of impact assessment {record.reference}"
            + (f": {measures}" if measures else "."),
        },
        # Found by the impact assessment (6.1.4), to be treated as an AI risk (6.1.2).
        requirements=Requirement.objects.filter(standard__key="iso42001", code__in=["6.1.2", "6.1.4"]),
    )
    record = records.update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        extra_changes=[
            {"field": "harms", "label": "Harm turned into a risk", "old": str(found), "new": risk.reference}
        ],
    )
    found.risk = risk
    found.save(update_fields=["risk"])
    return record


# The harm services as API actions (the page has its own form with errors by field, views.py).
HARM_ACTIONS = [
    RecordAction(
        "add-harm",
        "Add a harm",
        add_harm,
        lambda u, r: allows("add-harm", u, r),
        inputs=(
            Input("description", "The harm"),
            Input("affected", "Who is affected", choices=tuple(Harm.Affected.choices)),
            Input("likelihood", "Likelihood", choices=LIKELIHOOD),
            Input("severity", "Severity", choices=SEVERITY),
            Input("reversibility", "Reversibility", choices=tuple(Harm.Reversibility.choices)),
        ),
        description="Add a harm to a draft assessment (A.5).",
    ),
    RecordAction(
        "remove-harm",
        "Remove a harm",
        remove_harm,
        lambda u, r: allows("remove-harm", u, r),
        inputs=(Input("harm", "Harm id (see …/harms/)"),),
        description="Remove a harm from a draft assessment.",
    ),
    RecordAction(
        "harm-to-risk",
        "Turn into a risk",
        harm_to_risk,
        lambda u, r: allows("harm-to-risk", u, r),
        inputs=(
            Input("harm", "Harm id (see …/harms/)"),
            Input("category", "Risk category slug", required=False),
            Input(
                "risk_source", "Annex C.3 risk source", required=False, choices=tuple(Risk.RiskSource.choices)
            ),
        ),
        description="Create a linked AI risk from a harm, scored as the harm.",
    ),
]

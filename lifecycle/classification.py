"""Storing an AI system's EU AI Act classification: who answered what, the tier and the reasoning, in
the system's history (see lifecycle.eu_ai_act for the rules)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims import permissions
from aims.records import update_record
from registers.models.choices import AiRole

from . import eu_ai_act
from .models import AISystem


def clean_answers(data) -> dict:
    """Answers from a form (checkbox "on") or JSON (true/false); Annex III must be a known area."""
    answers = {}
    for key in eu_ai_act.yes_no_keys():
        value = data.get(key)
        answers[key] = value is True or (
            isinstance(value, str) and value.lower() in ("on", "true", "yes", "1")
        )
    area = data.get("annex_iii") or "none"
    if area not in eu_ai_act.ANNEX_III:
        raise ValidationError(
            {"annex_iii": f"Unknown Annex III area {str(area)[:40]!r}; choose one of the list."}
        )
    answers["annex_iii"] = area
    return answers


@transaction.atomic
def classify_system(system: AISystem, *, actor, expected_version: int, answers: dict) -> AISystem:
    permissions.require(actor, "change", system)
    answers = clean_answers(answers)
    provider = system.ai_role in (AiRole.PROVIDER, AiRole.PRODUCER)
    result = eu_ai_act.classify(answers, provider=provider)

    def store(locked, before):
        locked.eu_tier = result.tier
        locked.eu_classification = result.as_dict(answers)
        locked.classified_at = timezone.now()
        locked.classified_by = actor

    return update_record(
        system,
        actor=actor,
        expected_version=expected_version,
        fields={},
        prepare=store,
        note="EU AI Act classification: " + " ".join(result.reasons)[:450],
        extra_changes=[
            {"field": "eu_classification", "label": "EU AI Act answers", "old": "", "new": _summary(answers)}
        ],
    )


def _summary(answers: dict) -> str:
    yes = [k for k in eu_ai_act.yes_no_keys() if answers.get(k)]
    return f"Annex III: {answers['annex_iii']}; yes to: {', '.join(yes) or 'none'}"

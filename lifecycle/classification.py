"""Storing an AI system's EU AI Act classification (see lifecycle.eu_ai_act for the rules), with four eyes:
one person answers every question, a second one -- who may approve (AISystemPolicy.can_confirm_
classification) -- confirms the result or refuses it with a reason. Until it is confirmed the system shows
"classification awaiting confirmation" with the proposed tier, and its effective tier stays what it was.
Answering, confirming and refusing are each written into the system's history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.policies import policy_of, require
from aims.records import StaleEdit, update_record

from . import eu_ai_act
from .models import AISystem, ClassificationStatus, Tier

Status = ClassificationStatus
YES, NO = "yes", "no"


# -- Reading answers -----------------------------------------------------------------------------------------
def answers_from_form(data) -> dict:
    """The form's radio buttons ("yes"/"no") and Annex III choice; a question left blank stays out."""
    answers = {}
    for key in eu_ai_act.yes_no_keys():
        value = data.get(key)
        if value in (YES, NO):
            answers[key] = value == YES
    area = data.get("annex_iii")
    if area:
        answers["annex_iii"] = area
    return answers


def clean_answers(answers: dict) -> dict:
    """Every question answered explicitly: a yes/no question true or false (never a string, never left
    out), the Annex III area one of the list. Anything else is refused, naming each question."""
    texts = eu_ai_act.question_texts()
    errors = {}
    for key in eu_ai_act.question_keys():  # in the questionnaire's order
        value = answers.get(key)
        if value is None or (key == "annex_iii" and value == ""):
            how = "Choose an area, or none of them." if key == "annex_iii" else "Answer yes or no."
            errors[key] = f"Not answered: “{texts[key]}” {how}"
        elif key == "annex_iii" and not (isinstance(value, str) and value in eu_ai_act.ANNEX_III):
            errors[key] = f"Unknown Annex III area {str(value)[:40]!r}; choose one of the list."
        elif key != "annex_iii" and not isinstance(value, bool):
            errors[key] = f"Answer yes or no (true or false), not {str(value)[:20]!r}: “{texts[key]}”"
    for key in answers:
        if key not in texts:
            errors[str(key)[:60]] = (
                "Not a question of the EU AI Act questionnaire; see the list of questions."
            )
    if errors:
        raise ValidationError(errors)
    return {key: answers[key] for key in eu_ai_act.question_keys()}


def pending_answers(system) -> dict:
    """The answers the questionnaire starts from: those not yet in effect, else the effective ones."""
    return (system.eu_proposal or {}).get("answers") or (system.eu_classification or {}).get("answers") or {}


def unanswered_questions(system) -> list[str]:
    """For a classification awaiting answers: the questions to (re-)answer, in words."""
    if system.classification_status != Status.AWAITING_ANSWERS:
        return []
    texts = eu_ai_act.question_texts()
    return [texts[k] for k in eu_ai_act.unanswered(pending_answers(system))]


def prohibited_points(system) -> list[str]:
    """The Art. 5(1) points the answers name ("Art. 5(1)(c)"), of the classification that makes the
    system prohibited: the effective one, or the proposal awaiting confirmation."""
    stored = system.eu_proposal if system.awaiting_confirmation else {}
    if not stored or stored.get("tier") != Tier.PROHIBITED:
        stored = system.eu_classification or {}
    answers = stored.get("answers", {})
    return [article for key, (article, _) in eu_ai_act.PROHIBITED.items() if answers.get(key) is True]


def _result(answers: dict, role: str) -> dict:
    return eu_ai_act.classify(answers, role=role).as_dict(answers)


def _summary(answers: dict) -> str:
    if not answers:
        return ""
    yes = [k for k in eu_ai_act.yes_no_keys() if answers.get(k) is True]
    return f"Annex III: {answers.get('annex_iii') or 'not answered'}; yes to: {', '.join(yes) or 'none'}"


def _tier_label(tier: str) -> str:
    return dict(Tier.choices).get(tier, tier)


# -- Services -------------------------------------------------------------------------------------------------
@transaction.atomic
def answer_classification(system: AISystem, *, actor, expected_version: int, answers: dict) -> AISystem:
    """Record a full set of answers (EU AI Act Arts. 5, 6, 50; ISO/IEC 42001 A.5, 6.1.4). Answers that
    differ from those in effect await a second person's confirmation; the effective tier does not move."""
    system = _locked(system)
    require(policy_of(system), "answer_classification", actor, system)
    _fresh(system, expected_version)
    answers = clean_answers(answers)
    if system.awaiting_confirmation and (system.eu_proposal or {}).get("answers") == answers:
        return system  # the same answers already wait for confirmation: nothing changes, the answerer neither
    change = _answers_change(_summary(pending_answers(system)), answers)
    if (system.eu_classification or {}).get("answers") == answers and system.eu_tier != Tier.UNCLASSIFIED:
        if system.classification_status == Status.CONFIRMED:
            return system  # the answers in effect, given again

        def back(locked, before):  # answered as they stand: what waited is dropped, nothing to confirm
            _clear_proposal(locked)
            locked.classification_status = Status.CONFIRMED

        note = f"EU AI Act answers back to those in effect ({system.get_eu_tier_display()})."
        return update_record(system, actor=actor, expected_version=expected_version, fields={}, prepare=back,
                             note=note, extra_changes=[change])  # fmt: skip
    proposal = _result(answers, system.ai_role)

    def propose(locked, before):
        locked.eu_proposal = proposal
        locked.proposed_tier = proposal["tier"]
        locked.proposed_by = actor
        locked.proposed_at = timezone.now()
        locked.classification_status = Status.AWAITING_CONFIRMATION

    note = (
        f"EU AI Act questions answered by {actor}: proposed {_tier_label(proposal['tier'])}, awaiting "
        "confirmation by someone else. " + " ".join(proposal["reasons"])
    )
    return update_record(system, actor=actor, expected_version=expected_version, fields={}, prepare=propose,
                         note=note[:450], extra_changes=[change])  # fmt: skip


def _locked(system) -> AISystem:
    """The system as stored, locked for this transaction: what the guards and the decision read."""
    return AISystem.objects.select_for_update().get(pk=system.pk)


def _fresh(locked, expected_version: int) -> None:
    if locked.version != expected_version:
        raise StaleEdit(locked, expected_version)


def _answers_change(before: str, answers: dict) -> dict:
    return {
        "field": "eu_classification",
        "label": "EU AI Act answers",
        "old": before,
        "new": _summary(answers),
    }


def _clear_proposal(locked) -> None:
    locked.eu_proposal, locked.proposed_tier, locked.proposed_by, locked.proposed_at = {}, "", None, None


@transaction.atomic
def confirm_classification(system: AISystem, *, actor, expected_version: int) -> AISystem:
    """A second person confirms the proposed classification: its tier, reasons and duties take effect."""
    system = _locked(system)
    require(policy_of(system), "confirm_classification", actor, system)
    _fresh(system, expected_version)
    proposer = system.proposed_by

    def store(locked, before):
        proposal = {k: v for k, v in locked.eu_proposal.items() if k != "refusal"}
        proposal["answered_by"] = str(locked.proposed_by or "")
        proposal["answered_at"] = locked.proposed_at.isoformat() if locked.proposed_at else ""
        locked.eu_tier = proposal["tier"]
        locked.eu_classification = proposal
        locked.classified_at, locked.classified_by = timezone.now(), actor
        _clear_proposal(locked)
        locked.classification_status = Status.CONFIRMED

    note = f"EU AI Act classification confirmed by {actor} (answered by {proposer}): {_tier_label(system.proposed_tier)}."
    confirmed = update_record(
        system, actor=actor, expected_version=expected_version, fields={}, prepare=store, note=note
    )
    # A high-risk system's duties become records its owner keeps (none for other tiers or roles).
    from .standard.obligations.services import ensure_obligations

    ensure_obligations(confirmed, actor=actor)
    return type(confirmed).objects.get(pk=confirmed.pk)


@transaction.atomic
def refuse_classification(system: AISystem, *, actor, expected_version: int, reason: str) -> AISystem:
    """A second person refuses the proposed classification, saying why; the answers stay, to be revised,
    and the effective tier stays what it was."""
    system = _locked(system)
    require(policy_of(system), "confirm_classification", actor, system)
    _fresh(system, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why the classification is refused, so the answers can be revised."}
        )

    def store(locked, before):
        refusal = {"by": str(actor), "at": timezone.now().isoformat(), "reason": reason[:1000]}
        locked.eu_proposal = {**locked.eu_proposal, "refusal": refusal}
        locked.classification_status = Status.REFUSED

    note = (
        f"EU AI Act classification ({_tier_label(system.proposed_tier)}, answered by {system.proposed_by}) "
        f"refused by {actor}: {reason}"
    )
    return update_record(
        system, actor=actor, expected_version=expected_version, fields={}, prepare=store, note=note[:500]
    )


def follow_role(locked) -> None:
    """The duties are the organisation's role's (provider, deployer, neither): when the system's AI role
    changes, the reasons and duties of its classifications follow; the tier, which is the system's, stays."""
    for name in ("eu_classification", "eu_proposal"):
        stored = getattr(locked, name) or {}
        answers = stored.get("answers") or {}
        if stored.get("tier") and not eu_ai_act.unanswered(answers):
            setattr(locked, name, {**stored, **_result(answers, locked.ai_role)})

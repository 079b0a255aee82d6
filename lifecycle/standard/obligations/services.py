"""The obligations' services: an obligation created with its title, due date and ISO/IEC 42001 links
from the EU AI Act article that asks it; the checks against the system's classification; the moves
between states (start, done, not applicable with a reason, reopen), each a guarded transition in the
record's history; and the obligations of a system created at once when it is classified high-risk."""

from django.core.exceptions import ValidationError
from django.db import transaction

from aims import permissions, records
from aims.actions import Input, RecordAction
from aims.models import Crosswalk, Requirement
from aims.policies import allows, policy_of, require
from aims.registry import registry
from aims.services import RecordServices
from lifecycle.models import HighRiskObligation
from lifecycle.models.obligations import DETAIL_FIELDS, DUTY

from .position import BIOMETRICS, INFRASTRUCTURE, NO_AREA, eu_position
from .selectors import missing_duties, nothing_to_create
from .timeline import default_due

FIELDS = [
    "title", "system", "duty", "due_on", "how_met", *DETAIL_FIELDS, "owner", "review_cadence", "next_review_on",
]  # fmt: skip
State, Route = HighRiskObligation.State, HighRiskObligation.Route


def title_for(duty, system) -> str:
    return f"{duty.title} — {system.title}"[:200]


def crosswalked(articles) -> dict[str, list[int]]:
    """{EU AI Act article: ids of the ISO/IEC 42001 clauses and controls the catalogue's crosswalk maps it
    to}, in one query (Arts. 43, 47, 49 and 71 map to none: product-level duties)."""
    found: dict[str, list[int]] = {article: [] for article in articles}
    pairs = Crosswalk.objects.filter(
        source__standard__key="euaiact",
        source__code__in=list(found),
        target__in=Requirement.objects.mappable(),
    ).values_list("source__code", "target_id")
    for article, requirement_id in pairs:
        found[article].append(requirement_id)
    return found


def public_body(record) -> bool | None:
    """Whether we use the system as a public authority or body (Art. 49(3)): the classification's answer
    when it gives one, else the obligation's own field."""
    said = eu_position(record.system).public_body
    return said if said is not None else record.public_body


def check_against_classification(record) -> None:
    """The rules that depend on how the system is classified, on the record as it will be saved."""
    position, errors = eu_position(record.system), {}
    annex_iii_only = position.annex_iii != NO_AREA and not position.annex_i
    if record.conformity_route == Route.NOTIFIED_BODY and annex_iii_only and position.annex_iii != BIOMETRICS:
        errors["conformity_route"] = (
            "Art. 43(2): systems of Annex III points 2 to 8 follow internal control (Annex VI)."
        )
    if record.conformity_route == Route.PRODUCT_LAW and not position.annex_i:
        errors["conformity_route"] = "Art. 43(3) is for Annex I products; this system is not one."
    if record.duty == "use_registration" and record.state == State.DONE:
        public = public_body(record)
        if public is False:
            errors["public_body"] = (
                "Art. 49(3) asks it of public bodies only: mark it not applicable instead."
            )
        elif public is None:
            errors["public_body"] = (
                "Say whether we use the system as a public body: Art. 49(3) depends on it."
            )
    if errors:
        raise ValidationError(errors)


def evidence_refusal(record) -> str:
    """Documentation (Annex IV, the monitoring plan) counts as done only with current evidence attached;
    the evidence library is a later app's, asked through the registry."""
    if not record.spec.evidence or registry.evidence_serving is None:
        return ""
    if registry.evidence_serving({"it": (None, record)})["it"]:
        return ""
    return f"{record.spec.cite}: attach the documentation as evidence (Evidence tab) before marking it done."


class ObligationServices(RecordServices):
    def derive(self, fields: dict, record) -> dict:
        if record is not None:
            for name in ("system", "duty"):
                if name in fields and fields[name] != getattr(record, name):
                    raise ValidationError(
                        {name: "An obligation keeps its system and duty; archive it and record another."}
                    )
            return fields
        system, duty = fields.get("system"), DUTY.get(fields.get("duty") or "")
        if system is not None and duty is not None:
            same = system.high_risk_obligations.live().filter(duty=duty.key).first()
            if same is not None:
                raise ValidationError(
                    {"duty": f"{same.reference} already records this obligation for {system.reference}."}
                )
            if not (fields.get("title") or "").strip():
                fields["title"] = title_for(duty, system)
            fields.setdefault("due_on", None)
            fields["due_on"] = fields["due_on"] or default_due(eu_position(system))
        return fields

    @transaction.atomic
    def create(self, *, actor, fields: dict, requirements=None, action=records.Action.CREATED):
        duty = DUTY.get(fields.get("duty") or "")
        if not requirements and duty is not None:
            requirements = crosswalked([duty.article])[duty.article]
        return super().create(actor=actor, fields=fields, requirements=requirements, action=action)

    @transaction.atomic
    def update(self, record, *, actor, expected_version: int, fields: dict, requirements=None, prepare=None):
        def checked(locked, before):
            if prepare is not None:
                prepare(locked, before)
            check_against_classification(locked)

        return super().update(
            record, actor=actor, expected_version=expected_version, fields=fields,
            requirements=requirements, prepare=checked,
        )  # fmt: skip


services = ObligationServices(HighRiskObligation, FIELDS)


# -- moves between states -------------------------------------------------------------------------
def _move(record, *, actor, expected_version: int, transition: str, state: str, note: str, reason=""):
    require(policy_of(record), transition, actor, record)

    def moved(locked, before):
        locked.state = state
        locked.not_applicable_reason = reason
        check_against_classification(locked)

    return records.update_record(
        record, actor=actor, expected_version=expected_version, fields={}, prepare=moved, note=note[:500],
        extra_changes=[{"field": "not_applicable_reason", "label": "Why it does not apply",
                        "old": record.not_applicable_reason, "new": reason}] if reason else None,
    )  # fmt: skip


@transaction.atomic
def start(record, *, actor, expected_version: int):
    return _move(record, actor=actor, expected_version=expected_version, transition="start",
                 state=State.IN_PROGRESS, note="Work on it started.")  # fmt: skip


@transaction.atomic
def complete(record, *, actor, expected_version: int, note: str = ""):
    """Done: the details the article needs are filled in (the model says which), and documentation has
    its evidence attached."""
    require(policy_of(record), "complete", actor, record)
    missing = evidence_refusal(record)
    if missing:
        raise ValidationError(missing)
    return _move(record, actor=actor, expected_version=expected_version, transition="complete",
                 state=State.DONE, note=note or "Marked done.")  # fmt: skip


@transaction.atomic
def mark_not_applicable(record, *, actor, expected_version: int, reason: str):
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why it does not apply: an auditor will ask."})
    return _move(record, actor=actor, expected_version=expected_version, transition="not_applicable",
                 state=State.NOT_APPLICABLE, note=f"Not applicable: {reason}", reason=reason)  # fmt: skip


@transaction.atomic
def reopen(record, *, actor, expected_version: int, reason: str = ""):
    return _move(record, actor=actor, expected_version=expected_version, transition="reopen",
                 state=State.IN_PROGRESS, note=f"Reopened. {reason}".strip())  # fmt: skip


def _offered(transition):
    return lambda user, record: allows(transition, user, record)


ACTIONS = (
    RecordAction("start", "Start", start, _offered("start"), done="{reference} is in progress.",
                 description="Move a not-started obligation to in progress."),
    RecordAction("complete", "Mark done", complete, _offered("complete"), done="{reference} is done.",
                 style="primary", inputs=(Input("note", "What shows it is met", required=False),),
                 description="Done: refused, naming the field, while a detail the article needs is missing, "
                 "and for documentation without evidence attached."),
    RecordAction("not-applicable", "Not applicable", mark_not_applicable, _offered("not_applicable"),
                 done="{reference} marked not applicable.", inputs=(Input("reason", "Why it does not apply"),),
                 description="It does not apply to this system; the reason is required and kept."),
    RecordAction("reopen", "Reopen", reopen, _offered("reopen"), done="{reference} reopened.",
                 inputs=(Input("reason", "Why it is reopened", required=False),),
                 description="Back to in progress from done or not applicable."),
)  # fmt: skip


# -- the obligations of a system -----------------------------------------------------------------------
def exemption(duty, position) -> str:
    """Why an obligation of the system's role does not apply, seen from the classification, or ""."""
    if duty.key == "registration" and position.annex_iii == NO_AREA:
        return (
            "Art. 49(1) asks registration of Annex III systems; this one is high-risk as an Annex I product."
        )
    if duty.key == "registration" and position.annex_iii == INFRASTRUCTURE:
        return "Art. 49(5): systems of Annex III point 2 are registered at national level."
    if duty.key in ("fria", "fria_notified") and position.annex_iii == INFRASTRUCTURE:
        return "Art. 27(1) leaves out systems of Annex III point 2."
    if duty.key == "use_registration" and position.public_body is False:
        return "Art. 49(3) asks it of public authorities and bodies; the classification says we are not one."
    return ""


def _create_missing(system, *, actor) -> list:
    position, duties = eu_position(system), missing_duties(system)
    links = crosswalked({duty.article for duty in duties})
    due = default_due(position)
    made = []
    for duty in duties:
        reason = exemption(duty, position)
        fields = {"title": title_for(duty, system), "system": system, "duty": duty.key, "owner": system.owner,
                  "due_on": due}  # fmt: skip
        if reason:
            fields.update(state=State.NOT_APPLICABLE, not_applicable_reason=reason)
        made.append(
            records.create_record(
                HighRiskObligation, actor=actor, fields=fields, requirements=links[duty.article]
            )
        )
    return made


def _noted(system, made, *, actor, expected_version: int):
    """The system's history says which obligations were created, by reference (links on its page)."""
    role = eu_position(system).role_label
    return records.update_record(
        system, actor=actor, expected_version=expected_version, fields={},
        note=f"EU AI Act: {len(made)} {role} obligations of a high-risk system recorded.",
        extra_changes=[{"field": "high_risk_obligations", "label": "EU AI Act obligations", "old": "",
                        "new": ", ".join(r.reference for r in made)[:500]}],
    )  # fmt: skip


@transaction.atomic
def create_obligations(system, *, actor, expected_version: int):
    """The button on a high-risk system's page: every obligation of our role for it not yet recorded,
    each owned by the system's owner and due when the high-risk rules apply to it (Art. 113)."""
    require(policy_of(HighRiskObligation), "create_for_system", actor, system)
    permissions.require_add(actor, HighRiskObligation)
    return _noted(
        system, _create_missing(system, actor=actor), actor=actor, expected_version=expected_version
    )


@transaction.atomic
def ensure_obligations(system, *, actor) -> list:
    """For the classification to call once a tier takes effect: when the system is high-risk and we are
    its provider or deployer, record the obligations it still lacks (none otherwise); returns them. The
    confirmation was the permitted act (a board member confirms, and may not add records): the records
    follow from it, in the confirmer's name, owned by the system's owner."""
    if nothing_to_create(system):
        return []
    made = _create_missing(system, actor=actor)
    _noted(system, made, actor=actor, expected_version=type(system).objects.get(pk=system.pk).version)
    return made


CREATE_FOR_SYSTEM = RecordAction(
    "create-obligations",
    "Record its EU AI Act obligations",
    create_obligations,
    lambda user, system: not policy_of(HighRiskObligation).refusal("create_for_system", user, system),
    done="{reference}: its high-risk obligations are recorded.",
    description="Create the obligations a high-risk system brings, as its provider or its deployer (EU AI Act).",
)

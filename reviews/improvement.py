"""Services of improvement (ISO/IEC 42001 10.1, 10.2): raising nonconformities, planning and doing their
corrective actions, the four-eyes effectiveness check, closing or reopening. Pages, the API, demo data and
the actions on incidents, KPIs and risks all go through these, so every change is in history."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aims import permissions, records, roles
from aims.models import Notification, Requirement, User
from aims.notifications import notify
from aims.policies import policy_of, require
from aims.services import RecordServices

from .models import CorrectiveAction, ImprovementAction, Nonconformity, PreventiveAction

NC = Nonconformity.Status
CA = CorrectiveAction.Status
NO_REQUIREMENT = "Name at least one clause or control that is not met."


# -- small parsers for action inputs (typed as text in forms and the API) ------------------------------
def parse_requirements(text: str, field: str = "requirements") -> list[Requirement]:
    """'8.1, A.6.2.6' -> those clauses and controls; an unknown code is an error naming the field."""
    codes = [c for c in re.split(r"[\s,;]+", (text or "").strip()) if c]
    if not codes:
        raise ValidationError({field: NO_REQUIREMENT + " Give codes such as 8.1 or A.6.2.6."})
    found = {
        r.code: r
        for r in Requirement.objects.filter(
            standard__key="iso42001", code__in=codes, kind__in=Requirement.MAPPABLE
        )
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError({field: f"Not a clause or control in the catalogue: {', '.join(unknown)}."})
    return [found[c] for c in dict.fromkeys(codes)]


def parse_date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValidationError({field: f"{str(text)[:20]!r} is not a date like 2026-03-31."}) from None


def parse_person(username: str, field: str = "owner") -> User:
    user = User.objects.filter(
        username=str(username).strip(), is_active=True, groups__name__in=[roles.OWNER, roles.MANAGER]
    ).first()
    if user is None:
        raise ValidationError({field: f"{str(username)[:40]!r} is not an active owner or AIMS manager."})
    return user


def _note_on(record, *, actor, expected_version: int, label: str, text: str, note: str = ""):
    """A line in another record's history: links made to it (a nonconformity raised from an incident)."""
    return records.update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        extra_changes=[{"field": "improvement", "label": label, "old": "", "new": text[:500]}],
        note=note[:500],
    )


def tell_source_owners(record, sources, *, actor) -> None:
    """Raised from someone else's record (a nonconformity from their incident, a corrective action on
    their nonconformity): its owner hears of it, whoever raised it, since the source's own history may
    not say so (reviews.policies.notes_on_source)."""
    noun = record._meta.verbose_name
    for source in sources:
        if source is None or source.owner_id in (None, actor.pk):
            continue
        notify(
            source.owner,
            kind=Notification.Kind.RAISED_FROM,
            key=f"raised-from:{record._meta.label_lower}:{record.pk}:{source._meta.label_lower}:{source.pk}",
            message=f"{actor} raised {noun} {record.reference} {record.title} from your "
            f"{source._meta.verbose_name} {source.reference}.",
            url=record.get_absolute_url(),
        )


# -- Nonconformities ---------------------------------------------------------------------------------------
class NonconformityServices(RecordServices):
    """At least one requirement not met, always: a nonconformity is against something."""

    def create(self, *, actor, fields, requirements=None, action=records.Action.CREATED):
        if not requirements:
            permissions.require_add(actor, Nonconformity)  # a refusal before a validation message
            raise ValidationError({"requirements": NO_REQUIREMENT})
        nc = super().create(actor=actor, fields=fields, requirements=requirements, action=action)
        tell_source_owners(nc, (nc.finding, nc.incident, nc.kpi), actor=actor)
        return nc

    def derive(self, fields, record):
        """A nonconformity raised from an audit finding names the finding's audit too, so the audit's page
        lists it; another audit is refused by the model's clean()."""
        finding = fields["finding"] if "finding" in fields else getattr(record, "finding", None)
        audit = fields["audit"] if "audit" in fields else getattr(record, "audit", None)
        if finding is not None and audit is None:
            fields["audit"] = finding.audit
        return fields

    def update(self, record, *, actor, expected_version, fields, requirements=None, prepare=None):
        if requirements is not None and not list(requirements):
            permissions.require(actor, "change", record)
            raise ValidationError({"requirements": NO_REQUIREMENT})
        return super().update(
            record, actor=actor, expected_version=expected_version, fields=fields,
            requirements=requirements, prepare=prepare,
        )  # fmt: skip


NC_FIELDS = [
    "title", "source", "audit", "review", "incident", "kpi", "source_note", "description", "grade",
    "containment", "owner", "review_cadence", "next_review_on",
]  # fmt: skip
# `measurement` and `finding` are set only when raised from a KPI breach or an audit finding.
nc_services = NonconformityServices(Nonconformity, [*NC_FIELDS, "measurement", "finding"])


def _set_nc_status(nc, status: str, *, actor, note: str = ""):
    """Move a nonconformity on as its corrective actions move; history says who and why."""
    nc = Nonconformity.objects.get(pk=nc.pk)
    if nc.status == status:
        return nc

    def move(locked, before):
        locked.status = status
        locked.closed_on = timezone.localdate() if status == NC.CLOSED else None

    return records.update_record(
        nc, actor=actor, expected_version=nc.version, fields={}, prepare=move, note=note
    )


# -- Corrective actions -----------------------------------------------------------------------------------
CA_FIELDS = [
    "title", "nonconformity", *[f"{w}_{n}" for n in range(1, 6) for w in ("why", "because")],
    "cause_category", "check_after_days", "owner", "review_cadence", "next_review_on",
]  # fmt: skip


class CorrectiveActionServices(RecordServices):
    """A corrective action acts on its nonconformity (its actions move the nonconformity's status on):
    started, or moved to another nonconformity, only by whoever may start one there, whichever way it is
    made (the nonconformity's button, the form, the API)."""

    def create(self, *, actor, fields, requirements=None, action=records.Action.CREATED):
        permissions.require_add(actor, CorrectiveAction)
        if fields.get("nonconformity") is not None:
            require(policy_of(Nonconformity), "start_corrective_action", actor, fields["nonconformity"])
        ca = super().create(actor=actor, fields=fields, requirements=requirements, action=action)
        tell_source_owners(ca, (ca.nonconformity,), actor=actor)
        return ca

    def update(self, record, *, actor, expected_version, fields, requirements=None, prepare=None):
        nc = fields.get("nonconformity")
        if nc is not None and nc.pk != record.nonconformity_id:
            require(policy_of(record), "edit", actor, record)  # a refusal of the record first
            require(policy_of(nc), "start_corrective_action", actor, nc)
        return super().update(
            record, actor=actor, expected_version=expected_version, fields=fields,
            requirements=requirements, prepare=prepare,
        )  # fmt: skip

    def derive(self, fields, record):
        nc = fields.get("nonconformity")
        if nc is not None and (record is None or nc.pk != record.nonconformity_id) and not nc.is_open:
            raise ValidationError(
                {"nonconformity": f"{nc.reference} is closed; reopen it through an effectiveness check."}
            )
        moved = record is not None and nc is not None and nc.pk != record.nonconformity_id
        if moved and record.actions.exists():  # its actions moved the old one's status on
            raise ValidationError(
                {"nonconformity": f"{record.reference} already has actions for {record.nonconformity.reference}; "
                 "start a new corrective action for the other nonconformity."}
            )  # fmt: skip
        return fields


ca_services = CorrectiveActionServices(CorrectiveAction, CA_FIELDS)


@transaction.atomic
def start_corrective_action(nc, *, actor, expected_version: int, title: str):
    """From the nonconformity's page: a corrective action to analyse its cause (10.2), owned by the actor."""
    policy = policy_of(nc)
    require(policy, "start_corrective_action", actor, nc)  # who, and not while archived: a 403
    state = policy.start_corrective_action_state(nc)  # still open: a 400
    if state:
        raise ValidationError(state)
    ca = ca_services.create(actor=actor, fields={"title": title[:200], "nonconformity": nc})
    return _note_on(  # whoever starts one may change the nonconformity (NonconformityPolicy)
        nc, actor=actor, expected_version=expected_version, label="Corrective action",
        text=f"{ca.reference} {ca.title}", note=f"Corrective action {ca.reference} started.",
    )  # fmt: skip


@transaction.atomic
def add_action(ca, *, actor, expected_version: int, description: str, owner: str, due_on: str):
    """Plan an action (10.2 d): only once the cause is understood -- one why answered and its category."""
    policy = policy_of(ca)
    require(policy, "add_action", actor, ca)
    state = policy.add_action_state(ca)
    if state:
        raise ValidationError(state)
    errors = {}
    if not ca.whys:
        errors["why_1"] = "Ask why at least once, and answer it, before planning actions."
    if not ca.cause_category:
        errors["cause_category"] = "Say what kind of cause it is before planning actions."
    if not description.strip():
        errors["description"] = "Say what will be done."
    elif len(description) > 500:
        errors["description"] = f"At most 500 characters (it has {len(description)})."
    for parse in (lambda: parse_person(owner), lambda: parse_date(due_on, "due_on")):
        try:
            parse()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    person, due = parse_person(owner), parse_date(due_on, "due_on")
    number = (ca.actions.aggregate(n=Max("number"))["n"] or 0) + 1

    def plan(locked, before):
        locked.status = CA.PLANNED
        locked.actions_done_on = None

    ca = records.update_record(
        ca, actor=actor, expected_version=expected_version, fields={}, prepare=plan,
        extra_changes=[{"field": "actions", "label": f"Action {number}", "old": "",
                        "new": f"{description.strip()} ({person}, due {due:%Y-%m-%d})"[:500]}],
    )  # fmt: skip
    ImprovementAction.objects.create(
        corrective_action=ca, number=number, description=description.strip(), owner=person, due_on=due
    )
    _set_nc_status(
        ca.nonconformity, NC.PLANNED, actor=actor, note=f"{ca.reference}: action {number} planned."
    )
    return ca


@transaction.atomic
def complete_action(ca, *, actor, expected_version: int, action: str):
    """An action done (by its owner, the CA's owner or the AIMS manager). When every action is done the
    effectiveness period starts: the check is due `check_after_days` later."""
    number = str(action).strip()
    row = ca.actions.filter(number=int(number)).first() if number.isdigit() and len(number) < 5 else None
    if row is None:
        raise ValidationError({"action": f"{ca.reference} has no action number {str(action)[:10]!r}."})
    policy_of(ca).require_complete(actor, ca, row)
    if row.status == ImprovementAction.Status.DONE:
        raise ValidationError({"action": f"Action {row.number} is already done."})
    today = timezone.localdate()
    all_done = not ca.actions.filter(status=ImprovementAction.Status.OPEN).exclude(pk=row.pk).exists()

    def done(locked, before):
        if all_done:
            locked.status = CA.DONE
            locked.actions_done_on = today

    ca = records.update_record(
        ca, actor=actor, expected_version=expected_version, fields={}, prepare=done,
        extra_changes=[{"field": "actions", "label": f"Action {row.number}", "old": "Open", "new": "Done"}],
    )  # fmt: skip
    ImprovementAction.objects.filter(pk=row.pk).update(status=ImprovementAction.Status.DONE, done_on=today)
    if all_done:
        _set_nc_status(
            ca.nonconformity, NC.VERIFYING, actor=actor,
            note=f"{ca.reference}: every action done; effectiveness check due on {ca.check_due_on:%Y-%m-%d}.",
        )  # fmt: skip
    else:
        _set_nc_status(
            ca.nonconformity, NC.DONE, actor=actor, note=f"{ca.reference}: action {row.number} done."
        )
    return ca


@transaction.atomic
def check_effectiveness(ca, *, actor, expected_version: int, result: str, notes: str):
    """Did the actions remove the cause (10.2 e)? Someone other than the CA's owner says so, once the
    period has passed. Effective closes the nonconformity (when nothing else is open on it); not
    effective reopens it, with the reason in its history."""
    require(policy_of(ca), "check_effectiveness", actor, ca)
    if result not in CorrectiveAction.Result.values:
        raise ValidationError({"result": "Choose effective or not_effective."})
    if not notes.strip():
        raise ValidationError({"notes": "Say what was looked at and what it showed."})
    today = timezone.localdate()
    if ca.check_due_on and today < ca.check_due_on:
        raise ValidationError(
            {"result": f"The effectiveness check of {ca.reference} is due on {ca.check_due_on:%Y-%m-%d}, "
             f"{ca.check_after_days} days after its actions were done; check it then."}
        )  # fmt: skip
    effective = result == CorrectiveAction.Result.EFFECTIVE

    def record_check(locked, before):
        locked.check_result = result
        locked.check_notes = notes.strip()
        locked.checked_by = actor
        locked.checked_on = today
        locked.status = CA.EFFECTIVE if effective else CA.NOT_EFFECTIVE

    ca = records.update_record(
        ca, actor=actor, expected_version=expected_version, fields={}, prepare=record_check,
        action=records.Action.REVIEWED, note=f"Effectiveness: {'effective' if effective else 'not effective'}.",
    )  # fmt: skip
    nc = ca.nonconformity
    if not effective:
        _set_nc_status(
            nc, NC.REOPENED, actor=actor, note=f"Reopened: {ca.reference} was not effective. {notes}"
        )
    elif not nc.corrective_actions.filter(status__in=[CA.ANALYSING, CA.PLANNED, CA.DONE]).exists():
        _set_nc_status(nc, NC.CLOSED, actor=actor, note=f"Closed: {ca.reference} was effective. {notes}")
    return ca


# -- Preventive actions ------------------------------------------------------------------------------------
PA_FIELDS = [
    "title", "source", "risk", "kpi", "trend", "description", "due_on", "status", "done_on", "owner",
    "review_cadence", "next_review_on",
]  # fmt: skip


class PreventiveActionServices(RecordServices):
    def create(self, *, actor, fields, requirements=None, action=records.Action.CREATED):
        pa = super().create(actor=actor, fields=fields, requirements=requirements, action=action)
        tell_source_owners(pa, (pa.risk, pa.kpi), actor=actor)
        return pa

    def derive(self, fields, record):
        # Done without a date means done today; reopened, it is no longer done.
        status = fields.get("status", getattr(record, "status", None))
        if status == PreventiveAction.Status.DONE and not fields.get(
            "done_on", getattr(record, "done_on", None)
        ):
            fields["done_on"] = timezone.localdate()
        elif status in PreventiveAction.OPEN_STATUSES:
            fields["done_on"] = None
        return fields


pa_services = PreventiveActionServices(PreventiveAction, PA_FIELDS)

"""Write services of the management review (ISO/IEC 42001 9.3): schedule, compile and freeze the inputs
(9.3.2), record the meeting and its outputs (9.3.3), and the board's sign-off. Pages, the API, the demo
and Celery all go through these."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims import permissions, records
from aims.models import User
from aims.policies import policy_of, require
from aims.records import Action
from aims.services import RecordServices

from . import inputs
from .models import ManagementReview, ReviewAction, ReviewInputs

Status = ManagementReview.Status

REVIEW_FIELDS = [
    "title", "scheduled_on", "period_from", "period_to", "cadence_months", "chair", "attendees", "minutes",
    "attendees_present", "owner", "review_cadence", "next_review_on",
]  # fmt: skip
# Once the meeting is held, what it covered is history: only the minutes and who was present may be corrected.
AFTER_HELD = {"minutes", "attendees_present"}


def _read_only(review) -> ValidationError:
    return ValidationError(
        f"{review.reference} is signed off, so it is read-only; its actions can still be updated."
    )


class ManagementReviewServices(RecordServices):
    def update(self, record, *, actor, expected_version: int, fields: dict, requirements=None, prepare=None):
        if record.status == Status.SIGNED_OFF:
            permissions.require(actor, "change", record)
            raise _read_only(record)
        if record.status == Status.HELD:
            locked = {
                name: f"The meeting was held on {record.held_on:%Y-%m-%d}: this can no longer change."
                for name, value in fields.items()
                if name in self.fields and name not in AFTER_HELD and _differs(record, name, value)
            }
            if locked:
                raise ValidationError(locked)
        return super().update(
            record, actor=actor, expected_version=expected_version, fields=fields, requirements=requirements
        )

    def archive(self, record, *, actor, expected_version: int):
        if record.status == Status.SIGNED_OFF:
            permissions.require(actor, "archive", record)
            raise _read_only(record)
        return super().archive(record, actor=actor, expected_version=expected_version)

    def mark_reviewed(self, record, *, actor, expected_version: int):
        if record.status == Status.SIGNED_OFF:
            permissions.require(actor, "change", record)
            raise _read_only(record)
        return super().mark_reviewed(record, actor=actor, expected_version=expected_version)


def _differs(record, name: str, value) -> bool:
    field = record._meta.get_field(name)
    if field.many_to_many:
        return {getattr(v, "pk", v) for v in value or ()} != set(
            getattr(record, name).values_list("pk", flat=True)
        )
    return getattr(record, name) != value


review_services = ManagementReviewServices(ManagementReview, REVIEW_FIELDS)


# -- 9.3.2: compile and freeze the inputs ------------------------------------------------------------------


@transaction.atomic
def freeze_inputs(review, *, actor, expected_version: int):
    """Compile every input section for the review's period now and keep it as it is. Possible again until
    the meeting is held; each freeze is kept, numbered, and the newest is the one the meeting uses."""
    policy = policy_of(review)
    require(policy, "freeze", actor, review)
    state = policy.freeze_state(review)
    if state:
        raise ValidationError(state)
    previous = review.current_inputs
    now = timezone.now()
    number = (previous.number if previous else 0) + 1
    describe = lambda n, at, by: f"#{n}, {timezone.localtime(at):%Y-%m-%d %H:%M} by {by}"  # noqa: E731
    review = records.update_record(
        review,
        actor=actor,
        expected_version=expected_version,
        fields={},
        note=f"Inputs compiled and frozen (#{number}).",
        prepare=lambda locked, before: setattr(locked, "status", Status.INPUTS_FROZEN),
        extra_changes=[
            {
                "field": "inputs",
                "label": "Frozen inputs",
                "old": describe(previous.number, previous.frozen_at, previous.frozen_by) if previous else "",
                "new": describe(number, now, actor),
            }
        ],
    )
    ReviewInputs.objects.create(
        review=review,
        number=number,
        frozen_at=now,
        frozen_by=actor,
        since=review.period_from,
        until=review.period_to,
        sections=inputs.compile_inputs(review.period_from, review.period_to),
    )
    return review


# -- the meeting -------------------------------------------------------------------------------------------


def _parse_date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError({field: f"{text!r} is not a date: write it as YYYY-MM-DD."}) from None


def _present(review, text: str) -> list[User]:
    """Usernames, separated by commas or spaces; none means everyone invited and the chair."""
    names = [n for n in text.replace(",", " ").split() if n]
    if not names:
        return list({u.pk: u for u in [review.chair, *review.attendees.all()]}.values())
    people = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    unknown = [n for n in names if n not in people]
    if unknown:
        raise ValidationError({"present": f"No active user called {', '.join(unknown)}."})
    return list(people.values())


@transaction.atomic
def record_meeting(review, *, actor, expected_version: int, held_on: str, minutes: str, present: str = ""):
    """The meeting took place (9.3.1): when, who was there and the minutes. Outputs follow as actions."""
    policy = policy_of(review)
    require(policy, "record_meeting", actor, review)
    state = policy.record_meeting_state(review)
    if state:
        raise ValidationError(state)
    day = _parse_date(held_on, "held_on")
    if day > timezone.localdate():
        raise ValidationError({"held_on": "A meeting is recorded once it has been held, not before."})
    if not minutes.strip():
        raise ValidationError({"minutes": "Write the minutes: what was reviewed and concluded."})
    people = _present(review, present)

    def hold(locked, before):
        locked.status = Status.HELD
        locked.held_on = day
        locked.minutes = minutes.strip()

    review = records.update_record(
        review,
        actor=actor,
        expected_version=expected_version,
        fields={"attendees_present": people},
        note=f"Meeting held on {day:%Y-%m-%d}.",
        prepare=hold,
    )
    return review


@transaction.atomic
def sign_off(review, *, actor, expected_version: int, note: str = ""):
    """A governance board member who neither owns nor chaired the review signs it off (four eyes);
    from then on it is read-only."""
    require(policy_of(review), "sign_off", actor, review)
    if not review.actions.exists():
        raise ValidationError(
            "Record at least one output (a decision or action) before the review is signed off."
        )

    def sign(locked, before):
        locked.status = Status.SIGNED_OFF
        locked.signed_off_by = actor
        locked.signed_off_at = timezone.now()

    return records.update_record(
        review,
        actor=actor,
        expected_version=expected_version,
        fields={},
        action=Action.APPROVED,
        note=note or "Signed off by the governance board.",
        prepare=sign,
    )


# -- 9.3.3: outputs as tracked actions ---------------------------------------------------------------------

ACTION_FIELDS = ["title", "review", "kind", "description", "due_on", "status", "completed_on", "owner",
                 "review_cadence", "next_review_on"]  # fmt: skip


class ReviewActionServices(RecordServices):
    def derive(self, fields: dict, record) -> dict:
        # Done today unless said otherwise; reopened means not completed.
        status = fields.get("status", record.status if record else ReviewAction.Status.OPEN)
        if (
            status == ReviewAction.Status.DONE
            and not fields.get("completed_on")
            and not (record and record.completed_on)
        ):
            fields["completed_on"] = timezone.localdate()
        elif status != ReviewAction.Status.DONE and "status" in fields:
            fields["completed_on"] = None
        if record is not None and "review" in fields and fields["review"] != record.review:
            raise ValidationError({"review": "An action stays with the review that decided it."})
        return fields

    def archive(self, record, *, actor, expected_version: int):
        # An output of a signed-off review is closed as done or cancelled instead (ReviewActionPolicy).
        require(policy_of(record), "archive", actor, record)
        return super().archive(record, actor=actor, expected_version=expected_version)


action_services = ReviewActionServices(ReviewAction, ACTION_FIELDS)

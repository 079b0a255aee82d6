"""The approval lifecycle of documents the board signs off (scope statement 4.3, policies 5.2, the SoA):
draft -> in review -> approved (frozen as a numbered version) -> published -> revised or retired.

Content changes only in a draft (RecordServices.update refuses otherwise); every step is a history
entry; approval follows the four-eyes rule of aims.permissions (the board, never the owner)."""

import difflib
import re
from html import escape

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from aims.actions import Input, RecordAction
from aims.models import Lifecycle, RecordVersion
from aims.policies import allows, policy_of, require
from aims.records import Action, display_value, tracked_fields, update_record

# Fields of the base record that are bookkeeping, not content: never part of a frozen version.
NOT_CONTENT = {"owner", "review_cadence", "next_review_on", "requirements", "status", "version_number"}
NOT_CONTENT |= {"published_on"}


def content_fields(model) -> list:
    names = model.versioned_fields
    fields = [f for f in tracked_fields(model) if f.name not in NOT_CONTENT]
    return [f for f in fields if f.name in names] if names else fields


# What a register adds to the publishing of its documents, declared by its app (never set on the model):
_frozen_content: dict[str, object] = {}  # "app.Model" -> callable(record) -> content, as freeze() returns
_on_publish: dict[str, object] = {}  # "app.Model" -> callable(record, *, actor) run once it is published


def freeze_content_with(model_label: str, content) -> None:
    """A document whose content lives in rows of its own (the SoA's entries, an assessment's harms) is
    frozen by `content(record)`, returning the shape freeze() returns."""
    _frozen_content[model_label.lower()] = content


def when_published(model_label: str, hook) -> None:
    """Run `hook(record, actor=...)` each time a record of `model_label` is published (a policy asks its
    readers to acknowledge it)."""
    _on_publish[model_label.lower()] = hook


def freeze(record) -> list[dict]:
    """The content as approved: a list (not a mapping: PostgreSQL's jsonb would reorder the keys) of
    {"field", "label", "value"} in the form's order."""
    own = _frozen_content.get(record._meta.label_lower)
    if own is not None:
        return own(record)
    return [
        {"field": f.name, "label": capfirst(str(f.verbose_name)), "value": display_value(record, f)}
        for f in content_fields(type(record))
    ]


def versions(record):
    return RecordVersion.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
    ).select_related("approved_by")


def _step(record, *, actor, expected_version, action, status, note="", also=None):
    def prepare(locked, before):
        locked.status = status
        if also:
            also(locked)

    return update_record(
        record,
        actor=actor,
        expected_version=expected_version,
        fields={},
        action=action,
        note=note,
        prepare=prepare,
    )


@transaction.atomic
def submit(record, *, actor, expected_version):
    """The owner (or a delegate) sends the draft to the board."""
    require(policy_of(record), "submit", actor, record)
    return _step(
        record,
        actor=actor,
        expected_version=expected_version,
        action=Action.SUBMITTED,
        status=Lifecycle.IN_REVIEW,
    )


@transaction.atomic
def send_back(record, *, actor, expected_version, reason):
    """The board returns a draft it will not approve, saying why."""
    require(policy_of(record), "send_back", actor, record)
    return _step(
        record,
        actor=actor,
        expected_version=expected_version,
        action=Action.RETURNED,
        status=Lifecycle.DRAFT,
        note=reason,
    )


@transaction.atomic
def approve(record, *, actor, expected_version, change_summary=""):
    """The board approves what is in review; its content is frozen as the next numbered version."""
    require(policy_of(record), "approve", actor, record)
    now = timezone.now()

    def number_it(locked):
        locked.version_number += 1
        RecordVersion.objects.create(
            content_type=ContentType.objects.get_for_model(type(locked)),
            object_id=locked.pk,
            number=locked.version_number,
            title=locked.title,
            content=freeze(locked),
            change_summary=change_summary[:500],
            approved_by=actor,
            approved_at=now,
        )

    return _step(
        record,
        actor=actor,
        expected_version=expected_version,
        action=Action.APPROVED,
        status=Lifecycle.APPROVED,
        note=change_summary,
        also=number_it,
    )


@transaction.atomic
def publish(record, *, actor, expected_version):
    """The approved version goes out; the one published before it is superseded."""
    require(policy_of(record), "publish", actor, record)
    now = timezone.now()

    def stamp(locked):
        locked.published_on = timezone.localdate()
        current = versions(locked)
        current.filter(published_at__isnull=False, retired_at__isnull=True).update(retired_at=now)
        current.filter(number=locked.version_number).update(published_at=now, retired_at=None)

    record = _step(
        record,
        actor=actor,
        expected_version=expected_version,
        action=Action.PUBLISHED,
        status=Lifecycle.PUBLISHED,
        also=stamp,
    )
    on_publish = _on_publish.get(record._meta.label_lower)
    if on_publish is not None:
        on_publish(record, actor=actor)
    return record


@transaction.atomic
def revise(record, *, actor, expected_version):
    """Start the next version: the record becomes a draft again; the published version stays in force."""
    require(policy_of(record), "revise", actor, record)
    return _step(
        record, actor=actor, expected_version=expected_version, action=Action.REVISED, status=Lifecycle.DRAFT
    )


@transaction.atomic
def retire(record, *, actor, expected_version, reason):
    """Withdrawn for good (superseded by another document, or no longer needed); history stays."""
    require(policy_of(record), "retire", actor, record)
    now = timezone.now()
    return _step(
        record,
        actor=actor,
        expected_version=expected_version,
        action=Action.RETIRED,
        status=Lifecycle.RETIRED,
        note=reason,
        also=lambda locked: versions(locked).filter(retired_at__isnull=True).update(retired_at=now),
    )


def published_version(record):
    """The version in force: published and not superseded or retired."""
    return next(iter(in_force(record)), None)


def in_force(record):
    """The version in force as a queryset of at most one, for a page to ask with its other reads."""
    found = versions(record).filter(published_at__isnull=False, retired_at__isnull=True)
    return (found if found.ordered else found.order_by("pk"))[:1]


def lifecycle_actions() -> list[RecordAction]:
    """The buttons and API endpoints of a publishable register (see aims.actions)."""
    return [
        RecordAction(
            "submit",
            "Submit for approval",
            submit,
            lambda u, r: allows("submit", u, r),
            done="{reference} is with the governance board for approval.",
            style="primary",
        ),
        RecordAction(
            "approve",
            "Approve",
            approve,
            lambda u, r: allows("approve", u, r),
            done="{reference} approved; its content is frozen as a new version.",
            inputs=(Input("change_summary", "What changed and why", required=False),),
            style="primary",
        ),
        RecordAction(
            "send-back",
            "Send back",
            send_back,
            lambda u, r: allows("send_back", u, r),
            done="{reference} returned to its owner as a draft.",
            inputs=(Input("reason", "What must change before approval"),),
        ),
        RecordAction(
            "publish",
            "Publish",
            publish,
            lambda u, r: allows("publish", u, r),
            done="{reference} published.",
            style="primary",
            confirm="Publish this version? It replaces the version in force for everyone.",
        ),
        RecordAction(
            "revise",
            "Start a revision",
            revise,
            lambda u, r: allows("revise", u, r),
            done="{reference} is a draft again; the published version stays in force until the next one.",
        ),
        RecordAction(
            "retire",
            "Retire",
            retire,
            lambda u, r: allows("retire", u, r),
            done="{reference} retired.",
            inputs=(Input("reason", "Why it is retired"),),
            style="danger",
            confirm="Retire it for good? It can no longer be revised or published; its history stays.",
        ),
    ]


# Words, runs of punctuation and runs of whitespace: "OCR;" differs from "OCR" by the ";" alone.
TOKENS = re.compile(r"\w+|[^\w\s]+|\s+")


def _word_diff(old: str, new: str) -> str:
    """Words removed in <del>, added in <ins>; whitespace and line breaks kept; everything escaped."""
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def compare(older: list[dict], newer: list[dict]) -> list[dict]:
    """Two frozen contents side by side, field by field, with a word diff where they differ."""
    before = {item["field"]: item for item in older}
    after = {item["field"]: item for item in newer}
    rows = []
    for name in dict.fromkeys([*after, *before]):
        a = before.get(name, {}).get("value", "")
        b = after.get(name, {}).get("value", "")
        rows.append(
            {
                "label": (after.get(name) or before.get(name))["label"],
                "old": a,
                "new": b,
                "changed": a != b,
                "diff": mark_safe(_word_diff(a, b)) if a != b else "",  # noqa: S308 - escaped there
            }
        )
    return rows

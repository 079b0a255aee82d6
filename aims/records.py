"""Services every register shares: references, history, optimistic concurrency, archive.

A register's own services (registers.services.risk_create ...) validate their rules and call these;
views, the API, Celery tasks and management commands all go through them."""

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import capfirst

from aims.models import Change, ReferenceCounter, Requirement

Action = Change.Action


class StaleEdit(Exception):
    """The record changed since the editor loaded it; nothing was saved."""

    def __init__(self, record, expected_version: int):
        self.record = record
        self.expected_version = expected_version
        self.changes = list(
            history(record).filter(version__gt=expected_version).select_related("actor").order_by("version")
        )
        super().__init__(self.message)

    @property
    def message(self) -> str:
        parts = [
            f"{c.actor or 'someone'} ({c.get_action_display().lower()} "
            f"{timezone.localtime(c.at):%Y-%m-%d %H:%M}: {c.field_labels or 'no field changes'})"
            for c in self.changes
        ]
        who = "; ".join(parts) or "another user"
        return (
            f"{self.record.reference} was changed since you opened it (your version {self.expected_version}, "
            f"now {self.record.version}) by {who}. Nothing was saved: reload to see their changes, then "
            f"make yours again."
        )

    def as_dict(self) -> dict:
        return {
            "detail": self.message,
            "current_version": self.record.version,
            "changes_since": [
                {
                    "version": c.version,
                    "action": c.action,
                    "by": str(c.actor) if c.actor else None,
                    "at": c.at.isoformat(),
                    "changes": c.changes,
                }
                for c in self.changes
            ],
        }


def next_reference(prefix: str) -> str:
    with transaction.atomic():
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(prefix=prefix)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{prefix}-{counter.last:04d}"


def tracked_fields(model) -> list:
    """Fields whose changes are shown in history: editable fields plus requirement links."""
    skip = set(model.history_exclude)
    return [
        f
        for f in model._meta.get_fields()
        if (getattr(f, "editable", False) or f.name in model.history_extra)
        and not f.auto_created
        and f.concrete
        and f.name not in skip
        and f.name not in ("id",)
    ]


def display_value(obj, field) -> str:
    if field.many_to_many:
        return ", ".join(sorted(str(getattr(r, "code", r)) for r in getattr(obj, field.name).all()))
    value = getattr(obj, field.name)
    if value is None or value == "":
        return ""
    display = getattr(obj, f"get_{field.name}_display", None)  # choices, or a model's own wording
    if display is not None:
        return str(display())
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):  # 98.0000 as stored reads 98; 0.8123 stays as it is
        return f"{value.normalize():f}"
    if isinstance(value, list):  # JSON lists of choices (AI roles, roles asked to acknowledge)
        return ", ".join(map(str, value))
    if isinstance(value, models.fields.files.FieldFile):
        return getattr(obj, f"{field.name}_name", "") or value.name
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def snapshot(obj) -> dict[str, str]:
    return {f.name: display_value(obj, f) for f in tracked_fields(type(obj))}


def diff(model, before: dict, after: dict) -> list[dict]:
    labels = {f.name: capfirst(str(f.verbose_name)) for f in tracked_fields(model)}
    return [
        {"field": name, "label": labels.get(name, name), "old": before.get(name, ""), "new": new}
        for name, new in after.items()
        if before.get(name, "") != new
    ]


def history(obj):
    return Change.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk)


def record_change(obj, *, actor, action: str, changes: list[dict], note: str = "") -> Change:
    """Write a history entry (sealed: aims.history_chain) and raise the change as an event for whoever
    subscribed to it (aims.webhooks), in the same transaction."""
    from aims import webhooks

    webhooks.record_event(obj, action, actor)
    return Change.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        version=obj.version,
        action=action,
        actor=actor,
        changes=changes,
        note=note[:500],
    )


def _first_review(obj) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=obj.review_cadence)


def _split_links(model, fields: dict, requirements) -> tuple[dict, dict]:
    """Many-to-many values (requirements, links to other records) are set after the row exists."""
    m2m_names = {f.name for f in model._meta.many_to_many}
    links = {k: v for k, v in fields.items() if k in m2m_names and v is not None}
    if requirements is not None:
        links["requirements"] = requirements
    return {k: v for k, v in fields.items() if k not in m2m_names}, links


class StaleRow(StaleEdit):
    """A row that carries its own version but no history of its own (a checklist item, an audit
    programme line: their changes are in the parent record's history) changed since it was opened."""

    what = "This item"  # how the message names the row
    opened = "it"  # what the person opened: the row, or the page holding it

    def __init__(self, row, expected_version: int):
        self.record, self.expected_version, self.changes = row, expected_version, []
        Exception.__init__(self, self.message)

    @property
    def message(self) -> str:
        return (
            f"{self.what} was changed since you opened {self.opened} (your version {self.expected_version}, "
            f"now {self.record.version}). Nothing was saved: reload to see the change, then make yours again."
        )


def _with_served(model, links: dict, creating: bool) -> dict:
    """A register whose records serve fixed clauses by their nature (`serves` on the model, e.g. an audit:
    9.2.1 and 9.2.2) keeps those links whatever else a record is mapped to, so the clause's page, its
    readiness and its evidence-pack folder find every such record."""
    codes = getattr(model, "serves", ())
    if not codes or ("requirements" not in links and not creating):
        return links
    served = list(Requirement.objects.mappable().filter(code__in=codes))
    given = list(links.get("requirements") or [])
    have = {getattr(r, "pk", r) for r in given}
    return {**links, "requirements": given + [r for r in served if r.pk not in have]}


@transaction.atomic
def create_record(
    model, *, actor, fields: dict, requirements=None, action: str = Action.CREATED, note: str = ""
):
    """A new record of `model` with its first history entry; `note` is what that entry says besides the
    fields (an entry is sealed when written, never amended: aims.history_chain)."""
    fields, links = _split_links(model, fields, requirements)
    links = _with_served(model, links, creating=True)
    obj = model(**fields, created_by=actor, updated_by=actor)
    obj.reference = next_reference(model.reference_prefix)
    if obj.next_review_on is None:
        obj.next_review_on = _first_review(obj)
    obj.full_clean(exclude=["reference"])
    obj.save()
    for name, values in links.items():
        getattr(obj, name).set(values)
    record_change(obj, actor=actor, action=action, changes=diff(model, {}, snapshot(obj)), note=note)
    return obj


@transaction.atomic
def update_record(
    obj,
    *,
    actor,
    expected_version: int,
    fields: dict,
    requirements=None,
    action: str = Action.UPDATED,
    note="",
    prepare=None,
    extra_changes: list[dict] | None = None,
):
    """Apply `fields` if nobody saved since `expected_version`; record what changed.

    `prepare(record, before_snapshot)` lets a register adjust dependent fields (e.g. clear a risk's
    acceptance when its residual level moves) inside the same transaction. `extra_changes` are changes
    to rows the record owns (questionnaire answers, RACI cells), made by the caller in the same
    transaction and recorded in this record's history ({"field", "label", "old", "new"} each). `note` is
    what the entry says besides them: text, or `note(record)` for what only the save decides (the file
    version an upload became), since an entry is sealed when written and never amended."""
    model = type(obj)
    fields, links = _split_links(model, fields, requirements)
    links = _with_served(model, links, creating=False)
    record = model.objects.select_for_update().get(pk=obj.pk)
    if expected_version != record.version:
        raise StaleEdit(record, expected_version)
    before = snapshot(record)
    for name, value in fields.items():
        setattr(record, name, value)
    if "next_review_on" in fields and record.next_review_on is None:
        record.next_review_on = _first_review(record)  # emptied in a form: back to the cadence
    if prepare is not None:
        prepare(record, before)
    record.full_clean(exclude=["reference"])
    for name, values in links.items():
        getattr(record, name).set(values)
    changes = diff(model, before, snapshot(record)) + list(extra_changes or [])
    if not changes and action == Action.UPDATED:
        return record
    record.version += 1
    record.updated_by = actor
    record.save()
    note = note(record) if callable(note) else note
    record_change(record, actor=actor, action=action, changes=changes, note=note)
    return record


def archive_record(obj, *, actor, expected_version: int, note: str = ""):
    return _set_archived(obj, actor=actor, expected_version=expected_version, archived=True, note=note)


def restore_record(obj, *, actor, expected_version: int, note: str = ""):
    return _set_archived(obj, actor=actor, expected_version=expected_version, archived=False, note=note)


@transaction.atomic
def _set_archived(obj, *, actor, expected_version, archived: bool, note: str):
    model = type(obj)
    record = model.objects.select_for_update().get(pk=obj.pk)
    if expected_version != record.version:
        raise StaleEdit(record, expected_version)
    old = record.archived_at
    record.archived_at = timezone.now() if archived else None
    record.version += 1
    record.updated_by = actor
    record.save()
    change = {
        "field": "archived_at",
        "label": "Archived",
        "old": display_value_dt(old),
        "new": display_value_dt(record.archived_at),
    }
    record_change(
        record,
        actor=actor,
        action=Action.ARCHIVED if archived else Action.RESTORED,
        changes=[change],
        note=note,
    )
    return record


def display_value_dt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@transaction.atomic
def mark_reviewed(obj, *, actor, expected_version: int, note: str = "", prepare=None):
    """The owner confirms the record is current; the next review moves on by the cadence. `prepare`
    changes what else a review settles (a risk's reassessment)."""
    today = timezone.localdate()

    def reviewed(record, before):
        record.last_reviewed_on = today
        if prepare is not None:
            prepare(record, before)

    return update_record(
        obj,
        actor=actor,
        expected_version=expected_version,
        fields={"next_review_on": today + dt.timedelta(days=obj.review_cadence)},
        action=Action.REVIEWED,
        note=note,
        prepare=reviewed,
    )


def delegates(obj):
    """People holding an object-level change grant on `obj` (django-guardian), besides its owner."""
    from guardian.shortcuts import get_users_with_perms

    codename = f"change_{obj._meta.model_name}"
    users = get_users_with_perms(
        obj, only_with_perms_in=[codename], with_group_users=False, with_superusers=False
    )
    return users.order_by("username")


@transaction.atomic
def set_delegates(obj, *, actor, users) -> None:
    """Grant or withdraw delegated change rights; the record's history says who did it and to whom."""
    from guardian.shortcuts import assign_perm, remove_perm

    codename = f"{obj._meta.app_label}.change_{obj._meta.model_name}"
    before = {u.pk: u for u in delegates(obj)}
    wanted = {u.pk: u for u in users if u.pk != obj.owner_id}
    for pk in before.keys() - wanted.keys():
        remove_perm(codename, before[pk], obj)
    for pk in wanted.keys() - before.keys():
        assign_perm(codename, wanted[pk], obj)
    if before.keys() != wanted.keys():
        names = lambda people: ", ".join(sorted(str(p) for p in people.values()))  # noqa: E731
        record_change(
            obj,
            actor=actor,
            action=Action.UPDATED,
            changes=[
                {"field": "delegates", "label": "Delegates", "old": names(before), "new": names(wanted)}
            ],
        )

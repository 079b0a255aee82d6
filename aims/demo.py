"""The demo organisation's ledger (aims.models.DemoRecord): each app's demo seeder asks it whether a record
was made before, finds the records it builds on, and records what it makes. Keys are the model and the
title the demo gave a record, so a record people renamed, archived or deleted is still "made before":
loading the demo again skips it rather than making it twice, bringing it back or undoing an edit."""

from django.contrib.contenttypes.models import ContentType

from aims.models import DemoRecord


def _key(model, title: str) -> str:
    return f"{model._meta.label_lower}:{title}"[:300]


def seeded(model, title: str) -> bool:
    """Whether the demo made this record before, whatever became of it since. A demo loaded before the
    ledger existed left no entry: a record of that title counts as the demo's (and is entered)."""
    if DemoRecord.objects.filter(key=_key(model, title)).exists():
        return True
    found = model._default_manager.filter(title=title).order_by("pk").first()
    if found is not None:
        remember(found, title)
    return found is not None


def remember(record, title: str | None = None, *, model=None):
    """Enter a record the demo just made (under the title the demo gave it); returns the record."""
    model = model or type(record)
    DemoRecord.objects.update_or_create(
        key=_key(model, title if title is not None else record.title),
        defaults={
            "content_type": ContentType.objects.get_for_model(model),
            "object_id": getattr(record, "pk", None),
        },
    )
    return record


def find(model, title: str, *, live: bool = True, by: str = "title"):
    """The record the demo made under this title, however it is called now; None if it was deleted (or,
    with live, archived). Before the ledger knew it, the record whose `by` field holds that title."""
    entry = DemoRecord.objects.filter(key=_key(model, title)).first()
    queryset = model._default_manager.all()
    if live and hasattr(queryset, "live"):
        queryset = queryset.live()
    if entry is None:
        return queryset.filter(**{by: title}).order_by("pk").first()
    if entry.object_id is None:
        return None
    return queryset.filter(pk=entry.object_id).first()


def first_time(step: str) -> bool:
    """True the first time the demo takes a step that changes records it did not make itself (linking
    systems named in text, acknowledging a policy, ...), and False on every later run."""
    _entry, created = DemoRecord.objects.get_or_create(key=f"step:{step}"[:300])
    return created

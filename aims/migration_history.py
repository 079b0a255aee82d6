"""History for what a data migration changes on a record: the record's version moves on and one entry
says what changed, so no change is silent (DESIGN.md: every change to a record is in its history).

Written for migrations: it takes the migration's `apps` and works on the historical models it hands out."""


def record_in_history(apps, record, *, note: str = "", changes=(), actor_id=None) -> None:
    """Move `record` (a historical model instance) to its next version and write that version's entry."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Change = apps.get_model("aims", "Change")
    meta = record._meta
    content_type, _ = ContentType.objects.get_or_create(app_label=meta.app_label, model=meta.model_name)
    record.version += 1
    type(record)._base_manager.filter(pk=record.pk).update(version=record.version)
    entry = Change(
        content_type=content_type, object_id=record.pk, version=record.version, action="updated",
        actor_id=actor_id, changes=list(changes), note=note[:500],
    )  # fmt: skip
    # Sealed like every entry once the history has seals (aims 0014); a migration that runs before that
    # leaves the entry for 0014 to seal with the rest. A migration written later that writes history must
    # depend on aims 0014 or after.
    if any(f.name == "seal" for f in Change._meta.get_fields()):
        from aims import history_chain

        history_chain.seal_new(Change, [entry], Change.objects.db)
    entry.save()

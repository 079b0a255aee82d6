"""Seal the history (aims.history_chain): each entry gets the seal of the one before it in its record's
history and a seal of its own, written here for every entry already there, chain by chain in the order
they were written.

It depends on the migrations of other apps that write history (aims.migration_history), so that they
have written theirs before it seals the lot."""

import django.db.models.deletion
from django.conf import settings
from django.db import connections, migrations, models
from django.utils import timezone


def seal_existing(apps, schema_editor):
    from aims import history_chain

    Change = apps.get_model("aims", "Change")
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.using(alias)}
    rows = Change.objects.using(alias).order_by("content_type_id", "object_id", "id")
    chain, previous, batch = None, history_chain.GENESIS, []
    for entry in rows.iterator(chunk_size=5000):
        if (entry.content_type_id, entry.object_id) != chain:
            chain, previous = (entry.content_type_id, entry.object_id), history_chain.GENESIS
        entry.previous = previous
        entry.seal = previous = history_chain.entry_seal(entry, labels[entry.content_type_id], previous)
        batch.append(entry)
        if len(batch) >= 5000:
            _write(Change, alias, batch)
            batch = []
    _write(Change, alias, batch)


def _write(Change, alias, entries):
    """The entries' seals, in one statement per batch on PostgreSQL (bulk_update's CASE per row takes a
    minute for 100,000 entries; this, seconds)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        Change.objects.using(alias).bulk_update(entries, ["previous", "seal"])
        return
    from psycopg2.extras import execute_values

    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,  # psycopg2's own cursor: execute_values writes the VALUES list itself
            f"UPDATE {Change._meta.db_table} AS c SET previous = v.previous, seal = v.seal "
            "FROM (VALUES %s) AS v(id, previous, seal) WHERE c.id = v.id",
            [(e.pk, e.previous, e.seal) for e in entries],
            page_size=len(entries) or 1,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("aims", "0013_token_scopes"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # Every migration that writes history through aims.migration_history before seals existed.
        ("registers", "0010_link_named_systems"),
        ("lifecycle", "0009_annex_iii_point_5_reanswer"),
        ("audits", "0006_soa_evidence_links"),
        ("reviews", "0005_link_source_text"),
    ]

    operations = [
        migrations.AlterField(
            model_name="change",
            name="at",
            field=models.DateTimeField(default=timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="change",
            name="previous",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="change",
            name="seal",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="change",
            name="actor",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]

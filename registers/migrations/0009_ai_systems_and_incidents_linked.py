"""Risks and concerns link the AI systems of the inventory, and a concern the incident it became. The
links are filled from the old text by the next migration (0010), which the one after (0011) removes:
three migrations, because PostgreSQL refuses to index or alter a table in the transaction that changed
its rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lifecycle", "0004_stakeholder_publishing"),
        ("registers", "0008_readiness"),
    ]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="incident",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="concerns",
                to="lifecycle.incident",
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="system_note",
            field=models.CharField(
                blank=True,
                help_text="Name it here if it is not in the list above (it may not be in the inventory yet).",
                max_length=200,
                verbose_name="AI system not in the list",
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="systems",
            field=models.ManyToManyField(
                blank=True,
                help_text="The AI systems it is about, from the inventory.",
                related_name="concerns",
                to="lifecycle.aisystem",
                verbose_name="AI systems",
            ),
        ),
        migrations.AddField(
            model_name="risk",
            name="system_note",
            field=models.CharField(
                blank=True,
                help_text="A system not in the inventory, as it was named. Choose it above once it is listed.",
                max_length=200,
                verbose_name="AI system named in text",
            ),
        ),
        migrations.AddField(
            model_name="risk",
            name="systems",
            field=models.ManyToManyField(
                blank=True,
                help_text="The AI systems this risk concerns; none for a risk to the whole AIMS.",
                related_name="risks",
                to="lifecycle.aisystem",
                verbose_name="AI systems",
            ),
        ),
        migrations.AlterField(
            model_name="concern",
            name="incident_reference",
            field=models.CharField(
                blank=True, editable=False, max_length=100, verbose_name="incident named in text"
            ),
        ),
    ]

"""Where a nonconformity was found and which audits a lesson came from become links: the fields, then
0005 matches the old texts to records (two migrations: PostgreSQL cannot index a column of a table whose
rows the same transaction just changed)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0004_programme_line_version"),
        ("reviews", "0003_nonconformity_finding"),
    ]

    operations = [
        migrations.RenameField(
            model_name="nonconformity", old_name="source_reference", new_name="source_note"
        ),
        migrations.AlterField(
            model_name="nonconformity",
            name="source_note",
            field=models.CharField(
                blank=True,
                help_text="When no record above names the source: an external audit, a phone complaint.",
                max_length=100,
                verbose_name="where it was found (note)",
            ),
        ),
        migrations.RenameField(model_name="lesson", old_name="audit_reference", new_name="audit_note"),
        migrations.AlterField(
            model_name="lesson",
            name="audit_note",
            field=models.CharField(
                blank=True,
                help_text="An audit that is not in the audit register, e.g. the certification body's stage 1 audit.",
                max_length=100,
                verbose_name="audit (note)",
            ),
        ),
        migrations.AddField(
            model_name="lesson",
            name="audits",
            field=models.ManyToManyField(
                blank=True, related_name="lessons", to="audits.audit", verbose_name="internal audits"
            ),
        ),
        migrations.AddField(
            model_name="nonconformity",
            name="audit",
            field=models.ForeignKey(
                blank=True,
                help_text="The internal audit that found it; set from the finding when raised from one.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="nonconformities",
                to="audits.audit",
                verbose_name="internal audit",
            ),
        ),
        migrations.AddField(
            model_name="nonconformity",
            name="review",
            field=models.ForeignKey(
                blank=True,
                help_text="The management review at which it was raised.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="nonconformities",
                to="reviews.managementreview",
                verbose_name="management review",
            ),
        ),
    ]

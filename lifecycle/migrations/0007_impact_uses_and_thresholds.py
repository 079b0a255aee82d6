"""ISO/IEC 42005 in the impact assessment itself: unintended uses, reasonably foreseeable misuse and system
failures, frozen with the assessment once approved; the organisation's thresholds for sensitive and
restricted uses (one row, defaults: sensitive from harm severity 4, restricted from 5), the copy each
assessment keeps of them, and its conclusion against them.

Drafts take the misuse their AI system's record names and the default thresholds, each noted in their
history. Assessments already submitted or approved are left as they are: what the board saw did not
include these, and their page says the thresholds were not recorded."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from aims.migration_history import record_in_history

SENSITIVE, RESTRICTED = 4, 5


def fill_drafts(apps, schema_editor):
    ImpactThresholds = apps.get_model("lifecycle", "ImpactThresholds")
    ImpactThresholds.objects.get_or_create(pk=1)
    ImpactAssessment = apps.get_model("lifecycle", "ImpactAssessment")
    for record in ImpactAssessment.objects.filter(status="draft").select_related("system").order_by("pk"):
        record.foreseeable_misuse = record.system.foreseeable_misuse
        record.sensitive_from, record.restricted_from = SENSITIVE, RESTRICTED
        record.save(update_fields=["foreseeable_misuse", "sensitive_from", "restricted_from"])
        changes = [
            {"field": "sensitive_from", "label": "Sensitive use from harm severity", "old": "", "new": "4"},
            {"field": "restricted_from", "label": "Restricted use from harm severity", "old": "", "new": "5"},
        ]
        if record.foreseeable_misuse:
            changes.insert(0, {"field": "foreseeable_misuse", "label": "Reasonably foreseeable misuse",
                               "old": "", "new": record.foreseeable_misuse[:500]})  # fmt: skip
        note = "The misuse the AI system's record names, and the organisation's default thresholds."
        record_in_history(apps, record, note=note, changes=changes)


class Migration(migrations.Migration):
    dependencies = [
        ("lifecycle", "0006_bias_favourable_outcome"),
        ("aims", "0006_notify_as_it_happens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImpactThresholds",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "sensitive_from",
                    models.PositiveSmallIntegerField(
                        default=4,
                        help_text="A harm this severe or more makes the use sensitive.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="sensitive use from harm severity",
                    ),
                ),
                (
                    "restricted_from",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="A harm this severe or more makes the use restricted.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="restricted use from harm severity",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "thresholds for sensitive and restricted uses",
                "verbose_name_plural": "thresholds for sensitive and restricted uses",
            },
        ),
        migrations.AddField(
            model_name="impactassessment",
            name="unintended_uses",
            field=models.TextField(
                blank=True,
                help_text="Uses the system was not designed for that people could still put it to, and their effects.",
                verbose_name="unintended uses",
            ),
        ),
        migrations.AddField(
            model_name="impactassessment",
            name="foreseeable_misuse",
            field=models.TextField(
                blank=True,
                help_text="Left empty on a new assessment, it is copied from the AI system's record; the assessment "
                "keeps its own from then on.",
                verbose_name="reasonably foreseeable misuse",
            ),
        ),
        migrations.AddField(
            model_name="impactassessment",
            name="failures",
            field=models.TextField(
                blank=True,
                help_text="How the system can fail (wrong, missing or late outputs, outages) and what that does to people.",
                verbose_name="system failures and their effects",
            ),
        ),
        migrations.AddField(
            model_name="impactassessment",
            name="sensitive_from",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="sensitive use from harm severity"
            ),
        ),
        migrations.AddField(
            model_name="impactassessment",
            name="restricted_from",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="restricted use from harm severity"
            ),
        ),
        migrations.AddField(
            model_name="impactassessment",
            name="use_conclusion",
            field=models.CharField(
                blank=True,
                choices=[
                    ("ordinary", "Neither sensitive nor restricted"),
                    ("sensitive", "Sensitive use"),
                    ("restricted", "Restricted use"),
                ],
                max_length=10,
                verbose_name="conclusion against the thresholds",
            ),
        ),
        migrations.AddField(
            model_name="impactassessment",
            name="use_conclusion_reason",
            field=models.TextField(
                blank=True,
                help_text="Needed when the conclusion is lower than the harms' severity reaches.",
                verbose_name="reasons for the conclusion",
            ),
        ),
        migrations.RunPython(fill_drafts, migrations.RunPython.noop),
    ]

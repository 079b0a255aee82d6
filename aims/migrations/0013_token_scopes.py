"""Tokens that do only their job: read-only or read-write, limited to registers, expiring.

Tokens made before this could do everything their person could, for ever. They keep writing (taking
that away would break integrations without warning) and get the default lifetime from today, so that
their owners see an expiry date and nothing stops working tonight."""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def expire_in_90_days(apps, schema_editor):
    ApiToken = apps.get_model("aims", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=90), writes=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("aims", "0012_plural_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="writes",
            field=models.BooleanField(
                default=False,
                help_text="Whether the token may create, change and archive records, not only read.",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="registers",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Model labels of the registers it is limited to; empty: all.",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(expire_in_90_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("review_due", "Review due"),
                    ("escalation", "Overdue review escalated"),
                    ("above_appetite", "Risk above appetite"),
                    ("job_done", "Job finished"),
                    ("acknowledge", "Policy to acknowledge"),
                    ("concern_triaged", "Your concern was triaged"),
                    ("training_expiry", "Training expiring"),
                    ("finding_raised", "Audit finding to answer"),
                    ("raised_from", "Raised from your record"),
                    ("token_revoked", "API token revoked"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]

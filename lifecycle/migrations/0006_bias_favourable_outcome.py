"""A bias assessment names the predicted value that is the favourable outcome; its rates count it.
Assessments measured before it was asked counted predicted 1: each gets 1, and its history says that this
was assumed, not chosen, so its owner can check it (a fraud flag or a rejection is favourable at 0)."""

from django.db import migrations, models

from aims.migration_history import record_in_history

ASSUMED = (
    "Favourable outcome set to predicted 1: assumed, as every assessment measured before the question was "
    "asked counted predicted 1 as favourable. If 0 is favourable here (a fraud flag, a rejection), change it."
)


def assume_one(apps, schema_editor):
    BiasAssessment = apps.get_model("lifecycle", "BiasAssessment")
    for record in BiasAssessment.objects.order_by("pk"):
        change = {"field": "favourable_outcome", "label": "Favourable outcome", "old": "",
                  "new": "predicted 1 (assumed)"}  # fmt: skip
        record_in_history(apps, record, note=ASSUMED, changes=[change])


class Migration(migrations.Migration):
    dependencies = [
        ("lifecycle", "0005_soa_evidence_note"),
        ("aims", "0006_notify_as_it_happens"),
    ]

    operations = [
        migrations.AddField(
            model_name="biasassessment",
            name="favourable_outcome",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (1, "predicted 1 (approved, shortlisted, offered)"),
                    (0, "predicted 0 (not flagged, not rejected)"),
                ],
                default=1,
                help_text="The predicted value people want: selection rates and the four-fifths ratio count it. "
                "For a fraud flag or a rejection it is 0.",
                verbose_name="favourable outcome",
            ),
        ),
        migrations.RunPython(assume_one, migrations.RunPython.noop),
    ]

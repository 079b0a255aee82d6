from decimal import Decimal

from django.db import migrations, models


class Migration(migrations.Migration):
    """ModelVersion's "version" hid the base record's optimistic-concurrency counter: the label moves
    to model_version and every model version gets its counter back."""

    dependencies = [("lifecycle", "0002_gates_assessments_data_bias_soa")]

    operations = [
        migrations.RemoveConstraint(model_name="modelversion", name="one_model_version_per_system"),
        migrations.RenameField(model_name="modelversion", old_name="version", new_name="model_version"),
        migrations.AlterField(
            model_name="modelversion",
            name="model_version",
            field=models.CharField(max_length=50, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="modelversion",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddConstraint(
            model_name="modelversion",
            constraint=models.UniqueConstraint(fields=("system", "model_version"), name="one_model_version_per_system"),
        ),
        migrations.AlterField(
            model_name="biasassessment",
            name="ratio_threshold",
            field=models.DecimalField(decimal_places=2, default=Decimal("0.80"), max_digits=4,
                                      verbose_name="fails below this demographic parity ratio"),
        ),
        migrations.AlterField(
            model_name="biasassessment",
            name="difference_threshold",
            field=models.DecimalField(decimal_places=2, default=Decimal("0.20"), max_digits=4,
                                      verbose_name="fails above this equalized odds difference"),
        ),
    ]  # fmt: skip

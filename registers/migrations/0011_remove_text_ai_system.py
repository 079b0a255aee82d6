"""The free-text AI system of risks and concerns, now links (0010), goes. A migration of its own: in one
transaction PostgreSQL refuses to alter a table whose rows 0010 has just changed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0010_link_named_systems"),
    ]

    operations = [
        # A default, so that undoing this migration can add the column back to existing rows.
        migrations.AlterField(
            model_name="concern",
            name="ai_system",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="AI system"),
        ),
        migrations.RemoveField(
            model_name="concern",
            name="ai_system",
        ),
        migrations.RemoveField(
            model_name="risk",
            name="ai_system",
        ),
    ]

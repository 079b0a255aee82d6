"""An index on the risk-to-requirement links in (requirement, risk) order: the SoA's page reads the first
few live risks calling for each control off it, an index probe each, not every link of the register.
The link table is Django's own for Risk.requirements, so the index is plain SQL (PostgreSQL and SQLite
both take it)."""

from django.db import migrations

INDEX = "registers_risk_req_by_requirement"


class Migration(migrations.Migration):
    dependencies = [("registers", "0018_risk_summary_index")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON registers_risk_requirements (requirement_id, risk_id)",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]

"""Risks and concerns named their AI system in free text; they now link to the inventory. Text the
inventory matches (by reference, title, or title without its bracketed part: aims.system_names) becomes
links; what it does not stays in `system_note`, shown on the record, and `manage.py unmatched_systems`
lists it. Nothing is lost: each record's history notes the text it had. A concern triaged as an incident
stored the incident's reference as text; where it names an incident in the register, it becomes a link."""

import re

from django.db import migrations

from aims.migration_history import record_in_history
from aims.system_names import SystemIndex

INCIDENT_REFERENCE = re.compile(r"\bINC-\d{4,}\b", re.IGNORECASE)


def link_named_systems(apps, schema_editor):
    AISystem = apps.get_model("lifecycle", "AISystem")
    Incident = apps.get_model("lifecycle", "Incident")
    index = SystemIndex(AISystem.objects.all())
    for model_name in ("Risk", "Concern"):
        Model = apps.get_model("registers", model_name)
        for record in Model.objects.exclude(ai_system="").order_by("pk"):
            match = index.match(record.ai_system)
            record.system_note = match.leftover
            record.save(update_fields=["system_note"])
            record.systems.set(match.systems)
            linked = ", ".join(s.reference for s in match.systems) or "none"
            kept = f"; kept as text: {match.leftover!r}" if match.leftover else ""
            note = f"AI system {record.ai_system!r} linked to the inventory: {linked}{kept}."
            record_in_history(apps, record, note=note)
    Concern = apps.get_model("registers", "Concern")
    for concern in Concern.objects.exclude(incident_reference="").order_by("pk"):
        found = INCIDENT_REFERENCE.search(concern.incident_reference)
        incident = Incident.objects.filter(reference__iexact=found.group(0)).first() if found else None
        if incident is None:
            continue
        concern.incident = incident
        if concern.incident_reference.strip().upper() == incident.reference:
            concern.incident_reference = ""  # it said nothing but the reference
        concern.save(update_fields=["incident", "incident_reference"])
        record_in_history(apps, concern, note=f"Incident {incident.reference} linked from the triage's text.")


def unlink_named_systems(apps, schema_editor):
    """Back to text: the linked systems' titles, then whatever was kept as text."""
    for model_name in ("Risk", "Concern"):
        Model = apps.get_model("registers", model_name)
        for record in Model.objects.all():
            names = [s.title for s in record.systems.all()] + (
                [record.system_note] if record.system_note else []
            )
            record.ai_system = "; ".join(names)[:200]
            record.save(update_fields=["ai_system"])
    Concern = apps.get_model("registers", "Concern")
    for concern in Concern.objects.filter(incident__isnull=False, incident_reference=""):
        concern.incident_reference = concern.incident.reference
        concern.save(update_fields=["incident_reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0009_ai_systems_and_incidents_linked"),
    ]

    operations = [
        migrations.RunPython(link_named_systems, unlink_named_systems),
    ]

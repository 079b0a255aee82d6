"""ISO/IEC 27001:2022 9.3.2 is "related" to ISO/IEC 42001 9.3.2, not "equivalent": 27001 asks for review
inputs 42001 does not list. Strength and note come from aims.crosswalk_data, as the catalogue loads them."""

from django.db import migrations

from aims.crosswalk_data import ISO27001, ISO42001

CODE = "9.3.2"


def fix(apps, schema_editor):
    strength, note = next(row[5:] for row in ISO27001 if row[0] == CODE)
    apps.get_model("aims", "Crosswalk").objects.filter(
        source__standard__key="iso27001", source__code=CODE, target__standard__key=ISO42001, target__code=CODE
    ).update(strength=strength, note=note)


class Migration(migrations.Migration):
    dependencies = [("aims", "0007_nist_published_crosswalk")]
    operations = [migrations.RunPython(fix, migrations.RunPython.noop)]

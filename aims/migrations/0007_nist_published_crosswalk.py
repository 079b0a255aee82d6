"""Every pair of the NIST AI RMF to ISO/IEC 42001 crosswalk NIST publishes (aims/data/), each a "related"
link whose note names NIST's publication, where the catalogue held 20 of its 72 subcategories. Our own
category-level pairs stay "analytical". Running it again changes nothing."""

from django.db import migrations

from aims.crosswalk_data import ISO42001, NIST_PUBLISHED, RELATED, nist_published_pairs


def load(apps, schema_editor):
    Requirement = apps.get_model("aims", "Requirement")
    Crosswalk = apps.get_model("aims", "Crosswalk")
    subcategories = {
        r.code: r for r in Requirement.objects.filter(standard__key="nistairmf", kind="requirement")
    }
    ours = {r.code: r for r in Requirement.objects.filter(standard__key=ISO42001)}
    for subcategory, code, listed in nist_published_pairs():
        Crosswalk.objects.update_or_create(
            source=subcategories[subcategory],
            target=ours[code],
            defaults={"strength": RELATED, "note": NIST_PUBLISHED.format(listed)},
        )


class Migration(migrations.Migration):
    dependencies = [("aims", "0006_notify_as_it_happens")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

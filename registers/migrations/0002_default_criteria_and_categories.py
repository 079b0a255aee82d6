from django.db import migrations
from django.utils.text import slugify

CATEGORIES = [
    "Bias and fairness",
    "Safety",
    "Privacy",
    "Security",
    "Transparency and explainability",
    "Accountability",
    "Legal and regulatory",
    "Operational",
    "Reputational",
]


def load(apps, schema_editor):
    RiskCategory = apps.get_model("registers", "RiskCategory")
    RiskCriteria = apps.get_model("registers", "RiskCriteria")
    for position, name in enumerate(CATEGORIES):
        RiskCategory.objects.get_or_create(slug=slugify(name), defaults={"name": name, "position": position})
    RiskCriteria.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("registers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

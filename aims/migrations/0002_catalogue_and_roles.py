"""Loads the ISO/IEC 42001 catalogue and creates the four role groups."""

from django.db import migrations

from aims import roles
from aims.catalogue_data import REQUIREMENTS, STANDARD


def load(apps, schema_editor):
    Standard = apps.get_model("aims", "Standard")
    Requirement = apps.get_model("aims", "Requirement")
    Group = apps.get_model("auth", "Group")
    standard, _ = Standard.objects.update_or_create(
        key=STANDARD["key"],
        defaults={k: STANDARD[k] for k in ("name", "title", "edition")},
    )
    by_code = {}
    for position, (code, parent, kind, title, summary) in enumerate(REQUIREMENTS, start=1):
        by_code[code], _ = Requirement.objects.update_or_create(
            key=f"{standard.key}:{code}",
            defaults={
                "standard": standard,
                "code": code,
                "parent": by_code.get(parent),
                "kind": kind,
                "title": title,
                "summary": summary,
                "position": position,
            },
        )
    for name in roles.ALL:
        Group.objects.get_or_create(name=name)


def unload(apps, schema_editor):
    apps.get_model("aims", "Requirement").objects.filter(standard__key=STANDARD["key"]).delete()
    apps.get_model("aims", "Standard").objects.filter(key=STANDARD["key"]).delete()


class Migration(migrations.Migration):
    dependencies = [("aims", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, unload)]

"""Loads ISO/IEC 27001 (harmonized clauses), NIST AI RMF 1.0 and the EU AI Act articles, and their links
to ISO/IEC 42001, from aims.crosswalk_data."""

from django.db import migrations

from aims.crosswalk_data import ISO42001, STANDARDS, crosswalks, requirement_key, requirements


def load(apps, schema_editor):
    Standard = apps.get_model("aims", "Standard")
    Requirement = apps.get_model("aims", "Requirement")
    Crosswalk = apps.get_model("aims", "Crosswalk")
    rows = requirements()
    for data in STANDARDS:
        standard, _ = Standard.objects.update_or_create(
            key=data["key"], defaults={k: data[k] for k in ("name", "title", "edition")}
        )
        by_code = {}
        for position, (code, parent, kind, title, summary) in enumerate(rows[standard.key], start=1):
            by_code[code], _ = Requirement.objects.update_or_create(
                key=requirement_key(standard.key, code),
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
    ours = {r.code: r for r in Requirement.objects.filter(standard__key=ISO42001)}
    theirs = {
        (r.standard.key, r.code): r
        for r in Requirement.objects.filter(standard__key__in=[s["key"] for s in STANDARDS]).select_related(
            "standard"
        )
    }
    for standard_key, code, target, strength, note in crosswalks():
        Crosswalk.objects.update_or_create(
            source=theirs[(standard_key, code)],
            target=ours[target],
            defaults={"strength": strength, "note": note},
        )


def unload(apps, schema_editor):
    keys = [s["key"] for s in STANDARDS]
    apps.get_model("aims", "Crosswalk").objects.filter(source__standard__key__in=keys).delete()
    Requirement = apps.get_model("aims", "Requirement")
    # Children before parents: the parent link protects.
    for kind in ("requirement", "heading", "clause"):
        Requirement.objects.filter(standard__key__in=keys, kind=kind).delete()
    apps.get_model("aims", "Standard").objects.filter(key__in=keys).delete()


class Migration(migrations.Migration):
    dependencies = [("aims", "0004_notification_kinds")]
    operations = [migrations.RunPython(load, unload)]

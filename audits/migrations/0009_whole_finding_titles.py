"""Findings drawn from a checklist item were titled with the first sentence of its notes cut at 90
characters and "…": reports showed the cut title. They take the whole sentence now (up to the title
field's 200 characters), so reports wrap it; this gives the findings already recorded their whole title."""

from django.db import migrations

TITLE_MAX = 200


def _headline(text: str, limit: int) -> str:
    # As audits.checklist.headline, frozen here: the first sentence, cut at a word only beyond the field.
    first = text.strip().splitlines()[0].split(". ")[0].rstrip(".")
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def whole_titles(apps, schema_editor):
    Finding = apps.get_model("audits", "Finding")
    cut = Finding.objects.filter(title__endswith="…", checklist_item__isnull=False).select_related(
        "checklist_item", "requirement"
    )
    for finding in cut.iterator():
        notes = (finding.checklist_item.notes or "").strip()
        if not notes:
            continue
        code = f"{finding.requirement.code}: " if finding.requirement_id else ""
        title = f"{code}{_headline(notes, TITLE_MAX - len(code))}"
        if title != finding.title:
            Finding.objects.filter(pk=finding.pk).update(title=title)


class Migration(migrations.Migration):
    dependencies = [("audits", "0008_plural_names")]

    operations = [migrations.RunPython(whole_titles, migrations.RunPython.noop)]

"""Where a nonconformity was found and which audits a lesson came from become links.

Nonconformity.source_reference and Lesson.audit_reference held references as text. Each text is matched
to records by reference (case-insensitive, trimmed): a nonconformity gets its management review, its
audit and its audit finding, a lesson its audits. A text naming only records now linked is cleared; any
other text stays, whole, in the renamed note field (`source_note`, `audit_note`), shown on the record's
page -- nothing is lost. Every record the migration changes has a line in its history saying so."""

import re

from django.db import migrations

from aims.migration_history import record_in_history

REFERENCE = re.compile(r"\b[A-Za-z]{2,6}-\d+\b")
FILLER = re.compile(r"[\s,;:/&+()\[\].-]+|\b(?:and|finding|audit|review)\b", re.IGNORECASE)
NOTE = "Linked to the records its text named (data migration)."


def _tokens(text: str) -> tuple[list[str], bool]:
    """The references in `text`, upper-cased, and whether the text says anything else."""
    tokens = [t.upper() for t in REFERENCE.findall(text)]
    rest = FILLER.sub("", REFERENCE.sub("", text))
    return tokens, bool(rest.strip())


def _by_reference(model, tokens) -> dict:
    return {r.reference.upper(): r for r in model.objects.filter(reference__in=tokens)} if tokens else {}


def _shown(record) -> str:
    return f"{record.reference} {record.title}" if record is not None else ""


def _one(values: set):
    return next(iter(values)) if len(values) == 1 else None


def link_nonconformities(apps):
    Nonconformity = apps.get_model("reviews", "Nonconformity")
    models_by_kind = {
        "audit": apps.get_model("audits", "Audit"),
        "finding": apps.get_model("audits", "Finding"),
        "review": apps.get_model("reviews", "ManagementReview"),
    }
    Feedback = apps.get_model("reviews", "Feedback")
    for nc in Nonconformity.objects.select_related("finding__audit", "incident", "kpi").order_by("pk"):
        text = (nc.source_note or "").strip()
        tokens, says_more = _tokens(text)
        found = {kind: _by_reference(model, tokens) for kind, model in models_by_kind.items()}
        before = {"finding": nc.finding, "audit": nc.audit, "review": nc.review}
        finding = nc.finding or _one(set(found["finding"].values()))
        audits = set(found["audit"].values()) | ({finding.audit} if finding is not None else set())
        if nc.finding_id is None and finding is not None:
            nc.finding = finding
        if nc.audit_id is None:
            nc.audit = _one(audits)
        if nc.review_id is None:
            nc.review = _one(set(found["review"].values()))
        linked = {r.reference.upper() for r in (nc.finding, nc.audit, nc.review, nc.incident, nc.kpi) if r}
        linked |= {
            f.upper() for f in Feedback.objects.filter(nonconformity=nc).values_list("reference", flat=True)
        }
        cleared = bool(text) and not says_more and all(t in linked for t in tokens)
        changes = [
            {"field": name, "label": label, "old": _shown(before[name]), "new": _shown(getattr(nc, name))}
            for name, label in (
                ("finding", "Audit finding"),
                ("audit", "Internal audit"),
                ("review", "Management review"),
            )
            if getattr(nc, name) != before[name]
        ]
        if cleared:
            changes.append(
                {"field": "source_note", "label": "Where it was found (note)", "old": text, "new": ""}
            )
            nc.source_note = ""
        if changes:
            nc.save(update_fields=["finding", "audit", "review", "source_note"])
            record_in_history(apps, nc, note=NOTE, changes=changes)


def link_lessons(apps):
    Lesson = apps.get_model("reviews", "Lesson")
    Audit = apps.get_model("audits", "Audit")
    for lesson in Lesson.objects.exclude(audit_note="").order_by("pk"):
        text = lesson.audit_note.strip()
        tokens, says_more = _tokens(text)
        audits = _by_reference(Audit, tokens)
        if not audits:
            continue
        lesson.audits.add(*audits.values())
        changes = [{"field": "audits", "label": "Internal audits", "old": "",
                    "new": ", ".join(sorted(a.reference for a in audits.values()))}]  # fmt: skip
        if not says_more and all(t in audits for t in tokens):
            changes.append({"field": "audit_note", "label": "Audit (note)", "old": text, "new": ""})
            lesson.audit_note = ""
            lesson.save(update_fields=["audit_note"])
        record_in_history(apps, lesson, note=NOTE, changes=changes)


def forwards(apps, schema_editor):
    link_nonconformities(apps)
    link_lessons(apps)


def backwards(apps, schema_editor):
    """Put the links back as text where the note is empty, before the link fields go."""
    Nonconformity = apps.get_model("reviews", "Nonconformity")
    for nc in Nonconformity.objects.filter(source_note="").select_related("audit", "finding", "review"):
        names = [r.reference for r in (nc.audit, nc.finding, nc.review) if r is not None]
        if names:
            Nonconformity.objects.filter(pk=nc.pk).update(source_note=" ".join(names)[:100])
    Lesson = apps.get_model("reviews", "Lesson")
    for lesson in Lesson.objects.filter(audit_note=""):
        names = sorted(lesson.audits.values_list("reference", flat=True))
        if names:
            Lesson.objects.filter(pk=lesson.pk).update(audit_note=" ".join(names)[:100])


class Migration(migrations.Migration):
    dependencies = [
        ("aims", "0005_crosswalk_standards"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reviews", "0004_source_links"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

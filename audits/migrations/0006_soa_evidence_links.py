"""The Statement of Applicability's evidence was free text; the evidence is the library's. Each entry's
text is read part by part (lines, then parts separated by ";"): a part naming pieces of the library -- by
reference (EVD-0012), or being exactly a piece's title -- becomes a link from that piece to the entry (the
entry's Evidence tab), and the part leaves the text; what matches nothing stays as the entry's note.
Both the entry and the evidence record the change in their history. Backwards, the linked pieces are
written back into the note (the links stay: they may have been made by hand since)."""

import re

from django.db import migrations

from aims.migration_history import record_in_history

REFERENCE = re.compile(r"\bEVD-\d{4,}\b")
NOTE = "Evidence references linked to the evidence library"


def _content_type(apps, app_label, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def _split(text: str) -> list[list[str]]:
    return [[part.strip() for part in line.split(";")] for line in text.splitlines()]


def _join(lines: list[list[str]]) -> str:
    return "\n".join("; ".join(p for p in parts if p) for parts in lines if any(parts)).strip()


def _match(part: str, by_reference: dict, by_title: dict) -> list:
    """The pieces a part names, or [] when any reference in it matches nothing (the part is kept)."""
    references = REFERENCE.findall(part)
    if references:
        found = [by_reference.get(r) for r in references]
        return [] if None in found else found
    piece = by_title.get(part.casefold())
    return [piece] if piece else []


def link_references(apps, schema_editor):
    SoAEntry = apps.get_model("lifecycle", "SoAEntry")
    Evidence = apps.get_model("audits", "Evidence")
    EvidenceLink = apps.get_model("audits", "EvidenceLink")
    entries = list(SoAEntry.objects.exclude(evidence_note="").order_by("pk"))
    if not entries:
        return
    pieces = list(Evidence.objects.filter(archived_at__isnull=True))
    by_reference = {e.reference: e for e in pieces}
    by_title = {e.title.casefold(): e for e in pieces}
    entry_type = _content_type(apps, "lifecycle", "soaentry")
    for entry in entries:
        actor_id = entry.updated_by_id or entry.owner_id or entry.created_by_id
        kept, linked = [], []
        for parts in _split(entry.evidence_note):
            line = []
            for part in parts:
                found = _match(part, by_reference, by_title) if part else []
                linked += [e for e in found if e not in linked]
                if not found:
                    line.append(part)
            kept.append(line)
        if not linked:
            continue
        old = entry.evidence_note
        entry.evidence_note = _join(kept)
        entry.save(update_fields=["evidence_note"])
        described = f"SoA entry {entry.reference} {entry.title}"[:300]
        for piece in linked:
            _, made = EvidenceLink.objects.get_or_create(
                evidence=piece,
                content_type=entry_type,
                object_id=entry.pk,
                defaults={"linked_by_id": actor_id},
            )
            if made:
                record_in_history(apps, piece, note=NOTE, actor_id=actor_id,
                                  changes=[{"field": "links", "label": "Linked records", "old": "", "new": described}])  # fmt: skip
        record_in_history(apps, entry, note=NOTE, actor_id=actor_id, changes=[
            {"field": "evidence_note", "label": "Evidence not yet in the library", "old": old,
             "new": entry.evidence_note},
            {"field": "evidence", "label": "Evidence", "old": "",
             "new": "; ".join(f"{e.reference} {e.title}" for e in linked)},
        ])  # fmt: skip


def write_references_back(apps, schema_editor):
    SoAEntry = apps.get_model("lifecycle", "SoAEntry")
    EvidenceLink = apps.get_model("audits", "EvidenceLink")
    entry_type = _content_type(apps, "lifecycle", "soaentry")
    links = EvidenceLink.objects.filter(content_type=entry_type).select_related("evidence")
    by_entry: dict[int, list] = {}
    for link in links:
        by_entry.setdefault(link.object_id, []).append(link.evidence)
    for entry in SoAEntry.objects.filter(pk__in=list(by_entry)):
        missing = [e for e in by_entry[entry.pk] if e.reference not in entry.evidence_note]
        if missing:
            lines = [entry.evidence_note] if entry.evidence_note.strip() else []
            entry.evidence_note = "\n".join(lines + [f"{e.reference} {e.title}" for e in missing])
            entry.save(update_fields=["evidence_note"])


class Migration(migrations.Migration):
    dependencies = [
        ("aims", "0005_crosswalk_standards"),
        ("audits", "0005_pack_signing_keys"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("lifecycle", "0005_soa_evidence_note"),
    ]

    operations = [migrations.RunPython(link_references, write_references_back)]

"""Records that name an AI system in text (a risk's or a concern's `system_note`), linked to the inventory.

The matcher is the core's (aims.system_names), the one the data migration used, so a name the migration
could not match and a name matched later mean the same system. Links are made through each register's
services, so each shows in the record's history."""

from dataclasses import dataclass

from aims.registry import registry
from aims.system_names import SystemIndex

from .models import AISystem


def naming_models() -> list:
    """Every register whose records link AI systems and may name one in text instead."""
    found = []
    for info in registry.registers:
        names = {f.name for f in info.model._meta.get_fields()}
        if {"systems", "system_note"} <= names:
            found.append(info)
    return found


@dataclass
class Named:
    record: object
    note: str  # the text as it stands on the record
    systems: list  # the inventory's systems it names (empty: none matched)
    leftover: str  # what still names no system


def named_in_text(index: SystemIndex | None = None) -> list[Named]:
    """Live records with a system named in text, and what the inventory matches of it today."""
    index = index or SystemIndex(AISystem.objects.live())
    found = []
    for info in naming_models():
        for record in info.model.objects.live().exclude(system_note="").order_by("reference"):
            match = index.match(record.system_note)
            found.append(Named(record, record.system_note, match.systems, match.leftover))
    return found


def link_named_systems(actor) -> int:
    """Link every system the inventory now matches, keeping in the note only what it does not; returns
    the number of records linked. The actor must be allowed to change them (the AIMS manager)."""
    linked = 0
    for named in named_in_text():
        if not named.systems:
            continue
        record = named.record
        services = registry.register_for(type(record)).register.services
        already = list(record.systems.all())
        systems = [*already, *(s for s in named.systems if s not in already)]
        services.update(
            record,
            actor=actor,
            expected_version=record.version,
            fields={"systems": systems, "system_note": named.leftover},
        )
        linked += 1
    return linked

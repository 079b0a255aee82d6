"""AI systems named in text, matched to the inventory.

Risks and concerns once named their AI system in free text. They now link to the inventory; what text
cannot be matched stays on the record as a visible note, so nothing is lost and someone can link it
later. One matcher serves the data migration, `manage.py unmatched_systems` and the demo, so all three
agree on what "the same system" means: its reference (SYS-0001), its title, or its title without the
bracketed part ("CV screening" for "CV screening (hiring)"), ignoring case and spacing. Text may name
several systems, separated by ";" or ",". Text naming every system ("All AI systems") is AIMS-wide: no
link and no note."""

import re
from dataclasses import dataclass

AIMS_WIDE = {"all", "all ai systems", "all systems", "every ai system", "aims-wide", "aims wide", "the aims"}
REFERENCE = re.compile(r"\b[A-Z]{2,6}-\d{4,}\b", re.IGNORECASE)
SEPARATORS = re.compile(r"\s*[;,]\s*")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _stem(title: str) -> str:
    return _norm(re.sub(r"\s*\([^)]*\)\s*$", "", title))


@dataclass
class Match:
    systems: list  # the inventory's systems the text names, in the order named
    leftover: str  # what names no system in the inventory ("" when everything matched)


class SystemIndex:
    """The inventory's systems by every name the matcher accepts (objects with reference and title)."""

    def __init__(self, systems):
        self.by_name: dict[str, object] = {}
        stems: dict[str, list] = {}
        for system in systems:
            self.by_name[_norm(system.reference)] = system
            self.by_name.setdefault(_norm(system.title), system)
            stems.setdefault(_stem(system.title), []).append(system)
        for stem, found in stems.items():
            if len(found) == 1:  # a stem two systems share names neither
                self.by_name.setdefault(stem, found[0])

    def find(self, name: str):
        return self.by_name.get(_norm(name)) or self.by_name.get(_stem(name))

    def match(self, text: str) -> Match:
        text = (text or "").strip()
        if not text or _norm(text) in AIMS_WIDE:
            return Match([], "")
        whole = self.find(text)
        if whole is not None:
            return Match([whole], "")
        systems, leftover = [], []
        for part in filter(None, SEPARATORS.split(text)):
            found = self.find(part) or self._by_reference_in(part)
            if found is None:
                leftover.append(part)
            elif found not in systems:
                systems.append(found)
        return Match(systems, "; ".join(leftover))

    def _by_reference_in(self, text: str):
        for reference in REFERENCE.findall(text):
            if _norm(reference) in self.by_name:
                return self.by_name[_norm(reference)]
        return None

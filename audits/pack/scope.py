"""What a pack covers: the whole AIMS or chosen clauses, controls and AI systems, indexed by one
standard of the catalogue (ISO/IEC 42001 by default, or another one reached through crosswalks)."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q

from aims.models import Crosswalk, Requirement, Standard

DEFAULT_STANDARD = "iso42001"
UNSAFE = re.compile(r"[^\w .,()&+'-]+")


def safe_name(text: str, limit: int = 80) -> str:
    """A folder or file name every unzip tool accepts: no slashes, no control characters, no dot start."""
    name = UNSAFE.sub("-", str(text)).strip(" .-")
    return (name[:limit].rstrip(" .-") or "unnamed").replace("..", ".")


@dataclass(frozen=True)
class Scope:
    whole: bool = False
    standard: str = DEFAULT_STANDARD
    requirements: tuple[str, ...] = ()  # Requirement.key of the indexing standard
    systems: tuple[str, ...] = ()  # AISystem.reference

    @classmethod
    def from_params(cls, data: dict) -> "Scope":
        """From a pack's stored scope or the API; raises ValidationError naming the field at fault."""
        if not isinstance(data, dict):
            raise ValidationError({"scope": "The scope must be an object."})
        errors = {}
        standard = data.get("standard") or DEFAULT_STANDARD
        found = Standard.objects.filter(key=standard).first()
        if found is None:
            errors["standard"] = f"No standard {standard!r} in the catalogue."
        keys = data.get("requirements") or []
        systems = data.get("systems") or []
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            errors["requirements"] = "Give the requirements as a list of catalogue keys."
            keys = []
        if not isinstance(systems, list) or not all(isinstance(s, str) for s in systems):
            errors["systems"] = "Give the AI systems as a list of references."
            systems = []
        if found is not None and keys:
            known = set(
                Requirement.objects.filter(
                    standard=found, key__in=keys, kind__in=Requirement.MAPPABLE
                ).values_list("key", flat=True)
            )
            unknown = [k for k in keys if k not in known]
            if unknown:
                errors["requirements"] = (
                    f"Not a clause or control of {found.name}: {', '.join(unknown[:10])}."
                )
        whole = bool(data.get("whole"))
        if not whole and not keys and not systems and "requirements" not in errors:
            errors["scope"] = "Choose the whole AIMS, or at least one clause, control or AI system."
        if errors:
            raise ValidationError(errors)
        return cls(whole=whole, standard=standard, requirements=tuple(keys), systems=tuple(systems))

    def as_params(self) -> dict:
        return {
            "whole": self.whole,
            "standard": self.standard,
            "requirements": list(self.requirements),
            "systems": list(self.systems),
        }

    def describe(self) -> str:
        if self.whole:
            return "The whole AIMS: every clause and control, every AI system in scope."
        parts = []
        if self.requirements:
            codes = [k.split(":", 1)[-1] for k in self.requirements]
            parts.append(f"{len(codes)} clause(s) and control(s): {', '.join(codes)}")
        if self.systems:
            parts.append(f"{len(self.systems)} AI system(s): {', '.join(self.systems)}")
        return "; ".join(parts) + "."


@dataclass
class Section:
    """One folder of the pack: a clause or control and the requirement ids whose records and evidence
    belong in it (itself, plus those crosswalked to it from other standards)."""

    requirement: Requirement
    folder: str
    requirement_ids: frozenset = field(default_factory=frozenset)
    records: int = 0
    evidence_files: int = 0

    @property
    def is_empty(self) -> bool:
        """Nothing mapped at the date: neither a record nor evidence (audits.pack.figures)."""
        return self.records == 0 and self.evidence_files == 0


def folder_for(requirement: Requirement) -> str:
    if requirement.standard.key == DEFAULT_STANDARD:
        top = "annex-a" if requirement.kind == Requirement.Kind.CONTROL else "clauses"
    else:
        top = safe_name(requirement.standard.key)
    return f"{top}/{safe_name(f'{requirement.code} {requirement.title}')}"


def sections(scope: Scope) -> list[Section]:
    """The folders of the pack in document order, each with its crosswalked requirement ids."""
    requirements = Requirement.objects.filter(
        standard__key=scope.standard, kind__in=Requirement.MAPPABLE
    ).select_related("standard")
    if not scope.whole:
        requirements = requirements.filter(key__in=scope.requirements)
    requirements = list(requirements.order_by("position"))
    ids = [r.pk for r in requirements]
    linked: dict[int, set[int]] = {pk: {pk} for pk in ids}
    for source, target in Crosswalk.objects.filter(Q(source__in=ids) | Q(target__in=ids)).values_list(
        "source", "target"
    ):
        if source in linked:
            linked[source].add(target)
        if target in linked:
            linked[target].add(source)
    return [Section(r, folder_for(r), frozenset(linked[r.pk])) for r in requirements]

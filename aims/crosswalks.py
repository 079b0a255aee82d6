"""What else a requirement satisfies: its crosswalk links to other standards, read in both directions.

A link is stored once (from the other standard to ISO/IEC 42001); a page of either end shows it."""

from dataclasses import dataclass

from django.db.models import Q

from aims.models import Crosswalk, Requirement


@dataclass(frozen=True)
class Mapped:
    requirement: Requirement  # the other end
    strength: str
    strength_label: str
    note: str

    @property
    def analytical(self) -> bool:
        return self.strength == Crosswalk.Strength.ANALYTICAL


def mapped_to(requirement: Requirement) -> list[tuple[str, list[Mapped]]]:
    """[(standard name, [Mapped ...])] in catalogue order; one query whatever the number of links."""
    links = (
        Crosswalk.objects.filter(Q(source=requirement) | Q(target=requirement))
        .select_related("source__standard", "target__standard")
        .order_by()
    )
    found: dict[str, list[Mapped]] = {}
    for link in links:
        other = link.target if link.source_id == requirement.pk else link.source
        found.setdefault(other.standard.name, []).append(
            Mapped(other, link.strength, link.get_strength_display(), link.note)
        )
    return [
        (name, sorted(items, key=lambda m: (m.analytical, m.requirement.position)))
        for name, items in sorted(found.items())
    ]

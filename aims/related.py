"""The related-record sections of a record page (aims.registry.RelatedSection), as the viewer may see them."""

from dataclasses import dataclass

from aims.models import BaseRecord
from aims.permissions import restrict
from aims.registry import registry

SHOWN = 10  # rows per section; the section's count and its "all" link cover the rest


@dataclass
class Related:
    title: str
    count: int
    items: list  # (record, detail)
    more_url: str  # "" when there is no list to send the reader to


def related_sections(record, user) -> list[Related]:
    """Each section's count and first rows: one query per section when it fits on the page, two when it
    does not (its count), whatever the number of records."""
    sections = []
    for section in registry.related_sections_for(type(record)):
        queryset = section.records(record)
        if issubclass(queryset.model, BaseRecord):
            queryset = restrict(queryset, user, "view")
        first = list(queryset[: SHOWN + 1])
        count = len(first) if len(first) <= SHOWN else queryset.count()
        detail = section.detail or (lambda item: "")
        sections.append(
            Related(
                title=section.title,
                count=count,
                items=[(item, detail(item)) for item in first[:SHOWN]],
                more_url=section.more_url(record) if section.more_url and count > SHOWN else "",
            )
        )
    return sections

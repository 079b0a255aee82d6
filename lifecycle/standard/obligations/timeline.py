"""When each part of the EU AI Act applies (Art. 113), and which of those dates concern a system.

ART_113 is the one table of these dates: the system page, the obligation pages and the obligations'
default due date all read it, so a change in law (a date moved by an amending regulation) is one edit
here. The dates are those of Regulation (EU) 2024/1689 as amended by the Digital Omnibus on AI (adopted
by the Council on 29 June 2026): the high-risk obligations of Annex III systems moved from 2 August 2026
to 2 December 2027, those of Annex I products from 2 August 2027 to 2 August 2028; general application,
the transparency duties of Art. 50 included, stayed on 2 August 2026. Each milestone names the date the
regulation first set where the amendment moved it, so a reader comparing with the 2024 text is not
misled."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from .position import NO_AREA, Position

EVERY_SYSTEM, ANNEX_III, ANNEX_I = "", "annex_iii", "annex_i"


@dataclass(frozen=True)
class Milestone:
    on: dt.date
    cite: str
    what: str
    # "" applies to every system; ANNEX_III: every system, and high-risk obligations start for Annex III
    # systems; ANNEX_I: only to Annex I products, whose high-risk obligations start then
    starts: str = EVERY_SYSTEM


ART_113 = (
    Milestone(dt.date(2025, 2, 2), "Art. 113(a)",
              "Chapters I and II: general provisions, AI literacy (Art. 4), prohibited practices (Art. 5)"),
    Milestone(dt.date(2025, 8, 2), "Art. 113(b)",
              "General-purpose AI models (Chapter V), notified bodies, governance and penalties"),
    Milestone(dt.date(2026, 8, 2), "Art. 113",
              "General application, including the transparency duties (Art. 50)"),
    Milestone(dt.date(2027, 12, 2), "Art. 113, as amended",
              "High-risk obligations of Annex III systems (Art. 6(2)); first set for 2 August 2026, moved by "
              "the Digital Omnibus on AI", ANNEX_III),
    Milestone(dt.date(2028, 8, 2), "Art. 113(c), as amended",
              "High-risk classification of Annex I products (Art. 6(1)) and the obligations that follow; "
              "first set for 2 August 2027, moved by the Digital Omnibus on AI", ANNEX_I),
)  # fmt: skip

CATCH_UP_DAYS = 30  # obligations created after they already apply are due this many days later


@dataclass(frozen=True)
class Applicable:
    milestone: Milestone
    starts_high_risk: bool  # this system's high-risk obligations apply from this date
    in_force: bool

    @property
    def on(self) -> dt.date:
        return self.milestone.on


def _starts(milestone: Milestone, position: Position) -> bool:
    if not position.high_risk:
        return False
    return (milestone.starts == ANNEX_III and position.annex_iii != NO_AREA) or (
        milestone.starts == ANNEX_I and position.annex_i
    )


def dates_for(position: Position, today: dt.date | None = None) -> list[Applicable]:
    """The Art. 113 dates that concern a system, oldest first: the Annex I date only for Annex I products."""
    today = today or timezone.localdate()
    return [
        Applicable(m, _starts(m, position), m.on <= today)
        for m in ART_113
        if m.starts != ANNEX_I or position.annex_i
    ]


def high_risk_applies_on(position: Position) -> dt.date | None:
    starts = [m.on for m in ART_113 if _starts(m, position)]
    return min(starts) if starts else None


def default_due(position: Position, today: dt.date | None = None) -> dt.date:
    """The day the high-risk obligations apply to the system; once that has passed, a month from now."""
    today = today or timezone.localdate()
    applies = high_risk_applies_on(position)
    return applies if applies and applies > today else today + dt.timedelta(days=CATCH_UP_DAYS)

"""One judgement per control of the Statement of Applicability (ISO/IEC 42001 6.1.3 d, Annex A): does it
apply, is it implemented, and what shows it? The SoA (the statement's page, its entries, its PDF) and
certification readiness (its page, the dashboard panel, the evidence pack's index) read this and nothing
else about a control, so one page cannot call a control met that the other calls missing.

Three things are weighed:

- the SoA entry: applicable or excluded (and why), and the implementation it declares;
- the records: what the registers show of an Annex A control (lifecycle.certification_controls: the
  inventory, gate reviews, datasets, an approved document linked to the control ...);
- the evidence: current pieces of the evidence library serving the control (mapped to it, or to a
  requirement a crosswalk links to it) or attached to its entry (registry.evidence_serving).

The verdict, in the words of certification readiness:

- excluded: the SoA excludes the control; readiness leaves it out.
- met: declared implemented, justified, and the records show it.
- partly met: declared partly implemented with something to show for it; declared implemented but the
  records show it in part, or not at all while evidence is linked; the records show it but the SoA still
  says planned; no justification; or no SoA entry yet while the records show something.
- missing: declared planned; declared (partly) implemented with neither records nor evidence to show;
  or no SoA entry and nothing in the records.

A control of the organisation's own has no records check: its evidence decides."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from aims.certification import (
    MET,
    MISSING,
    PARTIAL,
    STATUS_LABELS,
    CheckResult,
    ask_facts,
    fact,
    known,
    one_run,
    percent_of,
)
from aims.models import Requirement
from aims.registry import EvidenceRef, registry

from .models import SoAEntry

EXCLUDED = "excluded"
LABELS = {**STATUS_LABELS, EXCLUDED: "Excluded"}
BADGES = {MET: "badge-ok", PARTIAL: "badge-warn", MISSING: "badge-bad", EXCLUDED: ""}
RANK = {MISSING: 0, PARTIAL: 1, MET: 2}
Implementation = SoAEntry.Implementation


@dataclass(frozen=True)
class ControlJudgement:
    code: str  # the Annex A code, or the entry's reference for a control of the organisation's own
    title: str
    entry: SoAEntry | None
    records: CheckResult | None  # what the registers show (None: a control of the organisation's own)
    evidence: tuple[EvidenceRef, ...]  # current evidence serving it, every piece (`visible` per viewer)
    status: str  # MET, PARTIAL, MISSING or EXCLUDED
    reason: str
    annex: bool = True  # an Annex A control (False: the organisation's own, judged on its evidence)

    @property
    def applicable(self) -> bool:
        return self.entry is None or self.entry.applicable

    @property
    def status_label(self) -> str:
        return LABELS[self.status]

    @property
    def badge(self) -> str:
        return BADGES[self.status]

    @property
    def has_evidence(self) -> bool:
        """Evidence in the library, or records that show the control (the records are evidence too)."""
        return bool(self.evidence) or (self.records is not None and self.records.status == MET)

    @property
    def visible_evidence(self) -> list[EvidenceRef]:
        return [e for e in self.evidence if e.visible]

    @property
    def hidden_evidence(self) -> int:
        return sum(1 for e in self.evidence if not e.visible)

    def result(self) -> CheckResult:
        """As a readiness row: the verdict, its reason, and the pages that fix it."""
        links = list(self.records.links if self.records else ())
        if self.entry is not None:
            links.insert(0, (f"SoA entry {self.entry.reference}", self.entry.get_absolute_url()))
        return CheckResult(self.status if self.status != EXCLUDED else MET, self.reason, tuple(links))


def _pieces(n: int) -> str:
    return f"{n} evidence item{'s' if n != 1 else ''}"


def verdict(entry, records: CheckResult | None, evidence_count: int) -> tuple[str, str]:
    """(status, reason) for one control: the rules of the module's docstring, in one place."""
    shown = f" {records.reason}" if records else ""
    if entry is None:
        status = min(records.status, PARTIAL, key=RANK.get) if records else MISSING
        return status, f"No SoA entry for the control yet.{shown}"
    if not entry.applicable:
        why = entry.justification.strip() or "no justification given"
        return EXCLUDED, f"Excluded in {entry.reference}: {why}"
    declared, where = entry.implementation, entry.reference
    shows = records.status if records else (MET if evidence_count else MISSING)
    source = (
        "The records show"
        if records
        else (f"{_pieces(evidence_count).capitalize()} show{'s' if evidence_count == 1 else ''}")
    )
    if declared == Implementation.PLANNED:
        if shows == MET:
            status, reason = PARTIAL, f"{source} it, but {where} still declares it planned.{shown}"
        else:
            status, reason = MISSING, f"Declared planned in {where}: not implemented yet.{shown}"
    elif shows == MISSING and not evidence_count:
        status = MISSING
        reason = f"Declared {entry.get_implementation_display().lower()} in {where}, but neither the records "
        reason += f"nor any evidence show it.{shown}" if records else "nor any evidence show it."
    elif declared == Implementation.PARTIAL:
        status, reason = PARTIAL, f"Declared partly implemented in {where}.{shown}"
    elif shows == MET:
        status = MET
        reason = (
            f"Declared implemented in {where}; the records show it.{shown}"
            if records
            else (f"Declared implemented in {where}, with {_pieces(evidence_count)}.")
        )
    elif shows == PARTIAL:
        status, reason = (
            PARTIAL,
            f"Declared implemented in {where}, but the records show it only in part.{shown}",
        )
    else:
        status = PARTIAL
        reason = f"Declared implemented in {where} with {_pieces(evidence_count)}, but the records do not "
        reason += f"show it.{shown}"
    if status == MET and not entry.justification.strip():
        status, reason = PARTIAL, f"{reason} The SoA gives no justification."
    return status, reason


# Every Annex A control, in the catalogue's order: read with the facts the checks read (one query).
fact(
    "annex_controls",
    lambda: (
        Requirement.objects.mappable()
        .filter(kind=Requirement.Kind.CONTROL)
        .order_by("position")
        .only("pk", "code", "title", "position")
    ),
)


def judge_controls(
    today: dt.date | None = None,
    *,
    entries=None,
    user=None,
    own_controls: bool = False,
    only: bool = False,
    evidence=None,
) -> dict[str, ControlJudgement]:
    """Every Annex A control, in the catalogue's order, judged (keyed by its code); with `own_controls`, the
    entries for the organisation's own controls after them (keyed by the entry's reference). `entries`:
    the live SoA entries if already loaded (with their control); with `only`, just their controls are
    judged (a page of the SoA's entries). `user` marks the evidence that person may see; the verdict is
    the same for everyone. `evidence`: callable(targets) -> {key: [EvidenceRef]}, the evidence serving
    each control read already with the page's reads (registry.evidence_reads); without it, it is read
    here. Two queries (aims.certification.ask_facts, then the evidence), however many entries, records
    and pieces of evidence."""
    from .certification_controls import ANNEX_CHECKS

    today = today or timezone.localdate()
    if entries is None:
        entries = SoAEntry.objects.live().select_related("control", "owner")
    entries = list(entries)
    judged = {}
    with one_run():
        ask_facts()
        controls = known("annex_controls")
        annex = {c.pk for c in controls}
        by_control = {e.control_id: e for e in entries if e.control_id in annex}
        own = [e for e in entries if e.control_id not in annex]  # no control, or another standard's
        if only:
            controls = [c for c in controls if c.pk in by_control]
        targets = {c.code: (c.pk, by_control.get(c.pk)) for c in controls}
        if own_controls:
            targets |= {e.reference: (e.control_id, e) for e in own}
        if evidence is not None:
            evidence = evidence(targets)
        else:
            serving = registry.evidence_serving
            evidence = serving(targets, today=today, user=user) if serving else {}
        for control in controls:
            entry = by_control.get(control.pk)
            check = ANNEX_CHECKS.get(control.code)
            records = check[1](today) if check and (entry is None or entry.applicable) else None
            found = tuple(evidence.get(control.code, ()))
            status, reason = verdict(entry, records, len(found))
            judged[control.code] = ControlJudgement(
                control.code, control.title, entry, records, found, status, reason
            )
    if own_controls:
        for entry in own:
            found = tuple(evidence.get(entry.reference, ()))
            status, reason = verdict(entry, None, len(found))
            judged[entry.reference] = ControlJudgement(
                entry.reference, entry.title, entry, None, found, status, reason, annex=False
            )
    return judged


def annex_a_percent(judgements: dict[str, ControlJudgement]) -> int:
    """Annex A readiness: the controls that apply, as certification readiness counts its Annex A section
    (aims.certification.percent_of). The organisation's own controls are not part of it."""
    return percent_of(j.status for j in judgements.values() if j.annex and j.status != EXCLUDED)

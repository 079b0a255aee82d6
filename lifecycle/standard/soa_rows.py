"""The rows of the Statement of Applicability (6.1.3 d) as its page, its PDF, its entries and its frozen
content show them: each entry with its one judgement (lifecycle.controls, which certification readiness
reads too), the risks calling for it, the AI systems it applies to, the evidence serving it, and the three
checks of the statement itself: (a) excluded yet called for by a live risk, (b) applicable without
evidence -- neither a piece of the evidence library nor records that show it, (c) no justification.

What the viewer may not see is not named: a risk, a system or a piece of evidence they may not see is
counted, never shown."""

import datetime as dt
from functools import partial

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from aims import permissions
from aims.certification import ask_facts, one_run
from aims.models import Requirement
from aims.registry import registry
from aims.together import compiled, record_maker
from lifecycle.controls import annex_a_percent, judge_controls
from lifecycle.models import AISystem, SoAEntry
from registers.models import Risk

# The three checks, worded for the table and the PDF.
CHECKS = {
    "called_for": "Excluded, yet a live risk calls for it",
    "no_evidence": "Applicable without evidence",
    "no_justification": "No justification",
}
ANNEX_A_CONTROLS = 38  # ISO/IEC 42001:2023 Annex A; the catalogue's data migration loads exactly these
SHOWN_RISKS = 5  # per entry; the rest are a link away (thousands of risks can call for one control)
SHOWN_SYSTEMS = 5  # per entry on the statement's page; the entry's own page lists them all
SHOWN_SYSTEM_FIELDS = ("reference", "title")  # what the statement's page draws of each (and its link)


def annex_a_controls():
    return Requirement.objects.filter(standard__key="iso42001", kind=Requirement.Kind.CONTROL).order_by(
        "position"
    )


def _calling_risks():
    """Live risks that still need treating: archived and closed risks call for nothing."""
    return Risk.objects.live().exclude(status=Risk.Status.CLOSED)


def unevidenced(today: dt.date | None = None) -> list[int]:
    """Ids of the applicable live entries with no evidence: check (b), from the controls' judgements."""
    judged = judge_controls(today, own_controls=True).values()
    return [j.entry.pk for j in judged if j.entry is not None and j.entry.applicable and not j.has_evidence]


def issue_q(check: str | None = None) -> Q:
    """The checks as a condition on entries, for the has-issue and issue filters; `check` narrows to one
    of CHECKS. Check (b) weighs evidence the way the controls' judgement does (it is read from it)."""
    blank = r"^\s*$"
    by_risk_link = Exists(
        Risk.requirements.through.objects.filter(
            requirement_id=OuterRef("control_id"), risk__in=_calling_risks()
        )
    )
    by_entry = Exists(
        SoAEntry.risks.through.objects.filter(soaentry_id=OuterRef("pk"), risk__in=_calling_risks())
    )
    conditions = {
        "called_for": lambda: Q(applicable=False) & (Q(by_risk_link) | Q(by_entry)),
        "no_evidence": lambda: Q(pk__in=unevidenced()),
        "no_justification": lambda: Q(justification__regex=blank),
    }
    if check:
        return conditions[check]()
    return conditions["called_for"]() | conditions["no_evidence"]() | conditions["no_justification"]()


def entry_rows(
    entries=None, *, user=None, today: dt.date | None = None, brief: bool = False, listed: bool = False
) -> tuple[list[dict], dict]:
    """(rows, judgements): each live entry in control order (the organisation's own controls last) with
    its judgement, the risks calling for it (the first few, and how many in all), the AI systems it
    applies to, its evidence and its failed checks; and every control's judgement (Annex A controls
    without an entry too), for the percentage. `entries`: a few of them (a queryset, or a page of the
    list already read, with their control), judged alone. `user`: the viewer (None: a document for
    everyone who may read the statement, which names no evidence). `brief` (the statement's page): name
    only the first few AI systems of each entry, and say whether more risks call for it without counting
    them -- counting reads every link of every control, tens of thousands at volume, where the first few
    cost an index probe each; documents and the entry's own page name every system and count the risks.
    `listed` (the list of entries, which shows each one's judgement and checks): no systems, no count.

    The whole statement is one query, whatever the number of entries, risks or pieces of evidence: in
    one round trip (aims.certification.ask_facts) what every control's judgement reads, with the
    entries, their risks and systems, and the evidence serving them (registry.evidence_reads). Its SQL
    depends on nothing of the request but whether the person sees every AI system and piece of
    evidence, so it is built once (aims.together.compiled); the rows are read afresh. A few entries are
    three: the entries (none for a page already read), that round trip, then the evidence."""
    today = today or timezone.localdate()
    whole = entries is None
    if whole:  # the entries are read with the rest, which names them by subquery
        live = SoAEntry.objects.live()
        every, pks, controls = (
            None,
            live.values("pk"),
            live.filter(control__isnull=False).values("control_id"),
        )
    else:
        every = _entries(entries)
        controls = [e.control_id for e in every if e.control_id]
        pks = [e.pk for e in every]

    def once(name, make, *, personal=False):
        """The whole statement's SQL, built once (per day: a date may be in it); a few entries', now. A
        read that depends on the person (`personal`) is built for them."""
        return make() if personal or not whole else compiled(("soa", name, today), make)

    if listed:
        systems_asked, read_systems = [], lambda pks: {}
    elif brief:
        everyone = user is None or permissions.sees_all(user, AISystem)
        systems_asked = once(
            "first_systems",
            partial(_first_systems_asked, pks, None if everyone else user, SHOWN_SYSTEMS),
            personal=not everyone,
        )
        read_systems = _first_systems_read
    else:
        systems_asked = once("all_systems", partial(_all_systems_asked, pks, user), personal=user is not None)
        read_systems = _all_systems_read
    counts_asked = [] if brief or listed else [once("risk_counts", partial(_risk_counts_asked, controls))]
    evidence = _evidence_asked(pks, controls, today, user) if whole else None
    with one_run():
        *read, named_rows, first_rows, found = _split(
            ask_facts(
                *([once("entries", partial(_entries_q, None))] if whole else []),
                once("named_risks", partial(_named_risks_asked, pks)),
                once("first_risks", partial(_first_risks_asked, controls, SHOWN_RISKS + 1)),  # one more
                *systems_asked,
                *counts_asked,
                *(evidence.querysets if evidence else []),
            ),
            2 + int(whole),
        )
        if whole:
            every = read[0]
            pks = [e.pk for e in every]
        evidence_rows = found[len(systems_asked) + len(counts_asked) :]
        judgements = judge_controls(
            today,
            entries=every,
            user=user,
            own_controls=True,
            only=not whole,
            evidence=(lambda targets: evidence.answer(evidence_rows, targets)) if evidence else None,
        )
    named_of: dict[int, dict] = {}
    for link in named_rows:
        if link.risk.archived_at is None and link.risk.status != Risk.Status.CLOSED:
            named_of.setdefault(link.soaentry_id, {})[link.risk_id] = link.risk
    by_control = _first_risks_read(first_rows)
    counts = dict(found[len(systems_asked)]) if counts_asked else None
    systems = read_systems(pks, *found[: len(systems_asked)])
    rows = []
    for entry in every:
        named = named_of.get(entry.pk, {})
        calling = {r.pk: r for r in by_control.get(entry.control_id, [])}
        shown = sorted({**calling, **named}.values(), key=lambda r: r.reference)
        total = max(counts.get(entry.control_id, 0), len(shown)) if counts is not None else None
        judgement = judgements.get(entry.reference) or judgements[entry.control.code]
        rows.append(
            {
                "entry": entry,
                "judgement": judgement,
                "risks": shown[:SHOWN_RISKS],
                "risk_count": total,  # None when brief: then more_risks only says whether there are more
                "more_risks": len(shown) > SHOWN_RISKS if total is None else max(total - SHOWN_RISKS, 0),
                **systems.get(entry.pk, {"systems": [], "more_systems": 0, "hidden_systems": 0}),
                "issues": issues_of(entry, shown, judgement),
                "label": label_of(entry),
            }
        )
    return rows, judgements


def _split(found: list, first: int) -> list:
    """The first rows as they are, then the rest in one list."""
    return [*found[:first], found[first:]]


def _named_risks_asked(pks):
    return SoAEntry.risks.through.objects.filter(soaentry_id__in=pks).select_related("risk")


def _evidence_asked(pks, controls, today, user):
    """The evidence serving every Annex A control and every live entry, to read with the rest (None
    without the evidence library): what judge_controls would read for them, the same SQL each time."""
    if registry.evidence_reads is None:
        return None
    requirements = Requirement.objects.filter(Q(pk__in=_annex_controls()) | Q(pk__in=controls))
    records = SoAEntry.objects.filter(pk__in=pks)
    return registry.evidence_reads(requirements, records, today=today, user=user, key="soa-statement")


def _annex_controls():
    return Requirement.objects.mappable().filter(kind=Requirement.Kind.CONTROL).values("pk")


def _entries(entries) -> list:
    """The live entries asked for, in control order (the organisation's own controls last), with their
    control and owner: all of them, those of a queryset, or those of a page already read."""
    if entries is None or isinstance(entries, QuerySet):
        return list(_entries_q(entries))
    return [e for e in entries if e.archived_at is None]


def _entries_q(entries=None):
    every = SoAEntry.objects.live() if entries is None else entries.filter(archived_at__isnull=True)
    return every.select_related("control", "owner").order_by("control__position", "reference")


def _risk_link_q(controls):
    return Risk.requirements.through.objects.filter(requirement_id__in=controls, risk__in=_calling_risks())


def _risk_counts_asked(controls):
    """How many live, open risks call for each control: every link is read."""
    return _risk_link_q(controls).order_by().values_list("requirement_id").annotate(n=Count("risk_id"))


def _first_risks(controls, shown: int) -> dict[int, list]:
    """The first `shown` live, open risks calling for each control, oldest first (their reference and
    title read, the rest when asked)."""
    return _first_risks_read(_first_risks_asked(controls, shown))


def _first_risks_asked(controls, shown: int):
    """On PostgreSQL each control's first risks are an array read off the (requirement, risk) index,
    stopping at `shown`, so the cost does not grow with the register; elsewhere (SQLite, small data) one
    window over every link."""
    if connection.vendor != "postgresql":
        return _ranked_links(controls, shown).values_list("requirement_id", "risk_id", "risk__reference",
                                                           "risk__title")  # fmt: skip
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models.functions import JSONObject

    firsts = Risk.requirements.through.objects.filter(
        requirement_id=OuterRef("pk"), risk__archived_at__isnull=True
    ).exclude(risk__status=Risk.Status.CLOSED)
    risk = JSONObject(id="risk_id", reference="risk__reference", title="risk__title")
    return Requirement.objects.filter(pk__in=controls).values_list(
        "pk", ArraySubquery(firsts.order_by("risk_id").values(first=risk)[:shown])
    )


def _first_risks_read(rows) -> dict[int, list]:
    found: dict[int, list] = {}
    make = record_maker(Risk)  # a risk with only the columns a row shows, the rest deferred
    columns = ["id", "reference", "title"]
    for row in rows:
        if isinstance(row[1], list):  # (control, [{"id", "reference", "title"}, ...])
            for risk in row[1]:
                found.setdefault(row[0], []).append(make(None, columns, [risk[c] for c in columns]))
        else:  # (control, risk id, reference, title), ranked
            found.setdefault(row[0], []).append(make(None, columns, row[1:]))
    return found


def _ranked_links(controls, shown: int):
    return (
        _risk_link_q(controls)
        .annotate(rank=Window(RowNumber(), partition_by=[F("requirement_id")], order_by=F("risk_id").asc()))
        .filter(rank__lte=shown)
        .order_by("requirement_id", "risk_id")
    )


def _first_risk_ids_by_window(controls, shown: int) -> dict[int, list[int]]:
    ids = {}
    for control, risk in _ranked_links(controls, shown).values_list("requirement_id", "risk_id"):
        ids.setdefault(control, []).append(risk)
    return ids


def _all_systems_asked(pks, user) -> list:
    """Every AI system of the entries, and which of them the viewer may see (None: everyone who may
    read the statement sees the same, so every one)."""
    links = SoAEntry.systems.through.objects.filter(soaentry_id__in=pks)
    seen = links.values_list("aisystem_id", flat=True)
    if user is not None:
        seen = AISystem.objects.restrict(user, "view").filter(pk__in=seen).values_list("pk", flat=True)
    return [links.select_related("aisystem"), seen]


def _all_systems_read(pks, links, seen) -> dict[int, dict]:
    """Every AI system of each entry the viewer may see, by reference, and how many they may not."""
    seen, found = set(seen), {}
    by_entry: dict[int, list] = {}
    for link in links:
        by_entry.setdefault(link.soaentry_id, []).append(link.aisystem)
    for pk in pks:
        systems = sorted(by_entry.get(pk, []), key=lambda s: s.reference)
        found[pk] = {
            "systems": [s for s in systems if s.pk in seen],
            "more_systems": 0,
            "hidden_systems": sum(1 for s in systems if s.pk not in seen),
        }
    return found


def _first_systems_asked(pks, user, shown: int) -> list:
    """The links of the entries counted, those to a system the viewer may see counted (not asked when
    they see every system, `user` None: the same count), and the first `shown` of those per entry, with
    what the page draws of each system: not every system of every entry, nor every column."""
    links = SoAEntry.systems.through.objects.filter(soaentry_id__in=pks)
    everyone = user is None
    visible = links if everyone else links.filter(aisystem__in=AISystem.objects.restrict(user, "view"))

    def per_entry(queryset):
        return queryset.order_by().values_list("soaentry_id").annotate(n=Count("aisystem_id"))

    first = (
        visible.annotate(
            rank=Window(RowNumber(), partition_by=[F("soaentry_id")], order_by=F("aisystem__reference").asc())
        )
        .filter(rank__lte=shown)
        .select_related("aisystem")
        .only("soaentry", "aisystem", *(f"aisystem__{name}" for name in SHOWN_SYSTEM_FIELDS))
        .order_by("soaentry_id", "aisystem__reference")
    )
    return [per_entry(links), *([] if everyone else [per_entry(visible)]), first]


def _first_systems_read(pks, totals, *found) -> dict[int, dict]:
    """The first AI systems of each entry the viewer may see, by reference, how many more they may see
    and how many they may not."""
    *seen, first = found
    totals = dict(totals)
    seen, named = (dict(seen[0]) if seen else totals), {}
    for link in first:
        named.setdefault(link.soaentry_id, []).append(link.aisystem)
    return {
        pk: {
            "systems": named.get(pk, []),
            "more_systems": seen.get(pk, 0) - len(named.get(pk, [])),
            "hidden_systems": total - seen.get(pk, 0),
        }
        for pk, total in totals.items()
    }


def issues_of(entry, risks, judgement=None) -> list[tuple[str, str]]:
    """The failed checks of one entry as (key, text); `risks` are the live risks calling for it and
    `judgement` its control's judgement (without one, only the note of evidence is looked at)."""
    issues = []
    if not entry.applicable and risks:
        issues.append(("called_for", f"{CHECKS['called_for']}: {', '.join(r.reference for r in risks)}"))
    has_evidence = judgement.has_evidence if judgement is not None else bool(entry.evidence_note.strip())
    if entry.applicable and not has_evidence:
        issues.append(("no_evidence", CHECKS["no_evidence"]))
    if not entry.justification.strip():
        issues.append(("no_justification", CHECKS["no_justification"]))
    return issues


def label_of(entry) -> str:  # "A.6.2.5 AI system deployment", or the title of a control of our own
    return f"{entry.control.code} {entry.control.title}" if entry.control_id else entry.title


def statement_figures(rows, judgements) -> dict:
    """The statement's figures, from the rows already loaded: Annex A readiness as certification readiness
    counts it (one judgement per control), and what the SoA declares, each with the list behind it."""
    applicable = [r for r in rows if r["entry"].applicable]
    declared = sum(1 for r in applicable if r["entry"].implementation == SoAEntry.Implementation.IMPLEMENTED)
    counts = {key: sum(1 for r in rows if any(k == key for k, _ in r["issues"])) for key in CHECKS}
    covered = {r["entry"].control_id for r in rows if r["entry"].control_id}
    return {
        "percent": annex_a_percent(judgements),
        "applicable_count": len(applicable),
        "implemented_count": declared,
        "check_counts": [(CHECKS[key], key, n) for key, n in counts.items()],
        "rows_with_issues": sum(1 for r in rows if r["issues"]),
        "missing_controls": ANNEX_A_CONTROLS - len(covered),
    }

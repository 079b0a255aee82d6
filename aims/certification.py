"""Certification readiness: for every clause (4 to 10) and every Annex A control the SoA marks applicable,
is the documented information ISO/IEC 42001 asks for present, current and approved?

The checks are computed from the records, never answered by hand (that is the readiness questionnaire's
job, registers/readiness.py). Each domain app plugs its checks in from AppConfig.ready():

    registry.add_readiness_check("4.3", "Scope of the AIMS", check)           # check(today) -> CheckResult
    registry.add_readiness_check("6.1.3", "SoA approved", check, key="6.1.3-soa")  # several rows per clause
    registry.set_control_applicability(fn)   # fn(today) -> {"A.2.2": True, ...} or None (no SoA yet)

Registering again under the same key replaces a check (how a register built later takes over a row).
`readiness(today)` returns plain data (dicts, lists, strings, numbers) for the page, the dashboard panel,
the API and the evidence pack's index."""

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from aims.models import Requirement
from aims.models.catalogue import PRIMARY_STANDARD
from aims.registry import registry

MET, PARTIAL, MISSING = "met", "partial", "missing"
STATUS_LABELS = {MET: "Met", PARTIAL: "Partly met", MISSING: "Missing"}
SCORES = {MET: 1.0, PARTIAL: 0.5, MISSING: 0.0}
ANNEX = "A"


@dataclass(frozen=True)
class CheckResult:
    status: str  # MET, PARTIAL or MISSING
    reason: str  # what was found, or what is missing, in a sentence
    links: tuple[tuple[str, str], ...] = field(default=())  # (label, url) of the pages that fix it


def met(reason: str, *links) -> CheckResult:
    return CheckResult(MET, reason, tuple(links))


def partial(reason: str, *links) -> CheckResult:
    return CheckResult(PARTIAL, reason, tuple(links))


def missing(reason: str, *links) -> CheckResult:
    return CheckResult(MISSING, reason, tuple(links))


# -- one computation shared by many checks --------------------------------------------------------------
_run: ContextVar[dict | None] = ContextVar("readiness_run", default=None)


@contextmanager
def one_run():
    """Inside it, each `shared` computation is made once (a page that judges every Annex A control, as
    the Statement of Applicability does, reads the rows its checks share once). Nested runs are one."""
    if _run.get() is not None:
        yield
        return
    token = _run.set({})
    try:
        yield
    finally:
        _run.reset(token)


def shared(name: str, compute):
    """`compute()` once per readiness run (many checks read the same rows: the SoA, the documents ...);
    outside a run (a check called on its own) it is simply computed."""
    memo = _run.get()
    if memo is None:
        return compute()
    if name not in memo:
        memo[name] = compute()
    return memo[name]


# -- facts: rows many checks read, asked together -----------------------------------------------------------
# Judging every Annex A control reads a dozen registers: the AI systems, the mapped documents, dataset and
# supplier counts ... Asked one by one they were twenty queries for the SoA's list of entries, whose page
# may ask 12. A check module declares each such read once, at import, as a fact (a queryset, and what is
# kept of its rows); inside a run, `ask_facts` asks every fact not known yet in one query (aims.together).
_facts: dict[str, tuple] = {}


def fact(name: str, query, then=list) -> None:
    """Declare a fact: `query()` returns the queryset it reads, `then(rows)` what checks are given. The
    query takes nothing of the request -- no person, no data read first -- so its SQL is built once a
    day per process (aims.together.compiled; a date the SQL names stays right) and only run afresh."""
    _facts[name] = (query, then)


def known(name: str):
    """A declared fact, computed once per run: from what `ask_facts` asked already, or asked alone."""
    query, then = _facts[name]
    return shared(f"fact:{name}", lambda: then(list(query())))


def ask_facts(*querysets) -> list[list]:
    """Inside a run, every declared fact not known yet, in one query with `querysets` (a page's own rows
    that the same round trip can carry, as querysets or aims.together.compiled) and what the page asked
    to `carry`; returns the rows of `querysets`."""
    from aims.together import compiled, together

    memo = _run.get()
    pending = [] if memo is None else [name for name in _facts if f"fact:{name}" not in memo]
    carried = {} if memo is None else memo.pop("carry", {})
    today = timezone.localdate()
    asked = [compiled(("fact", name, _facts[name][0], today), _facts[name][0]) for name in pending]
    found = together(*asked, *carried.values(), *querysets)
    for name, rows in zip(pending, found, strict=False):
        memo[f"fact:{name}"] = _facts[name][1](rows)
    for name, rows in zip(carried, found[len(pending) :], strict=False):
        memo[f"carried:{name}"] = rows
    return found[len(pending) + len(carried) :]


def carry(name: str, queryset) -> None:
    """Inside a run, a page's read (the version in force of the statement it shows) to ask with the next
    facts asked, in the same round trip; its rows are `carried(name)` after. Outside a run, nothing."""
    memo = _run.get()
    if memo is not None:
        memo.setdefault("carry", {})[name] = queryset


def carried(name: str, queryset) -> list:
    """The rows of a read carried with the facts; asked now if no facts were asked since (or no run)."""
    memo = _run.get()
    if memo is not None and f"carried:{name}" in memo:
        return memo[f"carried:{name}"]
    if memo is not None:
        memo.get("carry", {}).pop(name, None)
    return list(queryset)


# -- the computation ---------------------------------------------------------------------------------------
def _section_of(code: str) -> str:
    return ANNEX if code.startswith("A.") else code.split(".")[0]


def percent_of(statuses) -> int:
    """How ready a set of checks is, 0-100: met counts 1, partly met a half, missing 0. Every percentage of
    readiness -- overall, per clause, Annex A on the SoA's page -- is this."""
    statuses = list(statuses)
    if not statuses:
        return 0
    return round(100 * sum(SCORES[s] for s in statuses) / len(statuses))


def readiness(today: dt.date | None = None) -> dict:
    """Every check's result, per clause and for Annex A, with percentages. The structure:

    {"as_of": "2026-11-30", "percent": 62, "counts": {"met": 30, "partial": 9, "missing": 12},
     "sections": [{"key": "4", "title": "Clause 4 Context of the organization", "percent": 75,
                   "counts": {...}, "checks": [CHECK, ...]}, ..., {"key": "A", "title": "Annex A ..."}],
     "gaps": [CHECK, ...]            # not met: missing first, then partly met, in document order
     "worst": [{"key", "title", "percent", "url"}, ...]  # the three sections furthest from ready
     "excluded_controls": ["A.7.3", ...]}                  # Annex A controls the SoA excludes

    CHECK = {"key", "code", "title", "status", "status_label", "reason", "links": [{"label", "url"}],
             "requirement_url"}"""
    today = today or timezone.localdate()
    with one_run():
        return _compute(today)


def _compute(today: dt.date) -> dict:
    catalogue = {
        r.code: r
        for r in Requirement.objects.filter(standard__key=PRIMARY_STANDARD).only(
            "code", "title", "key", "position", "kind"
        )
    }
    applicability = registry.control_applicability(today) if registry.control_applicability else None
    excluded = sorted(
        (code for code, applicable in (applicability or {}).items() if not applicable),
        key=lambda c: catalogue[c].position if c in catalogue else 0,
    )
    rows = []
    for order, check in enumerate(registry.readiness_checks.values()):
        if check.code in excluded:
            continue  # the SoA excludes the control (with its justification): nothing to document
        result = check.check(today)
        requirement = catalogue.get(check.code)
        rows.append(
            {
                "key": check.key,
                "code": check.code,
                "title": check.title,
                "status": result.status,
                "status_label": STATUS_LABELS[result.status],
                "reason": result.reason,
                "links": [{"label": label, "url": url} for label, url in result.links],
                "requirement_url": requirement.get_absolute_url() if requirement else "",
                "_position": (requirement.position if requirement else 10_000, order),
            }
        )
    rows.sort(key=lambda r: r["_position"])  # document order; a clause's rows as they were registered
    for row in rows:
        del row["_position"]
    sections = []
    for key in dict.fromkeys(_section_of(r["code"]) for r in rows):
        checks = [r for r in rows if _section_of(r["code"]) == key]
        heading = catalogue.get(key)
        if key == ANNEX:
            title = "Annex A controls (those the SoA marks applicable)"
        else:
            title = f"Clause {key} {heading.title}" if heading else f"Clause {key}"
        sections.append(
            {
                "key": key,
                "title": title,
                "percent": percent_of(r["status"] for r in checks),
                "counts": _counts(checks),
                "checks": checks,
            }
        )
    order = {MISSING: 0, PARTIAL: 1}
    gaps = sorted((r for r in rows if r["status"] != MET), key=lambda r: order[r["status"]])
    page = reverse("certification-readiness")
    worst = sorted(sections, key=lambda s: s["percent"])[:3]
    return {
        "as_of": today.isoformat(),
        "percent": percent_of(r["status"] for r in rows),
        "counts": _counts(rows),
        "sections": sections,
        "gaps": gaps,
        "worst": [
            {
                "key": s["key"],
                "title": s["title"],
                "percent": s["percent"],
                "url": f"{page}#section-{s['key']}",
            }
            for s in worst
            if s["percent"] < 100
        ],
        "excluded_controls": excluded,
    }


def _counts(rows) -> dict:
    return {status: sum(1 for r in rows if r["status"] == status) for status in (MET, PARTIAL, MISSING)}


# -- the snapshot the dashboard panel reads -------------------------------------------------------------
# Readiness reads every register (a few dozen queries, constant): too much for a dashboard panel, which
# must stay within a handful. The panel shows the latest snapshot, refreshed every 15 minutes by Celery
# beat and whenever someone opens the readiness page, and says when it was worked out.
SNAPSHOT_KEY = "certification-readiness:snapshot:v1"
SNAPSHOT_SECONDS = 24 * 60 * 60


def refresh_snapshot(today: dt.date | None = None) -> dict:
    data = readiness(today)
    store_snapshot(data)
    return data


def store_snapshot(data: dict) -> None:
    cache.set(SNAPSHOT_KEY, {**data, "computed_at": timezone.now().isoformat()}, SNAPSHOT_SECONDS)


def snapshot() -> dict | None:
    """The latest readiness with its "computed_at" (ISO date-time), or None before the first one."""
    return cache.get(SNAPSHOT_KEY)

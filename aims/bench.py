"""The harness of `manage.py bench`: timing, SQL query counts, baselines measured in the same run, and the
report. What is measured comes from the apps: each adds its measures to the core's registry
(registry.add_bench_measure), so the core names no register. See aims/management/commands/bench.py."""

import gc
import json
import os
import platform
import signal
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import django
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone


@dataclass(frozen=True)
class BenchMeasure:
    """One part of a measure named on the command line (`--only pages`): several apps may add parts to one
    name (the Plan app's risk pages and the Do app's inventory pages are both "pages"), run by `order`.
    `run(bench)` adds rows with bench.add / bench.page / bench.slow. A measure that is `alone` needs a
    database of its own and runs only by itself (`--only pack`); `default` ones run without --only."""

    name: str
    run: object
    order: int = 100
    default: bool = True
    alone: bool = False


def stats(samples: list[float]) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds."""
    ms = sorted(s * 1000 for s in samples)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return statistics.median(ms), p95


@contextmanager
def long_lived_frozen():
    """What is loaded before the measures (code, settings, the URL map) set aside from the garbage
    collector, as a web process does (aims.wsgi): each measure's gc.collect() then walks only what the
    measures made. Unfrozen afterwards, for a process that goes on (the test suite)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def once(fn) -> float:
    gc.collect()  # garbage left by the previous run is not this run's cost
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def timed(fn, repeat: int, warmup: int) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    return stats([once(fn) for _ in range(repeat)])


def timed_together(fns, repeat: int, warmup: int) -> list[tuple[float, float]]:
    """timed() for each of `fns`, run in turn within each repeat (a, b, c, a, b, c ...): on a shared
    machine a slow spell then falls on all of them alike, not on whichever was being timed."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    runs = [[] for _ in fns]
    for _ in range(repeat):
        for fn, times in zip(fns, runs, strict=True):
            times.append(once(fn))
    return [stats(times) for times in runs]


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


PROBE_LOOP = 2_000_000


def _probe_work() -> None:
    sum(i * i for i in range(PROBE_LOOP))


def machine_speed() -> tuple[float, float | None]:
    """Milliseconds for a fixed piece of pure-Python work on one core, and for the same work on two cores
    at once (two forked processes, from the fork to both done; None without fork): each the fastest of
    three. The machines this runs on are shared and their speed drifts, by half within an hour: a run's
    figures are read against these."""
    solo = min(once(_probe_work) for _ in range(3)) * 1000
    if not hasattr(os, "fork"):
        return solo, None
    pair = []
    for _ in range(3):
        started = time.perf_counter()
        children = []
        for _ in range(2):
            pid = os.fork()
            if pid == 0:  # the child does the work and nothing else: no Django teardown, no atexit
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which waits
                    _probe_work()
                finally:
                    os._exit(0)
            children.append(pid)
        for pid in children:
            os.waitpid(pid, 0)
        pair.append((time.perf_counter() - started) * 1000)
    return solo, min(pair)


class Bench:
    """One run: who measures, how often, and the rows measured so far."""

    def __init__(self, *, user, stdout, repeat: int, warmup: int, slow_repeat: int, options: dict):
        self.user, self.stdout = user, stdout
        self.repeat, self.warmup, self.slow_repeat = repeat, warmup, slow_repeat
        self.options = options  # the command's options, for measures that take their own (pack size)
        self.client = None  # a signed-in django.test.Client, for the pages
        self.rows: list[dict] = []

    # -- pages and API ----------------------------------------------------------------------------------
    def get(self, url: str):
        response = self.client.get(url)
        if response.status_code != 200:
            raise LookupError(f"HTTP {response.status_code}")
        return response

    def available(self, url: str) -> str | None:
        """None if `url` answers 200, else why not (the URLs may not exist yet)."""
        try:
            self.get(url)
        except LookupError as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - a broken page is a result to report, not a crash
            return f"{type(exc).__name__}: {exc}"
        return None

    def page(self, name: str, url: str, baseline=None, *, under_ms=None, within=None, max_queries=None):
        """Time a page or API answer as drawn afresh, with nothing kept (aims.freshness): what the first
        person to open it after a change waits, the figure the targets are judged on. A page that keeps
        parts of itself is timed again as kept, and that is said in the note. `baseline` = (rows,
        raw_page(), raw_count()): raw SQL fetching the same page, and its COUNT(*), timed in turn with it.
        `under_ms`, `within` (a ratio to the baseline) and `max_queries` are its targets, if it has any."""
        problem = self.available(url)
        if problem:
            self.add(name, url=url, note=f"not available ({problem})")
            return
        with override_settings(AIMS_KEEP_PAGES=False):
            count = queries(lambda: self.get(url))
            rows, raw_page, raw_count = baseline or (None, None, None)
            # The raw SQL it is judged against is timed in turn with it, request by request.
            timings = timed_together(
                [lambda: self.get(url), *((raw_page, raw_count) if baseline else ())],
                self.repeat,
                self.warmup,
            )
        (median, p95), *raw = timings
        kept_median, _ = timed(lambda: self.get(url), self.repeat, self.warmup)
        row = {"url": url, "median_ms": median, "p95_ms": p95, "queries": count}
        notes = []
        if baseline:
            (raw_median, _), (count_median, _) = raw
            # A paginated page also counts its rows; the ratio against page + COUNT(*) is shown too.
            with_count = median / (raw_median + count_median)
            row.update(
                baseline="raw SQL, same page",
                baseline_ms=raw_median,
                ratio=median / raw_median,
                raw_count_ms=count_median,
                ratio_with_count=with_count,
            )
            notes.append(f"vs raw page + COUNT(*) ({raw_median + count_median:.1f} ms): {with_count:.2f}x")
        if kept_median < 0.8 * median:  # the page keeps parts of itself: what a repeat view costs
            row["kept_ms"] = kept_median
            notes.append(f"kept, nothing written since: {kept_median:.1f} ms")
        self.add(
            name, rows=rows, note="; ".join(notes), target=verdict(row, under_ms, within, max_queries), **row
        )

    def growth(self, name: str, pattern: str, sizes: tuple[int, int]):
        """Queries of one URL at two page sizes: they must not grow with the rows on a page."""
        counts = []
        for size in sizes:
            url = pattern.format(size)
            problem = self.available(url)
            if problem:
                self.add(name, url=url, note=f"not available ({problem})")
                return
            counts.append(queries(lambda url=url: self.get(url)))
        verdict = "constant" if counts[0] == counts[1] else "GROWS with page size"
        self.add(name, url=pattern.format("N"), queries=counts, note=f"{counts[0]} vs {counts[1]}: {verdict}")

    # -- slow work (exports, PDF) -----------------------------------------------------------------------
    def timings(self, fn, repeat: int) -> tuple[float, float]:
        """Median and p95 of `repeat` runs of `fn`, after one untimed run (templates, fonts, caches)."""
        fn()
        return stats([once(fn) for _ in range(repeat)])

    def slow(self, name, rows, fn, baseline_fn, baseline, note="", first=None, *, under_ms=None, within=None):
        """Time `fn` against `baseline_fn`, interleaved; `first` (default `fn`) runs once untimed: it warms
        caches and its queries are counted."""
        try:
            count = queries(first or fn)
            app, base = [], []
            for _ in range(self.slow_repeat):  # interleaved, so load on a shared machine hits both alike
                app.append(once(fn))
                base.append(once(baseline_fn))
            (median, p95), (base_median, _) = stats(app), stats(base)
        except Exception as exc:  # noqa: BLE001 - report the failure as the result
            self.add(name, rows=rows, note=f"failed: {type(exc).__name__}: {exc}")
            return
        row = {"median_ms": median, "p95_ms": p95, "queries": count, "baseline": baseline,
               "baseline_ms": base_median, "ratio": median / base_median if base_median else None}  # fmt: skip
        self.add(name, rows=rows, note=note, target=verdict(row, under_ms, within), **row)

    # -- output -----------------------------------------------------------------------------------------
    def add(self, measure: str, **values):
        self.rows.append({"measure": measure, **values})

    def probe(self, when: str) -> None:
        """The machine's speed now (machine_speed), as a row: read the run's figures against it."""
        solo, pair = machine_speed()
        note = f"{PROBE_LOOP:,} squares summed in pure Python, fastest of 3; on two cores at once: " + (
            f"{pair:,.1f} ms" if pair is not None else "not measured (no fork)"
        )
        self.add(f"machine speed, {when}", median_ms=solo, note=note)

    def report(self, output: Path, **about):
        def ms(value):
            return f"{value:,.1f}" if isinstance(value, int | float) else "—"

        lines = [
            "| measure | rows | median ms | p95 ms | SQL queries | baseline | baseline ms | ratio | target | note |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in self.rows:
            count = row.get("queries")
            count = " / ".join(map(str, count)) if isinstance(count, list) else count
            ratio = f"{row['ratio']:.2f}x" if row.get("ratio") else "—"
            lines.append(
                f"| {row['measure']} | {row.get('rows') or '—'} | {ms(row.get('median_ms'))} | "
                f"{ms(row.get('p95_ms'))} | {count if count is not None else '—'} | "
                f"{row.get('baseline', '—')} | {ms(row.get('baseline_ms'))} | {ratio} | "
                f"{row.get('target') or '—'} | {row.get('note', '')} |"
            )
        if about:  # the data's shape: a register's plans depend on it (few owners with many risks each)
            lines.insert(
                0, "Data: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in about.items()) + "\n"
            )
        self.stdout.write("\n" + "\n".join(lines) + "\n")
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps(
                {
                    "at": timezone.now().isoformat(),
                    "database": {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])},
                    **about,
                    "user": self.user.username,
                    "repeat": self.repeat,
                    "warmup": self.warmup,
                    "python": platform.python_version(),
                    "django": django.get_version(),
                    "results": self.rows,
                },
                indent=2,
            )
        )
        self.stdout.write(f"Results written to {output}")


# Per dashboard, list page, list API or detail request, whatever the volume (BENCHMARKS.md).
QUERY_CEILING = 12


def verdict(row: dict, under_ms=None, within=None, max_queries=None) -> str | None:
    """A measure against its targets (BENCHMARKS.md), said in the table: "< 50 ms: met". A page that also
    counts its rows is judged against raw SQL for the page plus its COUNT(*)."""
    said = []
    if under_ms is not None:
        median = row.get("median_ms")
        said.append(f"< {under_ms:,} ms: {_met(median is not None and median < under_ms)}")
    if within is not None:
        ratio = row.get("ratio_with_count", row.get("ratio"))
        said.append(f"within {within:g}x: {_met(ratio is not None and ratio <= within)}")
    if max_queries is not None:
        said.append(
            f"at most {max_queries} queries: {_met(row.get('queries', max_queries + 1) <= max_queries)}"
        )
    return "; ".join(said) or None


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def dashboard_pages(bench):
    """The dashboard: its shell, then every panel of the person's roles in the one request the browser
    makes for them; and each panel on its own, so the one that costs most is found."""
    from aims.registry import registry

    bench.page("dashboard", "/", max_queries=QUERY_CEILING)
    if bench.available("/") is None:
        # The shell, and what it asks for once loaded (htmx); static files are cached by the browser.
        asked = bench.get("/").content.decode().count("hx-get=")
        bench.add("dashboard: requests to draw it", rows=1 + asked, target=f"at most 3: {_met(1 + asked <= 3)}",
                  note=f"the shell, then {asked} request(s) for its panels")  # fmt: skip
    bench.page("dashboard panels, all in one request", "/dashboard/panels/")
    for panel in registry.dashboard_panels:
        bench.page(f"dashboard panel: {panel.__name__}", f"/dashboard/panels/{panel.__name__}/", under_ms=30)

"""`manage.py bench`: the performance targets of BENCHMARKS.md, measured on volume data.

Runs against the configured database itself (not a test database): migrates it, tops it up with
`seed_scale` when it holds fewer risks than asked, then times the pages, the API, exports and the PDF
register as a board member. Every measure is reported next to a baseline taken in the same run (raw
SQL for pages, the csv module / openpyxl for exports, WeasyPrint alone for the PDF), because these
machines are shared and absolute times move from run to run.

The core knows no register: the risk model is found through django.apps and the register's export
and report modules are imported only if they exist. Whatever is missing is reported "not available".
"""

import csv
import datetime as dt
import gc
import importlib
import io
import json
import logging
import platform
import statistics
import time
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from aims import roles
from aims.models import Job, User

EXPORT_ROWS = 1000
ORDER_SQL = "r.residual_score DESC, r.reference"  # Risk.Meta.ordering, the list's default order


def _optional(module: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _stats(samples: list[float]) -> tuple[float, float]:
    """Median and 95th percentile in milliseconds."""
    ms = sorted(s * 1000 for s in samples)
    p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
    return statistics.median(ms), p95


def _once(fn) -> float:
    gc.collect()  # garbage left by the previous run is not this run's cost
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _timed(fn, repeat: int, warmup: int) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    return _stats([_once(fn) for _ in range(repeat)])


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


SCALE_SYSTEMS = 1000  # the inventory at volume, as the benchmark targets ask
MEASURES = ("pages", "exports", "pdf", "pack")
# A whole-AIMS evidence pack holds every record in the database: measured among 100,000 risks and 1,000
# AI systems it would time something else. It runs on a database of its own (make bench: <name>_pack).
DEFAULT_MEASURES = ("pages", "exports", "pdf")


class Command(BaseCommand):
    help = "Measure latency, SQL queries per request and ratios to raw baselines on volume data."

    def add_arguments(self, parser):
        parser.add_argument("--risks", type=int, default=100_000, help="Seed up to this many risks first.")
        parser.add_argument("--users", type=int, default=200, help="Scale users when seeding.")
        parser.add_argument("--repeat", type=int, default=30, help="Timed requests per measure.")
        parser.add_argument("--warmup", type=int, default=3, help="Untimed requests before timing.")
        parser.add_argument("--slow-repeat", type=int, default=3, help="Timed runs for exports and the PDF.")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "var" / "bench-results.json"))
        parser.add_argument(
            "--only", choices=MEASURES, action="append",
            help="Run only these measurements (repeatable). Default: pages, exports and pdf; 'pack' runs alone, "
            "on a database of its own, and makes its own volume data.",
        )  # fmt: skip
        parser.add_argument("--pack-records", type=int, default=10_000, help="Records in the evidence pack.")
        parser.add_argument(
            "--pack-files", type=int, default=2_000, help="Evidence files in the evidence pack."
        )

    def handle(self, *args, risks, users, repeat, warmup, slow_repeat, output, only, **options):
        if repeat < 1 or warmup < 0 or slow_repeat < 1:
            raise CommandError("--repeat and --slow-repeat must be at least 1, --warmup 0 or more.")
        self.repeat, self.warmup, self.slow_repeat = repeat, warmup, slow_repeat
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per page otherwise
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        call_command("migrate", interactive=False, verbosity=0)
        only = set(only or DEFAULT_MEASURES)
        if "pack" in only and only != {"pack"}:
            raise CommandError(
                "Measure the evidence pack on its own, on a database of its own: `manage.py bench --only pack` "
                "(make bench does this on <database>_pack)."
            )
        if only == {"pack"}:  # the pack makes its own volume data: no risk seeding needed
            self.rows, self.total, self.user = [], 0, self._any_board_member(users)
            self._pack(options["pack_records"], options["pack_files"])
            self._report(Path(output))
            return
        self.Risk = apps.get_model("registers", "Risk")
        systems = (
            apps.get_model("lifecycle", "AISystem").objects.count() if apps.is_installed("lifecycle") else 0
        )
        if self.Risk.objects.count() < risks or systems < SCALE_SYSTEMS:
            call_command("seed_scale", risks=risks, users=users, systems=SCALE_SYSTEMS, stdout=self.stdout)
        self.user = User.objects.filter(groups__name=roles.BOARD, is_active=True).order_by("username").first()
        if self.user is None:
            raise CommandError(
                "No active governance board member to measure as: run seed_scale or seed_demo."
            )
        self.total = self.Risk.objects.count()
        self.stdout.write(
            f"Benchmarking {self.total:,} risks on {connection.vendor} ({connection.settings_dict['NAME']}) "
            f"as {self.user.username}: {repeat} timed requests after {warmup} warm-ups."
        )
        self.rows: list[dict] = []
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        if "pages" in only:
            with override_settings(ALLOWED_HOSTS=hosts):
                self.client = Client(raise_request_exception=False)
                self.client.force_login(self.user)
                self._pages()
        if "exports" in only:
            self._exports()
        if "pdf" in only:
            self._pdf()
        self._report(Path(output))

    # -- evidence pack -----------------------------------------------------------------------------------
    def _any_board_member(self, users: int):
        user = User.objects.filter(groups__name=roles.BOARD, is_active=True).order_by("username").first()
        if user is None:
            call_command("seed_scale", risks=0, users=users, systems=0, stdout=self.stdout)
            user = User.objects.filter(groups__name=roles.BOARD, is_active=True).order_by("username").first()
        if user is None:
            raise CommandError(
                "No active governance board member to measure as: run seed_scale or seed_demo."
            )
        return user

    def _pack(self, records: int, files: int):
        """The evidence pack over volume data, against `zip -r` (audits.pack.bench, if installed)."""
        module = _optional("audits.pack.bench")
        if module is None:
            self._add("evidence pack", note="not available (no audits.pack.bench)")
            return
        try:
            self.rows.extend(module.measure(self.user, self.stdout, records=records, files=files))
        except Exception as exc:  # noqa: BLE001 - report the failure as the result
            self._add("evidence pack", note=f"failed: {type(exc).__name__}: {exc}")

    # -- pages and API ---------------------------------------------------------------------------------
    def _pages(self):
        Category = self.Risk._meta.get_field("category").related_model
        category = (
            Category.objects.order_by("position", "name").values_list("slug", flat=True).first() or "none"
        )
        top = self.Risk.objects.order_by("-residual_score", "reference").values_list("reference", flat=True)
        detail = top.first() or "RSK-0001"
        self._page("dashboard", "/")
        from aims.registry import registry

        for panel in registry.dashboard_panels:  # the browser loads each panel with its own request
            self._page(f"dashboard panel: {panel.__name__}", f"/dashboard/panels/{panel.__name__}/")
        self._page("risk list page", "/risks/", baseline=50)
        self._page("risk list API, 50 a page", "/api/v1/risks/?page_size=50", baseline=50)
        self._page("filtered list page", f"/risks/?level=high&category={category}")
        self._page("risk detail page", f"/risks/{detail}/")
        self._page("risk detail API", f"/api/v1/risks/{detail}/")
        self._inventory_pages()
        # Queries must not grow with the rows on a page.
        self._growth("list API queries, page_size 10 vs 50", "/api/v1/risks/?page_size={}", (10, 50))
        self._growth("list page queries, page_size 25 vs 200", "/risks/?page_size={}", (25, 200))

    def _get(self, url: str):
        response = self.client.get(url)
        if response.status_code != 200:
            raise LookupError(f"HTTP {response.status_code}")
        return response

    def _available(self, url: str) -> str | None:
        """None if `url` answers 200, else why not (the URLs may not exist yet)."""
        try:
            self._get(url)
        except LookupError as exc:
            return str(exc)
        except Exception as exc:  # noqa: BLE001 - a broken page is a result to report, not a crash
            return f"{type(exc).__name__}: {exc}"
        return None

    def _inventory_pages(self):
        """The AI system inventory at volume (seed_scale makes 1,000 systems by default)."""
        from django.apps import apps

        if not apps.is_installed("lifecycle"):
            return
        system = (
            apps.get_model("lifecycle", "AISystem")
            .objects.order_by("reference")
            .values_list("reference", flat=True)
            .first()
        )
        self._page("AI system list page", "/systems/")
        self._page("AI systems by priority", "/systems/priority/")
        self._page("AI system list API, 50 a page", "/api/v1/systems/?page_size=50")
        if system:
            self._page("AI system detail page", f"/systems/{system}/")
        statement = (
            apps.get_model("lifecycle", "Statement").objects.values_list("reference", flat=True).first()
        )
        self._page("SoA entries list page", "/soa-entries/")
        if statement:
            self._page("Statement of Applicability page", f"/soa/{statement}/")

    def _page(self, name: str, url: str, baseline: int | None = None):
        problem = self._available(url)
        if problem:
            self._add(name, url=url, note=f"not available ({problem})")
            return
        queries = _queries(lambda: self._get(url))
        median, p95 = _timed(lambda: self._get(url), self.repeat, self.warmup)
        row = {"url": url, "median_ms": median, "p95_ms": p95, "queries": queries}
        if baseline:
            raw_median, _ = _timed(lambda: self._raw_page(baseline), self.repeat, self.warmup)
            count_median, _ = _timed(self._raw_count, self.repeat, self.warmup)
            # A paginated page also counts its rows; the ratio against page + COUNT(*) is shown too.
            with_count = median / (raw_median + count_median)
            row.update(
                baseline="raw SQL, same page",
                baseline_ms=raw_median,
                ratio=median / raw_median,
                raw_count_ms=count_median,
                ratio_with_count=with_count,
                note=f"vs raw page + COUNT(*) ({raw_median + count_median:.1f} ms): {with_count:.2f}x",
            )
        self._add(name, rows=baseline, **row)

    def _growth(self, name: str, pattern: str, sizes: tuple[int, int]):
        counts = []
        for size in sizes:
            url = pattern.format(size)
            problem = self._available(url)
            if problem:
                self._add(name, url=url, note=f"not available ({problem})")
                return
            counts.append(_queries(lambda url=url: self._get(url)))
        verdict = "constant" if counts[0] == counts[1] else "GROWS with page size"
        self._add(
            name, url=pattern.format("N"), queries=counts, note=f"{counts[0]} vs {counts[1]}: {verdict}"
        )

    # -- raw SQL baselines -----------------------------------------------------------------------------
    def _tables(self) -> dict[str, str]:
        q = connection.ops.quote_name
        category = self.Risk._meta.get_field("category").related_model
        return {"risk": q(self.Risk._meta.db_table), "user": q(User._meta.db_table),
                "category": q(category._meta.db_table)}  # fmt: skip

    def _raw_select(self, where: str, tail: str, params) -> list[tuple]:
        t = self._tables()
        sql = (
            f"SELECT r.*, u.username, u.display_name, c.name, c.slug FROM {t['risk']} r "
            f"JOIN {t['user']} u ON u.id = r.owner_id JOIN {t['category']} c ON c.id = r.category_id "
            f"WHERE {where} {tail}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _raw_page(self, size: int) -> list[tuple]:
        return self._raw_select("r.archived_at IS NULL", f"ORDER BY {ORDER_SQL} LIMIT %s", [size])

    def _raw_count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self._tables()['risk']} WHERE archived_at IS NULL")
            return cursor.fetchone()[0]

    # -- exports ---------------------------------------------------------------------------------------
    def _exports(self):
        module = _optional("registers.io")
        if module is None or not hasattr(module, "export_csv"):
            self._add("CSV export", rows=EXPORT_ROWS, note="not available (no registers.io.export_csv)")
            self._add("XLSX export", rows=EXPORT_ROWS, note="not available (no registers.io.export_xlsx)")
            return
        criteria = apps.get_model("registers", "RiskCriteria").current()
        visible = self.Risk.objects.restrict(self.user, "view").live()
        ids = list(
            visible.order_by("-residual_score", "reference").values_list("pk", flat=True)[:EXPORT_ROWS]
        )

        def risks():
            return self.Risk.objects.restrict(self.user, "view").filter(pk__in=ids)

        def raw_rows():
            return self._raw_select("r.id = ANY(%s)" if connection.vendor == "postgresql" else
                                    f"r.id IN ({','.join(map(str, ids))})", "",
                                    [ids] if connection.vendor == "postgresql" else [])  # fmt: skip

        def raw_csv():
            buffer = io.StringIO()
            csv.writer(buffer).writerows(raw_rows())
            return buffer.getvalue().encode("utf-8-sig")

        def raw_xlsx():
            import openpyxl

            workbook = openpyxl.Workbook(write_only=True)
            sheet = workbook.create_sheet("risks")
            for row in raw_rows():  # Excel has no time zones: drop them, as an exporter must
                sheet.append([v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v for v in row])
            buffer = io.BytesIO()
            workbook.save(buffer)
            return buffer.getvalue()

        for name, fn, baseline_fn, baseline in (
            ("CSV export", "export_csv", raw_csv, "raw SQL + csv module"),
            ("XLSX export", "export_xlsx", raw_xlsx, "raw SQL + openpyxl write-only"),
        ):
            export = getattr(module, fn, None)
            if export is None:
                self._add(name, rows=len(ids), note=f"not available (no registers.io.{fn})")
                continue
            self._slow(name, len(ids), lambda export=export: export(risks(), criteria), baseline_fn, baseline)

    def _slow(self, name, rows, fn, baseline_fn, baseline, note="", first=None):
        """`first` (default `fn`) runs once untimed: it warms caches and its queries are counted."""
        try:
            queries = _queries(first or fn)
            app, base = [], []
            for _ in range(self.slow_repeat):  # interleaved, so load on a shared machine hits both alike
                app.append(_once(fn))
                base.append(_once(baseline_fn))
            (median, p95), (base_median, _) = _stats(app), _stats(base)
        except Exception as exc:  # noqa: BLE001 - report the failure as the result
            self._add(name, rows=rows, note=f"failed: {type(exc).__name__}: {exc}")
            return
        self._add(name, rows=rows, median_ms=median, p95_ms=p95, queries=queries, baseline=baseline,
                  baseline_ms=base_median, ratio=median / base_median if base_median else None,
                  note=note)  # fmt: skip

    # -- PDF register ----------------------------------------------------------------------------------
    def _pdf(self):
        reports = _optional("registers.reports")
        runner = getattr(reports, "risk_register_pdf", None)
        if runner is None:
            self._add("PDF register", rows=EXPORT_ROWS, note="not available (no registers.reports)")
            return
        filters, rows = self._pdf_filters(reports)
        job = Job.objects.create(
            kind=getattr(reports, "KIND", "risk_register_pdf"),
            title="bench: AI risk register",
            params={"filters": filters},
            requested_by=self.user,
        )
        html = {}

        def run():
            return runner(job, lambda percent: None)

        def weasyprint_alone():
            from weasyprint import HTML

            if "string" not in html:
                raise LookupError("the report handed no HTML string to WeasyPrint")
            return HTML(**html).write_pdf()

        try:
            self._slow("PDF register", rows, run, weasyprint_alone, "WeasyPrint alone, same HTML",
                       note=f"filters {filters or 'none'}",
                       first=lambda: html.update(self._capture_html(run)))  # fmt: skip
        finally:
            job.delete()

    def _pdf_filters(self, reports) -> tuple[dict, int]:
        """List-page filters that select about EXPORT_ROWS risks (the report takes filters, not ids)."""
        from django.db.models import Count

        visible = self.Risk.objects.restrict(self.user, "view").live()
        if visible.count() <= EXPORT_ROWS * 1.5:
            return {}, visible.count()
        groups = [
            ({"owner": g["owner__username"]}, g["n"])
            for g in visible.values("owner__username").annotate(n=Count("pk"))
        ] + [
            ({"ai_system": g["ai_system"], "status": g["status"]}, g["n"])
            for g in visible.values("ai_system", "status").annotate(n=Count("pk"))
        ]
        filters, _ = min(groups, key=lambda group: abs(group[1] - EXPORT_ROWS))
        queryset, _ = reports.filtered_risks(self.user, filters)
        return filters, queryset.count()

    @staticmethod
    def _capture_html(run) -> dict:
        """The arguments the report hands to WeasyPrint, so the baseline renders exactly that HTML."""
        import weasyprint

        original, seen = weasyprint.HTML, {}

        class Recording(original):
            def __init__(self, *args, **kwargs):
                seen.update(kwargs)
                super().__init__(*args, **kwargs)

        weasyprint.HTML = Recording
        try:
            run()
        finally:
            weasyprint.HTML = original
        return seen

    # -- output ----------------------------------------------------------------------------------------
    def _add(self, measure: str, **values):
        self.rows.append({"measure": measure, **values})

    def _report(self, output: Path):
        def ms(value):
            return f"{value:,.1f}" if isinstance(value, int | float) else "—"

        lines = [
            "| measure | rows | median ms | p95 ms | SQL queries | baseline | baseline ms | ratio | note |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in self.rows:
            queries = row.get("queries")
            queries = " / ".join(map(str, queries)) if isinstance(queries, list) else queries
            ratio = f"{row['ratio']:.2f}x" if row.get("ratio") else "—"
            lines.append(
                f"| {row['measure']} | {row.get('rows') or '—'} | {ms(row.get('median_ms'))} | "
                f"{ms(row.get('p95_ms'))} | {queries if queries is not None else '—'} | "
                f"{row.get('baseline', '—')} | {ms(row.get('baseline_ms'))} | {ratio} | {row.get('note', '')} |"
            )
        self.stdout.write("\n" + "\n".join(lines) + "\n")
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(
            json.dumps(
                {
                    "at": timezone.now().isoformat(),
                    "database": {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])},
                    "risks": self.total,
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

"""What `manage.py bench` measures of the AI risk register: its pages and list API against raw SQL
fetching the same page, queries that do not grow with the page, CSV/XLSX export against the csv module
and openpyxl alone, and the PDF register against WeasyPrint alone on the same HTML."""

import contextlib
import csv
import datetime as dt
import io
import itertools

from django.db import connection, models
from django.db.models import Count

from aims.bench import QUERY_CEILING, BenchMeasure, queries, timed_together, verdict
from aims.models import Change, Job, User
from aims.registry import registry

from .models import Risk, RiskCategory, RiskCriteria

EXPORT_ROWS = 1000
ORDER_SQL = "r.residual_score DESC, r.reference"  # Risk.Meta.ordering, the list's default order


# -- raw SQL baselines ----------------------------------------------------------------------------------
def _tables() -> dict[str, str]:
    q = connection.ops.quote_name
    return {"risk": q(Risk._meta.db_table), "user": q(User._meta.db_table),
            "category": q(RiskCategory._meta.db_table)}  # fmt: skip


def _raw_select(where: str, tail: str, params) -> list[tuple]:
    t = _tables()
    sql = (
        f"SELECT r.*, u.username, u.display_name, c.name, c.slug FROM {t['risk']} r "
        f"JOIN {t['user']} u ON u.id = r.owner_id JOIN {t['category']} c ON c.id = r.category_id "
        f"WHERE {where} {tail}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _raw_page(size: int):
    return lambda: _raw_select("r.archived_at IS NULL", f"ORDER BY {ORDER_SQL} LIMIT %s", [size])


def _raw_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {_tables()['risk']} WHERE archived_at IS NULL")
        return cursor.fetchone()[0]


# -- pages and API ----------------------------------------------------------------------------------------
def pages(bench):
    category = RiskCategory.objects.order_by("position", "name").values_list("slug", flat=True).first()
    top = Risk.objects.order_by("-residual_score", "reference").values_list("reference", flat=True)
    detail = top.first() or "RSK-0001"
    most = {"max_queries": QUERY_CEILING}
    bench.page("risk list page", "/risks/", baseline=(50, _raw_page(50), _raw_count), **most)
    bench.page(
        "risk list API, 50 a page", "/api/v1/risks/?page_size=50", baseline=(50, _raw_page(50), _raw_count),
        within=2, **most,
    )  # fmt: skip
    bench.page("filtered list page", f"/risks/?level=high&category={category or 'none'}", **most)
    bench.page("risk detail page", f"/risks/{detail}/", **most)
    bench.page("risk detail API", f"/api/v1/risks/{detail}/", **most)
    # Queries must not grow with the rows on a page.
    bench.growth("list API queries, page_size 10 vs 50", "/api/v1/risks/?page_size={}", (10, 50))
    bench.growth("list page queries, page_size 25 vs 200", "/risks/?page_size={}", (25, 200))


# -- exports ------------------------------------------------------------------------------------------------
def exports(bench):
    from .io import export_csv, export_xlsx

    criteria = RiskCriteria.current()
    visible = Risk.objects.restrict(bench.user, "view").live()
    ids = list(visible.order_by("-residual_score", "reference").values_list("pk", flat=True)[:EXPORT_ROWS])

    def risks():
        return Risk.objects.restrict(bench.user, "view").filter(pk__in=ids)

    def raw_rows():
        if connection.vendor == "postgresql":
            return _raw_select("r.id = ANY(%s)", "", [ids])
        return _raw_select(f"r.id IN ({','.join(map(str, ids)) or 'NULL'})", "", [])

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

    bench.slow(
        "CSV export", len(ids), lambda: export_csv(risks(), criteria), raw_csv, "raw SQL + csv module",
        under_ms=500,
    )  # fmt: skip
    bench.slow(
        "XLSX export", len(ids), lambda: export_xlsx(risks(), criteria), raw_xlsx,
        "raw SQL + openpyxl write-only", under_ms=1000,
    )  # fmt: skip


# -- PDF register -------------------------------------------------------------------------------------------
def pdf(bench):
    from . import reports

    filters, rows = _pdf_filters(bench.user)
    job = Job.objects.create(
        kind=reports.KIND,
        title="bench: AI risk register",
        params={"filters": filters},
        requested_by=bench.user,
    )
    html = {}

    def run():
        return reports.risk_register_pdf(job, lambda percent: None)

    def weasyprint_alone():
        from weasyprint import HTML

        if "string" not in html:
            raise LookupError("the report handed no HTML string to WeasyPrint")
        return HTML(**html).write_pdf()

    def whole():  # the report rendered in one part: the HTML it hands WeasyPrint is the whole document
        return reports.render_register(bench.user, filters, parts=1)

    # The app may render the register in parts at once (one per CPU) and join them; the baseline is
    # WeasyPrint alone on the same report's HTML whole, in one process, as it would be handed over in one
    # part: the table's first row against an older run shows what the HTML's shape bought, the ratio what
    # the parts at once (and the collector paused while rendering, aims.pdf) buy on top.
    parts = reports.parts_for(rows)
    note = f"filters {filters or 'none'}; app in {parts} part{'s' if parts > 1 else ''} at once"
    try:
        bench.slow("PDF register", rows, run, weasyprint_alone, "WeasyPrint alone, same HTML whole",
                   note=note, first=lambda: html.update(_capture_html(whole)), under_ms=3000)  # fmt: skip
    finally:
        job.delete()


def _pdf_filters(user) -> tuple[dict, int]:
    """List-page filters that select about EXPORT_ROWS risks, at least as many where the data allows (the
    report takes filters, not ids)."""
    from .reports import filtered_risks

    visible = Risk.objects.restrict(user, "view").live()
    if visible.count() <= EXPORT_ROWS * 1.5:
        return {}, visible.count()
    groups = [
        ({"owner": g["owner__username"]}, g["n"])
        for g in visible.values("owner__username").annotate(n=Count("pk"))
    ] + [
        ({"system": g["systems__reference"], "status": g["status"]}, g["n"])
        for g in visible.filter(systems__isnull=False)
        .values("systems__reference", "status")
        .annotate(n=Count("pk"))
    ]
    # A register of few owners holds several hundred risks each: no single owner or system comes near
    # EXPORT_ROWS, so sets of categories (?category=a&category=b, as the list page sends) are candidates
    # too. The group nearest EXPORT_ROWS from above wins (never a smaller register than the target), then
    # the fewest categories, then the first in order. At most 12 categories, the largest: 4,095 sums.
    by_category = sorted(
        visible.values_list("category__slug").annotate(n=Count("pk")).order_by("-n", "category__slug")[:12]
    )
    groups += [
        ({"category": [slug for slug, _ in subset]}, sum(n for _, n in subset))
        for size in range(1, len(by_category) + 1)
        for subset in itertools.combinations(by_category, size)
    ]
    filters, _ = min(groups, key=lambda group: (group[1] < EXPORT_ROWS, abs(group[1] - EXPORT_ROWS)))
    queryset, _ = filtered_risks(user, filters)
    return filters, queryset.count()


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


# -- writes -------------------------------------------------------------------------------------------------
SEALING_WITHIN = 1.2  # a sealed history may cost a risk's change at most a fifth more than before seals


def writes(bench):
    """A risk changed through its service, as a form or the API changes it, with its history entry sealed
    (aims.history_chain), against the same change with the entry written as before seals existed: what
    sealing costs a write. Each change is rolled back: the register and its history stay as they were."""
    risk = Risk.objects.live().filter(residual_score__gt=0).order_by("pk").first()
    if risk is None:
        bench.add("risk changed, history sealed", note="not available (no risk to change)")
        return
    sealed, unsealed = _change_once(risk, sealed=True), _change_once(risk, sealed=False)
    count = queries(sealed)
    (median, p95), (base_median, _) = timed_together([sealed, unsealed], bench.repeat, bench.warmup)
    row = {"median_ms": median, "p95_ms": p95, "queries": count, "baseline": "the same, history unsealed",
           "baseline_ms": base_median, "ratio": median / base_median}  # fmt: skip
    bench.add(
        "risk changed through its service, history sealed",
        rows=1,
        target=verdict(row, within=SEALING_WITHIN),
        note="one field changed, rolled back after each run; unsealed: the entry written as before seals",
        **row,
    )


def _change_once(risk, *, sealed: bool):
    from django.db import transaction

    from .services import risk_update

    def change():
        with transaction.atomic(), _sealing(sealed):
            fresh = Risk.objects.get(pk=risk.pk)
            risk_update(fresh, actor=fresh.owner, expected_version=fresh.version,
                        fields={"title": f"{fresh.title[:180]} (changed)"})  # fmt: skip
            transaction.set_rollback(True)

    return change


@contextlib.contextmanager
def _sealing(on: bool):
    """History entries written as they are (sealed), or with Django's plain save, as before seals."""
    if on:
        yield
        return
    own = Change.__dict__["save"]
    Change.save = models.Model.save
    try:
        yield
    finally:
        Change.save = own


registry.add_bench_measure(BenchMeasure("pages", pages, order=10))
registry.add_bench_measure(BenchMeasure("writes", writes, order=35))
registry.add_bench_measure(BenchMeasure("exports", exports, order=30))
registry.add_bench_measure(BenchMeasure("pdf", pdf, order=40))

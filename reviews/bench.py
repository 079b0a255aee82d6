"""What `manage.py bench --only reports` measures: every PDF report of the demo organisation, on a database
of its own that holds the demo (seed_demo), against the target of BENCHMARKS.md: under 1 s each. The Act app
measures them because it is the last of the PDCA layers: it may import every register's report.

Each report is made as its job makes it (the runner the registry holds), as the AIMS manager, who may see
every record; with nothing kept (aims.freshness), as the first request after any change would."""

from django.core.management import call_command
from django.test.utils import override_settings

from aims import roles
from aims.bench import BenchMeasure, verdict
from aims.models import Job, User
from aims.registry import registry

DEMO_REPORT_MS = 1000  # every demo report (BENCHMARKS.md)


def _first(model) -> dict:
    reference = model.objects.live().order_by("reference").values_list("reference", flat=True).first()
    return {"reference": reference} if reference else None


def samples() -> dict:
    """{job kind: params of the demo's report of that kind, or None when the demo has no record for it}."""
    from audits.models import Audit
    from audits.report import KIND as AUDIT
    from lifecycle.dossier import KIND as DOSSIER
    from lifecycle.models import AISystem, Statement
    from lifecycle.stakeholder_report import KIND as STAKEHOLDER
    from lifecycle.standard.soa import KIND as SOA
    from registers.models import ReadinessAssessment
    from registers.readiness import KIND as READINESS
    from registers.reports import KIND as REGISTER

    from .board_pack import KIND as BOARD_PACK
    from .models import ManagementReview
    from .report import KIND as REVIEW

    return {
        REGISTER: {"filters": {}},
        READINESS: _first(ReadinessAssessment),
        DOSSIER: _first(AISystem),
        STAKEHOLDER: {},
        SOA: _first(Statement),
        AUDIT: _first(Audit),
        REVIEW: _first(ManagementReview),
        BOARD_PACK: {},
    }


def reports(kinds) -> list[str]:
    """The job kinds that make a PDF report (imports and the evidence pack are jobs too; the pack is
    measured against zip -r by `bench --only pack`)."""
    return sorted(k for k in kinds if k.endswith("_pdf"))


def _time(bench, runner, job) -> tuple[float, float, int]:
    """Median and p95 of making the report, with nothing kept, and the PDF's size."""
    sizes = []

    def make():
        sizes.append(len(runner(job, lambda percent: None)[1]))

    with override_settings(AIMS_KEEP_PAGES=False):
        median, p95 = bench.timings(make, bench.slow_repeat)
    return median, p95, sizes[-1]


def run(bench):
    call_command("seed_demo", verbosity=0)
    manager = User.objects.filter(groups__name=roles.MANAGER, is_active=True).order_by("username").first()
    params = samples()
    for kind in reports(registry.job_runners):
        name = f"demo report: {kind}"
        if params.get(kind) is None:
            why = "add it to reviews.bench.samples" if kind not in params else "the demo has no record for it"
            bench.add(name, note=f"not measured: {why}")
            continue
        job = Job.objects.create(kind=kind, title=f"bench: {kind}", params=params[kind], requested_by=manager)
        try:
            median, p95, size = _time(bench, registry.job_runners[kind], job)
        except Exception as exc:  # noqa: BLE001 - a report that fails is the result to report
            bench.add(name, note=f"failed: {type(exc).__name__}: {exc}")
            continue
        finally:
            job.delete()
        row = {"median_ms": median, "p95_ms": p95}
        bench.add(name, rows=1, target=verdict(row, under_ms=DEMO_REPORT_MS),
                  note=f"{size / 1000:,.0f} KB PDF, as {manager.username}", **row)  # fmt: skip


registry.add_bench_measure(BenchMeasure("reports", run, order=45, default=False, alone=True))

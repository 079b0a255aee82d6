"""What `manage.py bench` measures of the AI system inventory and the SoA at volume, and how it makes the
volume data first (seed_scale lives in this app: it fills both risks and AI systems)."""

from django.core.management import call_command

from aims.bench import BenchMeasure
from aims.registry import registry


def prepare(*, risks: int, users: int, systems: int, owners: int = 0, stdout) -> dict:
    """Top the database up to `risks` risks and `systems` AI systems (1,000 by default, as the benchmark
    targets ask); facts for the report."""
    from registers.models import Risk

    from .models import AISystem

    if Risk.objects.count() < risks or AISystem.objects.count() < systems:
        call_command("seed_scale", risks=risks, users=users, systems=systems, owners=owners, stdout=stdout)
    holders = Risk.objects.order_by().values("owner").distinct().count()
    return {"risks": Risk.objects.count(), "systems": AISystem.objects.count(), "risk_owners": holders}


def inventory_pages(bench):
    """The AI system inventory and the Statement of Applicability at volume."""
    from .models import AISystem, Statement

    system = AISystem.objects.order_by("reference").values_list("reference", flat=True).first()
    bench.page("AI system list page", "/systems/")
    bench.page("AI systems by priority", "/systems/priority/")
    bench.page("AI system list API, 50 a page", "/api/v1/systems/?page_size=50")
    if system:
        bench.page("AI system detail page", f"/systems/{system}/")
    statement = Statement.objects.values_list("reference", flat=True).first()
    bench.page("SoA entries list page", "/soa-entries/")
    if statement:
        bench.page("Statement of Applicability page", f"/soa/{statement}/")


registry.bench_prepare = prepare
registry.add_bench_measure(BenchMeasure("pages", inventory_pages, order=20))

"""`manage.py bench`: the performance targets of BENCHMARKS.md, measured on volume data.

Runs against the configured database itself (not a test database): migrates it, lets the app that owns
the volume data top it up (registry.bench_prepare), then runs the measures the apps contributed
(registry.add_bench_measure) as a governance board member. Every measure is reported next to a baseline
taken in the same run (raw SQL for pages, the csv module / openpyxl for exports, WeasyPrint alone for the
PDF, zip -r for the evidence pack), because these machines are shared and absolute times move from run
to run. The core knows no register: see aims/bench.py for the harness."""

import logging
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from aims import roles
from aims.bench import Bench, long_lived_frozen
from aims.models import User
from aims.registry import registry


def _board_member():
    return User.objects.filter(groups__name=roles.BOARD, is_active=True).order_by("username").first()


class Command(BaseCommand):
    help = "Measure latency, SQL queries per request and ratios to raw baselines on volume data."

    def add_arguments(self, parser):
        names = sorted({m.name for m in registry.bench_measures})
        defaults = sorted({m.name for m in registry.bench_measures if m.default})
        alone = sorted({m.name for m in registry.bench_measures if m.alone})
        parser.add_argument("--risks", type=int, default=100_000, help="Seed up to this many risks first.")
        parser.add_argument("--users", type=int, default=200, help="Scale users when seeding.")
        parser.add_argument(
            "--systems", type=int, default=1000, help="Seed up to this many AI systems first."
        )
        parser.add_argument(
            "--owners", type=int, default=5,
            help="How many owners hold the seeded risks: 5 (default) is a real register's shape, few owners "
            "with many risks each; 0 spreads them over every scale owner. Applies when seeding.",
        )  # fmt: skip
        parser.add_argument("--repeat", type=int, default=30, help="Timed requests per measure.")
        parser.add_argument("--warmup", type=int, default=3, help="Untimed requests before timing.")
        parser.add_argument("--slow-repeat", type=int, default=3, help="Timed runs for exports and the PDF.")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "var" / "bench-results.json"))
        parser.add_argument(
            "--only", choices=names, action="append",
            help=f"Run only these measurements (repeatable). Default: {', '.join(defaults)}; "
            f"{', '.join(alone) or 'none'} run alone, on a database of their own, with their own volume data.",
        )  # fmt: skip
        parser.add_argument("--pack-records", type=int, default=10_000, help="Records in the evidence pack.")
        parser.add_argument(
            "--pack-files", type=int, default=2_000, help="Evidence files in the evidence pack."
        )
        parser.add_argument(
            "--load-seconds", type=int, default=60, help="How long each run of the load test lasts."
        )
        parser.add_argument("--load-risks", type=int, default=10_000, help="Risks in the load test's data.")
        parser.add_argument(
            "--load-systems", type=int, default=1_000, help="AI systems in the load test's data."
        )
        parser.add_argument(
            "--load-users", type=int, action="append",
            help="People at once in the load test (repeatable). Default: 50, then 100.",
        )  # fmt: skip
        parser.add_argument(
            "--load-profile", metavar="DIR",
            help="Sample the web processes with py-spy through the load test's first run; collapsed "
            "stacks are written to DIR/web.txt.",
        )  # fmt: skip

    def handle(
        self, *args, risks, users, systems, owners, repeat, warmup, slow_repeat, output, only, **options
    ):
        if repeat < 1 or warmup < 0 or slow_repeat < 1:
            raise CommandError("--repeat and --slow-repeat must be at least 1, --warmup 0 or more.")
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per page otherwise
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        call_command("migrate", interactive=False, verbosity=0)
        wanted = set(only or {m.name for m in registry.bench_measures if m.default})
        alone = {m.name for m in registry.bench_measures if m.alone} & wanted
        if alone and wanted != alone or len(alone) > 1:
            raise CommandError(
                f"Measure {', '.join(sorted(alone))} on its own, on a database of its own: "
                f"`manage.py bench --only {sorted(alone)[0]}` (make bench does this on <database>_pack)."
            )
        about = {}
        if not alone and registry.bench_prepare is not None:  # an alone measure makes its own data
            about = registry.bench_prepare(
                risks=risks, users=users, systems=systems, owners=owners, stdout=self.stdout
            )
        user = _board_member()
        if user is None:
            call_command("seed_scale", risks=0, users=users, systems=0, stdout=self.stdout)
            user = _board_member()
        if user is None:
            raise CommandError(
                "No active governance board member to measure as: run seed_scale or seed_demo."
            )
        bench = Bench(
            user=user,
            stdout=self.stdout,
            repeat=repeat,
            warmup=warmup,
            slow_repeat=slow_repeat,
            options=options,
        )
        self.stdout.write(
            f"Benchmarking {', '.join(sorted(wanted))} on {connection.vendor} "
            f"({connection.settings_dict['NAME']}) as {user.username}: {repeat} timed requests after "
            f"{warmup} warm-ups."
        )
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]), long_lived_frozen():
            bench.client = Client(raise_request_exception=False)
            bench.client.force_login(user)
            bench.probe("at the start")
            for measure in registry.bench_measures:
                if measure.name in wanted:
                    measure.run(bench)
            bench.probe("at the end")
        bench.report(Path(output), **about)

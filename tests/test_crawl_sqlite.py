"""The demo runs on SQLite (make run), where a list's filters build SQL that PostgreSQL never sees: every
choice of every filter each register's list declares works there too, as the manager and as an owner (the dashboard's
"measurements overdue" link, /kpis/?overdue=true, failed only there). On a fresh SQLite file, in a
process of its own (tests/sqlite_filters.py) since this process runs on PostgreSQL."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_every_filter_of_every_register_list_works_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DEBUG", "PYTEST_XDIST_WORKER")}
    env.update(
        DJANGO_SETTINGS_MODULE="aims.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'aims.sqlite3'}",
        AIMS_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="testserver",
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),  # this process's code, in its order
    )
    done = subprocess.run(
        [sys.executable, "-S", "-m", "tests.sqlite_filters"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["tried"] > 500, outcome
    assert not outcome["failures"], "filters that fail on SQLite:\n" + "\n".join(outcome["failures"])

"""`make run`'s SQLite database under people who save at the same moment: they queue for the write
lock (one save wins, the others are told the risk changed), and a lock that outlasts the wait is a
503 to retry, never a 500. Real concurrent requests on a real SQLite file, in a process of its own
(tests/aims/sqlite_edits.py) since this process runs on PostgreSQL."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    var = tmp_path_factory.mktemp("sqlite-var")
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DEBUG", "PYTEST_XDIST_WORKER")}
    env.update(
        DJANGO_SETTINGS_MODULE="aims.settings.local",
        DATABASE_URL=f"sqlite:///{var / 'aims.sqlite3'}",
        AIMS_VAR_DIR=str(var),
        ALLOWED_HOSTS="testserver",
        # This process's own import path, in order, so the child imports the same code.
        PYTHONPATH=os.pathsep.join(p for p in sys.path if p),
    )
    done = subprocess.run(
        [sys.executable, "-S", "-m", "tests.aims.sqlite_edits", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_simultaneous_saves_of_one_risk_queue_instead_of_failing(outcome):
    statuses = outcome["concurrent"]
    assert 500 not in statuses, statuses
    # Everyone saved version 1: the first wins, the others are told someone changed it meanwhile.
    assert sorted(statuses) == [302] + [409] * (len(statuses) - 1), statuses
    assert outcome["version_after"] == 2
    assert outcome["journal"] == "wal"


@pytest.mark.slow
def test_a_lock_held_past_the_wait_is_a_503_to_retry(outcome):
    status, retry_after, page = outcome["blocked"]
    assert (status, retry_after) == (503, "5")
    assert "Busy: please try again" in page and "was not saved" in page
    status, retry_after, body = outcome["api"]
    assert (status, retry_after) == (503, "5") and "Retry in 5 seconds" in json.loads(body)["detail"]
    assert outcome["title_after"] != "While the lock is held"

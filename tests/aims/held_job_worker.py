"""The Celery app that tests/aims/test_job_recovery.py runs as a real worker process (`celery -A
tests.aims.held_job_worker worker`): the project's app, plus a job kind the test holds open while it kills
the worker, so it knows which process runs the job and when."""

import os
import time
from pathlib import Path

from aims.celery import app  # noqa: F401  what `celery -A` looks for
from aims.registry import registry  # no model behind it: Django is set up only after this module is loaded

KIND = "held_for_test"


def held_job(job, progress):
    """Write the pid of the process running it (one line per start), then wait for the test's go-ahead."""
    from aims.jobs import JobError

    with Path(job.params["started"]).open("a") as started:
        started.write(f"{os.getpid()}\n")
    progress(10)
    go, deadline = Path(job.params["go"]), time.monotonic() + 60
    while not go.exists():
        if time.monotonic() > deadline:
            raise JobError("The test never let this job finish.")
        time.sleep(0.05)
    return "held.txt", b"finished"


registry.add_job_runner(KIND, held_job)

"""A real Celery worker over the configured broker (Redis in CI) runs a report job end to end."""

import io
import time
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connections
from pypdf import PdfReader

from aims import jobs
from aims.celery import app
from aims.models import Job, Notification
from registers.reports import register_reports

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(monkeypatch):
    register_reports()  # the worker runs in this process and shares the registry
    # The worker thread opens its own database connection; with no reuse it is closed after each
    # task, so the test database can be flushed and dropped afterwards.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    app.control.purge()  # leftovers from an earlier, interrupted run would be consumed first
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def wait_for(job: Job, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"Job {job.pk} still {job.status} ({job.progress} %) after {timeout} s")


def test_a_worker_turns_a_queued_report_into_a_pdf(worker, make_risk, owner):
    if settings.REDIS_URL:
        assert app.conf.broker_url == settings.REDIS_URL
    risk = make_risk(title="Hiring model favours one university")
    # Not inside a transaction: the row is committed, so on_commit queues the task at once.
    job = jobs.start_job(
        kind="risk_register_pdf", title="AI risk register", params={"filters": {}}, user=owner
    )

    job = wait_for(job)

    assert job.status == Job.Status.DONE, job.error
    assert job.progress == 100 and job.result_name.endswith(".pdf")
    data = (Path(settings.PRIVATE_MEDIA_ROOT) / job.result_path).read_bytes()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())
    assert f"{risk.reference} Hiring model favours one university" in text
    assert Notification.objects.filter(user=owner, key=f"job:{job.pk}", url=f"/jobs/{job.pk}/").exists()


def test_the_embedded_broker_keeps_every_file_under_var(tmp_path):
    """Without Redis (`make run`), kombu's filesystem broker writes its exchange tables under var/, not
    into a `control` folder of whatever directory the worker was started from (the source tree)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="aims.settings.local", AIMS_VAR_DIR=str(var))
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    code = (
        "import django; django.setup()\n"
        "from aims.celery import app\n"
        "app.send_task('aims.tasks.reminder_sweep')\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, timeout=60)
    assert not (tmp_path / "control").exists()
    assert any((var / "broker" / "control").glob("*.exchange"))
    assert len(list((var / "broker" / "in").iterdir())) == 1  # the message itself

"""A report made within a few seconds is downloaded straight from its button (still made by a real worker);
a longer one sends the person to its job page, and only then does "job finished" become a notification."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections

from aims.celery import app
from aims.models import Job, Notification
from tests.base import client_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(monkeypatch):
    # The worker thread opens its own database connection; with no reuse it is closed after each task,
    # so the test database can be flushed afterwards.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def finished(job: Job, timeout: float = 60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"Job {job.pk} still {job.status} after {timeout} s")


def test_a_quick_report_downloads_from_the_button_without_a_notification(worker, settings, make_risk, board):
    settings.REPORT_WAIT_SECONDS = 30  # far above what the register takes; the answer comes when it is done
    make_risk(title="Chatbot gives wrong refund amounts")

    response = client_for(board).post("/risks/report/")

    assert response.status_code == 200, response.get("Location")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="ai-risk-register-')
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and job.requested_by == board  # made by the worker, kept as a job
    assert not Notification.objects.filter(user=board).exists()


def test_a_long_report_sends_the_person_to_its_page_and_notifies_when_done(
    worker, settings, make_risk, owner
):
    settings.REPORT_WAIT_SECONDS = 0  # the report takes longer than the request waits
    make_risk(title="Scoring model drifts")

    response = client_for(owner).post("/risks/report/")

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert finished(job).status == Job.Status.DONE
    notice = Notification.objects.get(user=owner)
    assert notice.key == f"job:{job.pk}" and "ready to download" in notice.message

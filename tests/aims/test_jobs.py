"""Background jobs: queueing, running, storing the result with its checksum, failing clearly."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from aims import jobs
from aims.celery import app as celery_app
from aims.models import Job, Notification
from aims.registry import registry


@pytest.fixture
def runner_kinds():
    """Test runners, removed afterwards so they never leak into other tests."""
    added = []

    def add(kind, runner):
        registry.add_job_runner(kind, runner)
        added.append(kind)

    yield add
    for kind in added:
        registry.job_runners.pop(kind, None)


@pytest.fixture
def eager():
    """Celery runs tasks in-process (the worker test covers the real broker)."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


def test_an_unknown_kind_is_refused_and_nothing_is_recorded(owner):
    with pytest.raises(ValueError, match="Unknown job kind 'nope'"):
        jobs.start_job(kind="nope", title="Nothing", params={}, user=owner)
    assert not Job.objects.exists()


def test_a_job_is_queued_only_when_the_transaction_commits(
    owner, runner_kinds, eager, django_capture_on_commit_callbacks
):
    runner_kinds("greeting", lambda job, progress: ("hello.txt", b"hello"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.start_job(kind="greeting", title="Greeting", params={"to": "you"}, user=owner)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.params == {"to": "you"} and job.requested_by == owner


def test_a_successful_job_stores_the_file_its_checksum_and_tells_the_requester(
    owner, runner_kinds, eager, django_capture_on_commit_callbacks
):
    data = b"%PDF-1.7 pretend report\n" * 100
    seen = []

    def runner(job, progress):
        progress(40)
        seen.append(Job.objects.get(pk=job.pk).progress)
        return "../../etc/AI risk register.pdf", data

    runner_kinds("report", runner)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job(kind="report", title="AI risk register", params={}, user=owner)
    job.refresh_from_db()

    assert job.status == Job.Status.DONE and job.progress == 100 and job.error == ""
    assert seen == [40]  # progress is visible while the runner works
    assert job.started_at <= job.finished_at
    assert job.result_name == "AI_risk_register.pdf"  # no path, no spaces
    assert job.result_path == f"jobs/{job.pk}/AI_risk_register.pdf"
    stored = Path(settings.PRIVATE_MEDIA_ROOT) / job.result_path
    assert stored.read_bytes() == data and jobs.result_file(job) == stored
    assert job.result_size == len(data)
    assert job.sha256 == hashlib.sha256(data).hexdigest()
    note = Notification.objects.get(user=owner, key=f"job:{job.pk}")
    assert note.kind == Notification.Kind.JOB_DONE and note.url == f"/jobs/{job.pk}/"
    assert "AI risk register is ready" in note.message


def test_a_failing_runner_marks_the_job_failed_with_a_readable_message(owner, runner_kinds):
    def runner(job, progress):
        raise jobs.JobError("No risk matches the filters you chose.")

    runner_kinds("picky", runner)
    job = Job.objects.create(kind="picky", title="Picky report", requested_by=owner)
    jobs.run_job(job.pk)  # never raises into the worker loop
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at
    assert job.error == "No risk matches the filters you chose."
    assert not job.result_path and jobs.result_file(job) is None
    note = Notification.objects.get(user=owner, key=f"job:{job.pk}")
    assert note.message == "Picky report failed: No risk matches the filters you chose."


def test_a_crashing_runner_shows_no_internals_and_logs_the_traceback(owner, runner_kinds, caplog):
    def runner(job, progress):
        raise KeyError("SELECT secret FROM internals")

    runner_kinds("buggy", runner)
    job = Job.objects.create(kind="buggy", title="Buggy report", requested_by=owner)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "internal error (KeyError)" in job.error and f"job {job.pk}" in job.error
    assert "SELECT" not in job.error and "Traceback" not in job.error
    assert "Traceback" in caplog.text and "SELECT secret" in caplog.text


def test_a_finished_job_is_not_run_twice_and_a_missing_one_is_ignored(owner, runner_kinds):
    calls = []
    runner_kinds("once", lambda job, progress: calls.append(job.pk) or ("once.txt", b"1"))
    job = Job.objects.create(kind="once", title="Once", requested_by=owner)
    jobs.run_job(job.pk)
    jobs.run_job(job.pk)  # a redelivered task
    jobs.run_job(999_999)
    assert calls == [job.pk]


def test_a_kind_whose_runner_disappeared_fails_clearly(owner):
    job = Job.objects.create(kind="retired", title="Old report", requested_by=owner)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "No runner is registered" in job.error


def test_the_celery_tasks_are_registered_under_the_names_beat_and_start_job_use():
    import aims.tasks  # noqa: F401  what the worker's autodiscovery imports

    assert {"aims.tasks.run_job", "aims.tasks.reminder_sweep"} <= set(celery_app.tasks)
    schedule = celery_app.conf.beat_schedule or {}
    assert all(entry["task"] in celery_app.tasks for entry in schedule.values())

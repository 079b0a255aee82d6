"""Jobs the person who asked for them (or the AIMS manager) can cancel and retry, a job started again after
its worker stopped, and the sweep that fails the jobs nothing moves any more. The worker deaths themselves,
with real workers, are in test_job_recovery.py."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from aims import jobs, tasks
from aims.celery import app as celery_app
from aims.models import Job, Notification
from aims.registry import registry
from tests.base import client_for


@pytest.fixture
def kinds():
    """Test job kinds, removed afterwards so they never leak into other tests."""
    added = []

    def add(kind, runner, **declared):
        registry.add_job_runner(kind, runner, **declared)
        added.append(kind)

    yield add
    for kind in added:
        registry.job_runners.pop(kind, None)
        registry.job_kinds.pop(kind, None)


def make_job(owner, kind="report", **fields) -> Job:
    return Job.objects.create(kind=kind, title="Risk register", requested_by=owner, **fields)


def fresh(job: Job) -> Job:
    job.refresh_from_db()
    return job


# -- a job found running when its message arrives again: its worker stopped ---------------------------


def test_a_job_started_again_after_its_worker_stopped_runs_once_more_and_counts_the_attempt(owner, kinds):
    calls = []
    kinds("report", lambda job, progress: calls.append(job.attempts) or ("r.txt", b"r"))
    job = make_job(owner, status=Job.Status.RUNNING, attempts=1, started_at=timezone.now())
    jobs.run_job(job.pk)
    job = fresh(job)
    assert calls == [2] and job.status == Job.Status.DONE and job.attempts == 2


def test_a_job_whose_worker_stopped_twice_fails_with_the_reason_and_does_not_run(owner, kinds):
    calls = []
    kinds("report", lambda job, progress: calls.append(job.pk) or ("r.txt", b"r"))
    job = make_job(owner, status=Job.Status.RUNNING, attempts=2, started_at=timezone.now())
    jobs.run_job(job.pk)
    job = fresh(job)
    assert calls == [] and job.status == Job.Status.FAILED and job.finished_at
    assert "the worker stopped while running this job (twice)" in job.error
    assert "failed: Not finished" in Notification.objects.get(user=owner, key=f"job:{job.pk}").message


def test_the_job_task_is_acknowledged_only_when_it_ends_and_given_back_when_its_process_dies():
    task = celery_app.tasks["aims.tasks.run_job"]
    assert task.acks_late and task.reject_on_worker_lost
    assert task.time_limit < celery_app.conf.broker_transport_options.get("visibility_timeout", 3600)
    assert celery_app.conf.worker_prefetch_multiplier == 1


def test_a_job_over_its_time_limit_says_so(owner, kinds):
    def slow(job, progress):
        raise SoftTimeLimitExceeded()

    kinds("report", slow)
    job = make_job(owner)
    jobs.run_job(job.pk)
    assert "took longer than the 15 minutes a job may run" in fresh(job).error


# -- cancel ------------------------------------------------------------------------------------------------


def test_a_cancelled_queued_job_never_runs_when_its_message_arrives(owner, kinds):
    calls = []
    kinds("report", lambda job, progress: calls.append(job.pk) or ("r.txt", b"r"))
    job = make_job(owner)

    response = client_for(owner).post(f"/jobs/{job.pk}/cancel/", follow=True)

    assert "Risk register is cancelled." in response.content.decode()
    job = fresh(job)
    assert job.status == Job.Status.CANCELLED and job.is_finished and "Cancelled by Olivia" in job.error
    jobs.run_job(job.pk)  # the message arrives later
    assert calls == [] and fresh(job).status == Job.Status.CANCELLED


def test_a_running_job_cancelled_stops_at_its_next_progress_and_keeps_no_file(owner, manager, kinds):
    reached = []

    def runner(job, progress):
        jobs.cancel_job(job=Job.objects.get(pk=job.pk), user=manager)  # someone cancels it meanwhile
        progress(50)
        reached.append("after progress")
        return "r.txt", b"r"

    kinds("report", runner)
    job = make_job(owner)
    jobs.run_job(job.pk)
    job = fresh(job)
    assert reached == [] and job.status == Job.Status.CANCELLED and not job.result_path
    assert "cancelled by Maria" in Notification.objects.get(user=owner, key=f"job:{job.pk}").message


def test_a_job_cancelled_while_its_runner_worked_silently_drops_the_file(owner, kinds):
    def runner(job, progress):
        Job.objects.filter(pk=job.pk).update(status=Job.Status.CANCELLED)
        return "late.txt", b"too late"

    kinds("report", runner)
    job = make_job(owner)
    jobs.run_job(job.pk)
    job = fresh(job)
    assert job.status == Job.Status.CANCELLED and not job.result_path
    assert not (Path(settings.PRIVATE_MEDIA_ROOT) / "jobs" / str(job.pk) / "late.txt").exists()


def test_a_finished_job_cannot_be_cancelled_and_nothing_changes(owner):
    job = make_job(owner, status=Job.Status.DONE, progress=100)
    response = client_for(owner).post(f"/jobs/{job.pk}/cancel/", follow=True)
    assert (
        "Risk register is done; only a queued or running job can be cancelled." in response.content.decode()
    )
    assert fresh(job).status == Job.Status.DONE

    answer = client_for(owner).post(f"/api/v1/jobs/{job.pk}/cancel/")
    assert answer.status_code == 400
    assert answer.json() == {
        "status": ["Risk register is done; only a queued or running job can be cancelled."]
    }


@pytest.mark.parametrize("who", ["other_owner", "auditor", "board", "outsider"])
def test_nobody_else_sees_let_alone_cancels_or_retries_a_job(who, request, owner):
    person = request.getfixturevalue(who)
    running = make_job(owner, status=Job.Status.RUNNING)
    failed = make_job(owner, status=Job.Status.FAILED, error="Broke.")
    client = client_for(person)
    assert client.post(f"/jobs/{running.pk}/cancel/").status_code == 404
    assert client.post(f"/jobs/{failed.pk}/retry/").status_code == 404
    assert client.post(f"/api/v1/jobs/{running.pk}/cancel/").status_code == 404
    assert client.post(f"/api/v1/jobs/{failed.pk}/retry/").status_code == 404
    assert client.get(f"/jobs/{running.pk}/cancel/").status_code in (404, 405)
    assert fresh(running).status == Job.Status.RUNNING and not failed.retries.exists()


def test_the_job_page_offers_cancel_while_it_runs_and_retry_once_it_failed(owner, manager, kinds):
    kinds("report", lambda job, progress: ("r.txt", b"r"))
    job = make_job(owner, status=Job.Status.RUNNING)
    for person in (owner, manager):
        page = client_for(person).get(f"/jobs/{job.pk}/").content.decode()
        assert 'id="cancel"' in page and 'id="retry"' not in page
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error="Broke.")
    page = client_for(owner).get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="retry"' in page and 'id="cancel"' not in page
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    page = client_for(owner).get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="retry"' not in page and 'id="cancel"' not in page
    assert client_for(owner).get(f"/jobs/{job.pk}/retry/").status_code == 405  # POST only


# -- retry -------------------------------------------------------------------------------------------------


def test_retry_runs_the_failed_job_again_as_a_new_job_linked_both_ways(
    owner, manager, kinds, django_capture_on_commit_callbacks
):
    kinds("report", lambda job, progress: ("r.txt", job.params["what"].encode()))
    job = make_job(owner, status=Job.Status.FAILED, error="Broke.", params={"what": "risks"})

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client_for(manager).post(f"/jobs/{job.pk}/retry/")

    again = Job.objects.get(retry_of=job)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{again.pk}/"
    assert len(queued) == 1  # queued on commit, like any job
    assert (
        again.status == Job.Status.QUEUED
        and again.requested_by == owner
        and again.params == {"what": "risks"}
    )
    new_page = client_for(owner).get(f"/jobs/{again.pk}/").content.decode()
    assert f'<a href="/jobs/{job.pk}/" id="retry-of">job {job.pk}</a>, which failed.' in new_page
    assert (
        f'href="/jobs/{again.pk}/" id="retried-as"'
        in client_for(owner).get(f"/jobs/{job.pk}/").content.decode()
    )

    second = client_for(owner).post(f"/jobs/{job.pk}/retry/", follow=True)  # a second click
    assert f"Risk register was retried already, as job {again.pk}." in second.content.decode()
    assert job.retries.count() == 1 and fresh(job).status == Job.Status.FAILED


def test_retry_through_the_api(owner, kinds):
    kinds("report", lambda job, progress: ("r.txt", b"r"))
    job = make_job(owner, status=Job.Status.CANCELLED)
    answer = client_for(owner).post(f"/api/v1/jobs/{job.pk}/retry/")
    assert answer.status_code == 201
    body = answer.json()
    assert body["retry_of"] == job.pk and body["status"] == "queued" and body["attempts"] == 0
    done = client_for(owner).post(f"/api/v1/jobs/{body['id']}/retry/")
    assert (
        done.status_code == 400
        and "only a failed or cancelled job can be retried" in done.json()["status"][0]
    )


def test_a_kind_may_refuse_a_retry_with_its_reason(owner, kinds):
    kinds("pack", lambda job, progress: ("p.zip", b"p"), retry_refusal=lambda job: "Export the pack again.")
    job = make_job(owner, kind="pack", status=Job.Status.FAILED)
    answer = client_for(owner).post(f"/api/v1/jobs/{job.pk}/retry/")
    assert answer.status_code == 400 and answer.json() == {"status": ["Export the pack again."]}
    assert 'id="retry"' not in client_for(owner).get(f"/jobs/{job.pk}/").content.decode()
    retired = make_job(owner, kind="retired", status=Job.Status.FAILED)
    assert (
        "no longer produced"
        in client_for(owner).post(f"/api/v1/jobs/{retired.pk}/retry/").json()["status"][0]
    )


def test_an_import_is_retried_only_while_its_upload_is_kept(owner):
    from aims.imports import add_importer

    add_importer("test_import", lambda job, upload: None)
    try:
        upload = Path(settings.PRIVATE_MEDIA_ROOT) / "imports" / "kept.csv"
        upload.parent.mkdir(parents=True, exist_ok=True)
        upload.write_bytes(b"title\n")
        kept = make_job(
            owner, kind="test_import", status=Job.Status.FAILED, params={"upload": "imports/kept.csv"}
        )
        gone = make_job(
            owner, kind="test_import", status=Job.Status.FAILED, params={"upload": "imports/gone.csv"}
        )
        assert jobs.retry_job(job=kept, user=owner).retry_of == kept
        answer = client_for(owner).post(f"/api/v1/jobs/{gone.pk}/retry/")
        assert answer.json() == {
            "status": ["The uploaded file is no longer kept once an import has run: upload it again."]
        }
    finally:
        registry.job_runners.pop("test_import", None)
        registry.job_kinds.pop("test_import", None)
        upload.unlink(missing_ok=True)


# -- the sweep ---------------------------------------------------------------------------------------------


def test_the_sweep_fails_jobs_silent_for_longer_than_their_kind_allows(owner, kinds):
    kinds("quick", lambda job, progress: ("q.txt", b"q"), silence=timedelta(minutes=2))
    kinds("report", lambda job, progress: ("r.txt", b"r"))  # the default allowance, 20 minutes
    now = timezone.now()
    stale = make_job(
        owner, kind="quick", status=Job.Status.RUNNING, attempts=1, progressed_at=now - timedelta(minutes=3)
    )
    slow_but_allowed = make_job(
        owner, status=Job.Status.RUNNING, attempts=1, progressed_at=now - timedelta(minutes=3)
    )
    lost = make_job(owner, status=Job.Status.QUEUED)
    Job.objects.filter(pk=lost.pk).update(
        created_at=now - timedelta(minutes=settings.JOB_QUEUE_LIMIT_MINUTES + 1)
    )
    waiting = make_job(owner, status=Job.Status.QUEUED)
    done = make_job(owner, status=Job.Status.DONE, progressed_at=now - timedelta(days=1))

    out = StringIO()
    call_command("sweep_jobs", stdout=out)

    assert {j.pk for j in Job.objects.filter(status=Job.Status.FAILED)} == {stale.pk, lost.pk}
    assert fresh(stale).error.startswith("Not finished: it showed no progress for more than 2 minutes")
    assert fresh(lost).error.startswith("Not started: no worker took it up within 120 minutes")
    assert {fresh(j).status for j in (slow_but_allowed, waiting, done)} == {"running", "queued", "done"}
    assert "2 stale jobs failed." in out.getvalue()
    assert Notification.objects.filter(user=owner, key__in=[f"job:{stale.pk}", f"job:{lost.pk}"]).count() == 2

    tasks.sweep_jobs()  # what beat runs: nothing left to fail
    assert Job.objects.filter(status=Job.Status.FAILED).count() == 2


def test_a_run_failed_by_the_sweep_changes_nothing_afterwards(owner, kinds):
    def runner(job, progress):
        Job.objects.filter(pk=job.pk).update(progressed_at=timezone.now() - timedelta(hours=1))
        jobs.sweep_stale_jobs()
        progress(60)
        return "r.txt", b"r"

    kinds("report", runner)
    job = make_job(owner)
    jobs.run_job(job.pk)
    job = fresh(job)
    assert job.status == Job.Status.FAILED and job.progress == 0 and "no progress" in job.error


def test_beat_runs_the_sweep():
    schedule = celery_app.conf.beat_schedule
    assert any(entry["task"] == "aims.tasks.sweep_jobs" for entry in schedule.values())
    assert "aims.tasks.sweep_jobs" in celery_app.tasks

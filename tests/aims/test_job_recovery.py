"""A job survives the death of the worker running it: real Celery workers (prefork, one pool process) over
Redis, killed by the test with SIGKILL. The job is delivered again and finishes, or, when its worker dies a
second time, fails with the reason, and the person who asked can retry it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from aims import jobs
from aims.celery import app
from aims.models import Job, Notification
from aims.registry import registry
from tests.aims.held_job_worker import KIND, held_job

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 2  # seconds before Redis hands a dead worker's job to another; production: 18 minutes
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def held_kind():
    registry.add_job_runner(KIND, held_job)  # start_job checks the kind here; the worker has its own
    yield
    registry.job_runners.pop(KIND, None)
    registry.job_kinds.pop(KIND, None)


@pytest.fixture
def workers(tmp_path, transactional_db):
    """Starts real worker processes (`start()`), each in its own session; they are stopped at the end,
    before the test database is flushed, and what they leave in the broker is dropped."""
    forget_messages()
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}  # REDIS_URL is final already
    env.update(
        DJANGO_SETTINGS_MODULE="aims.settings.test",
        DATABASE_URL=f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@"
        f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        AIMS_VAR_DIR=str(settings.VAR_DIR),
        PRIVATE_MEDIA_ROOT=str(settings.PRIVATE_MEDIA_ROOT),
        WORKER_SOFT_SHUTDOWN_SECONDS="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    started = []

    def start(visibility_timeout: int = VISIBILITY_TIMEOUT) -> subprocess.Popen:
        command = [sys.executable, *(["-S"] if sys.flags.no_site else []), "-m", "celery"]
        command += ["-A", "tests.aims.held_job_worker", "worker", "--pool=prefork", "--concurrency=1"]
        command += ["--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel=info"]
        command += [f"--hostname=dying{len(started)}-{os.getpid()}@%h"]
        log = (tmp_path / f"worker{len(started)}.log").open("w")
        env["BROKER_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()  # the worker writes to its own copy
        started.append(process)
        return process

    yield start
    for process in started:  # what is left of each, pool processes included; what they held is dropped below
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
    forget_messages()


def forget_messages():
    """Empty the queue, and the jobs a killed worker held unacknowledged (which Redis would hand to the
    next test's worker once the visibility timeout passed)."""
    app.control.purge()
    with app.connection_for_write() as conn:
        conn.default_channel.client.delete("unacked", "unacked_index")


def start_held_job(tmp_path, owner) -> tuple[Job, Path, Path]:
    started, go = tmp_path / "started", tmp_path / "go"
    job = jobs.start_job(
        kind=KIND, title="Held report", params={"started": str(started), "go": str(go)}, user=owner
    )
    return job, started, go


def wait_until(what: str, check, timeout: float = 45):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.05)
    raise AssertionError(f"Still waiting for {what} after {timeout} s")


def runs(started: Path) -> list[int]:
    """The pool processes that started the job, in order."""
    return [int(line) for line in started.read_text().split()] if started.exists() else []


def job_now(job: Job) -> Job:
    job.refresh_from_db()
    return job


def test_a_job_whose_pool_process_is_killed_runs_again_and_finishes(tmp_path, workers, held_kind, owner):
    worker = workers()
    job, started, go = start_held_job(tmp_path, owner)
    first = wait_until("the first run", lambda: runs(started))[0]
    assert first != worker.pid and job_now(job).status == Job.Status.RUNNING

    os.kill(first, signal.SIGKILL)

    second = wait_until("the second run", lambda: runs(started)[1:])[0]
    assert second != first  # a fresh pool process took the job up again
    go.touch()
    job = wait_until("the job to finish", lambda: job_now(job).is_finished and job)
    assert job.status == Job.Status.DONE, job.error
    assert job.attempts == 2 and runs(started) == [first, second]
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / job.result_path).read_bytes() == b"finished"
    assert "ready to download" in Notification.objects.get(user=owner, key=f"job:{job.pk}").message


def test_a_job_whose_worker_dies_twice_fails_with_the_reason_and_can_be_retried(
    tmp_path, workers, held_kind, owner
):
    workers()
    job, started, go = start_held_job(tmp_path, owner)
    first = wait_until("the first run", lambda: runs(started))[0]
    os.kill(first, signal.SIGKILL)
    second = wait_until("the second run", lambda: runs(started)[1:])[0]

    os.kill(second, signal.SIGKILL)

    job = wait_until("the job to fail", lambda: job_now(job).is_finished and job)
    assert job.status == Job.Status.FAILED and job.attempts == 2
    assert "the worker stopped while running this job (twice)" in job.error
    assert runs(started) == [first, second]  # not started a third time
    note = Notification.objects.get(user=owner, key=f"job:{job.pk}")
    assert note.message.startswith("Held report failed: Not finished: the worker stopped")

    go.touch()  # the retry may finish at once
    again = jobs.retry_job(job=job, user=owner)
    again = wait_until("the retry to finish", lambda: job_now(again).is_finished and again)
    assert again.status == Job.Status.DONE and again.retry_of == job and again.attempts == 1


def test_a_job_whose_whole_worker_is_killed_is_finished_by_a_fresh_worker(
    tmp_path, workers, held_kind, owner
):
    killed = workers()
    job, started, go = start_held_job(tmp_path, owner)
    first = wait_until("the first run", lambda: runs(started))[0]

    killed.send_signal(signal.SIGKILL)  # the main worker process: nobody acknowledges or rejects the job
    killed.wait(timeout=10)
    wait_until("its pool process to go", lambda: not Path(f"/proc/{first}").exists(), timeout=10)
    assert job_now(job).status == Job.Status.RUNNING
    time.sleep(VISIBILITY_TIMEOUT + 0.5)  # only then does Redis hand it out again
    workers()

    second = wait_until("the run on the fresh worker", lambda: runs(started)[1:])[0]
    go.touch()
    job = wait_until("the job to finish", lambda: job_now(job).is_finished and job)
    assert job.status == Job.Status.DONE and job.attempts == 2, job.error
    assert second != first


def test_a_stopped_worker_hands_its_running_job_back_to_the_next_at_once(tmp_path, workers, held_kind, owner):
    """A restart (docker compose stop sends SIGQUIT): the job goes back to the queue when the worker stops,
    not after the broker's visibility timeout, here far beyond the test."""
    stopping = workers(visibility_timeout=600)
    job, started, go = start_held_job(tmp_path, owner)
    first = wait_until("the first run", lambda: runs(started))[0]

    stopping.send_signal(signal.SIGQUIT)
    stopping.wait(timeout=30)
    workers(visibility_timeout=600)

    second = wait_until("the run on the next worker", lambda: runs(started)[1:], timeout=30)[0]
    go.touch()
    job = wait_until("the job to finish", lambda: job_now(job).is_finished and job)
    assert job.status == Job.Status.DONE and job.attempts == 2, job.error
    assert second != first

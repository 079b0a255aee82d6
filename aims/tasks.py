"""Celery tasks of the core. Tasks load by id and call a service; the work lives in aims.jobs and
aims.reminders so that commands and tests run the same code without a worker."""

from celery import shared_task


@shared_task(name="aims.tasks.run_job", ignore_result=True, soft_time_limit=15 * 60, time_limit=16 * 60)
def run_job(job_id: int) -> None:
    """Run one background job (report, evidence pack, import); the Job row carries the outcome."""
    from aims import jobs

    jobs.run_job(job_id)


@shared_task(name="aims.tasks.reminder_sweep")
def reminder_sweep():
    """The daily review reminder sweep (9.1, 10.1: records kept current), scheduled by Celery beat."""
    from aims.reminders import sweep  # written alongside; imported late so the worker starts without it

    return sweep()


@shared_task(name="aims.tasks.readiness_snapshot", ignore_result=True)
def readiness_snapshot():
    """Work out certification readiness for the dashboard panel; the readiness page refreshes it too."""
    from aims.certification import refresh_snapshot

    refresh_snapshot()

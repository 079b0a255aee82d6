"""Celery tasks of the core. Tasks load by id and call a service; the work lives in aims.jobs and
aims.reminders so that commands and tests run the same code without a worker."""

from celery import shared_task

from aims.jobs import HARD_TIME_LIMIT, SOFT_TIME_LIMIT


# Acknowledged when it ends, not when it starts: a worker killed mid-job (or its pool process) leaves the
# message to be delivered again -- at once when only the pool process died (reject_on_worker_lost), after
# the broker's visibility timeout when the whole worker did. aims.jobs.run_job counts the attempts.
@shared_task(
    name="aims.tasks.run_job",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=HARD_TIME_LIMIT,
)
def run_job(job_id: int) -> None:
    """Run one background job (report, evidence pack, import); the Job row carries the outcome."""
    from aims import jobs

    jobs.run_job(job_id)


@shared_task(name="aims.tasks.sweep_jobs", ignore_result=True)
def sweep_jobs() -> None:
    """Fail the jobs nothing moves any more (their worker stopped), scheduled by Celery beat."""
    from aims import jobs

    jobs.sweep_stale_jobs()


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


@shared_task(name="aims.tasks.deliver_webhook", ignore_result=True, acks_late=True)
def deliver_webhook(delivery_id: int) -> None:
    """Try one webhook delivery; a failure is tried again later, as aims.webhooks.attempt says. The waits
    stay under the broker's visibility timeout, so a waiting retry is never handed to a second worker."""
    from aims import webhooks

    wait = webhooks.attempt(delivery_id)
    if wait is not None:
        deliver_webhook.apply_async((delivery_id,), countdown=wait)

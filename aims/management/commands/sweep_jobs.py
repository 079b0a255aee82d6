from django.core.management.base import BaseCommand

from aims.jobs import sweep_stale_jobs


class Command(BaseCommand):
    help = (
        "Fail the background jobs nothing moves any more (their worker stopped, or no worker took them up), "
        "with the reason, so that the people who asked can retry them. Celery beat runs the same sweep."
    )

    def handle(self, *args, **options):
        failed = sweep_stale_jobs()
        for job in failed:
            self.stdout.write(f"Job {job.pk} ({job.title}, asked by {job.requested_by}): {job.error}")
        self.stdout.write(f"{len(failed)} stale job{'s' if len(failed) != 1 else ''} failed.")

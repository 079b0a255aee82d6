"""`manage.py verify_pack FILE`: check an evidence pack's manifest signature and every file in it."""

from django.core.management.base import BaseCommand, CommandError

from audits.pack.verify import verify_pack


class Command(BaseCommand):
    help = "Verify an evidence pack ZIP: signature of manifest.json, then every file's size and SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The pack's ZIP file.")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as stream:
                result = verify_pack(stream)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        if result.ok:
            self.stdout.write(result.summary)
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(result.summary)

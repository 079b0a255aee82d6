"""`manage.py verify_pack FILE [--public-key KEY]`: check an evidence pack's manifest signature and every
file in it. With --public-key, the signature must be that key's (a PEM file, e.g. downloaded from
/.well-known/aims-pack-signing-keys); without, any key this AIMS has signed with will do."""

from django.core.management.base import BaseCommand, CommandError

from audits.pack.signing import PublicKey
from audits.pack.verify import verify_pack


class Command(BaseCommand):
    help = "Verify an evidence pack ZIP: signature of manifest.json, then every file's size and SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The pack's ZIP file.")
        parser.add_argument(
            "--public-key", dest="public_key", metavar="KEY",
            help="A PEM file holding the Ed25519 public key the pack must be signed by.",
        )  # fmt: skip

    def handle(self, *args, file, public_key=None, **options):
        keys = None
        if public_key:
            try:
                with open(public_key, "rb") as stream:
                    keys = [PublicKey.from_pem(stream.read())]
            except OSError as exc:
                raise CommandError(f"Cannot read {public_key}: {exc.strerror}") from exc
            except ValueError as exc:
                raise CommandError(f"{public_key} is {exc}.") from exc
        try:
            with open(file, "rb") as stream:
                result = verify_pack(stream, keys)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        if result.ok:
            self.stdout.write(result.summary)
            return
        for problem in result.problems:
            self.stderr.write(problem)
        raise CommandError(result.summary)

import json
import zipfile
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from aims import history_chain
from aims.models import Change
from aims.models.records import BaseRecord

SHOWN = 100  # broken chains named one by one; past that, counted


class Command(BaseCommand):
    help = (
        "Check that no history entry was edited, inserted or deleted in the database since it was written: "
        "walk every record's chain of sealed entries and name the first broken entry of each. With --pack, "
        "also check the history against the root an evidence pack recorded at its export. Exits 1 when "
        "something is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--pack",
            action="append",
            default=[],
            metavar="PATH",
            help="an evidence pack (ZIP) or its manifest.json; check its signature on the pack's page first",
        )

    def handle(self, *args, database, pack, **options):
        roots = {path: _recorded_root(Path(path)) for path in pack}  # a file that is no pack: said first
        records = [m for m in apps.get_models() if issubclass(m, BaseRecord)]
        problems = 0
        for problem in history_chain.verify(Change, records, using=database, named=SHOWN):
            problems += 1
            if problems <= SHOWN:
                self.stdout.write(problem)
        if problems > SHOWN:
            self.stdout.write(f"... and {problems - SHOWN:,} more broken chains.")
        for path, recorded in roots.items():
            now = history_chain.root(Change, using=database, up_to=recorded["last_entry"])
            if now["root"] != recorded["root"]:
                problems += 1
                self.stdout.write(
                    f"{path}: the history up to entry #{recorded['last_entry']} is not what the pack recorded "
                    f"at its export (root {recorded['root'][:16]}…, now {now['root'][:16]}…; "
                    f"{recorded['entries']:,} entries then, {now['entries']:,} now): it was rewritten since."
                )
            else:
                self.stdout.write(
                    f"{path}: the history up to entry #{recorded['last_entry']} is as exported."
                )
        summary = history_chain.root(Change, using=database)
        if problems:
            raise CommandError(
                f"{problems} problem{'s' if problems != 1 else ''} found in the history "
                f"({summary['entries']:,} entries in {summary['chains']:,} chains)."
            )
        self.stdout.write(
            f"History intact: {summary['entries']:,} entries in {summary['chains']:,} chains; "
            f"root {summary['root']}."
        )


def _recorded_root(path: Path) -> dict:
    """The history root a pack's manifest recorded, or a CommandError saying why there is none."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as pack:
                data = pack.read("manifest.json")
        else:
            data = path.read_bytes()
        recorded = json.loads(data)["pack"]["history"]
        if not isinstance(recorded.get("last_entry"), int) or not isinstance(recorded.get("root"), str):
            raise TypeError
    except OSError as exc:
        raise CommandError(f"{path}: cannot be read ({exc.strerror or exc}).") from exc
    except KeyError as exc:
        raise CommandError(
            f"{path}: no manifest.json with a pack.history (exported before seals?): {exc}"
        ) from exc
    except (ValueError, TypeError, AttributeError) as exc:
        raise CommandError(f"{path}: its manifest is not one an AIMS pack writes.") from exc
    return recorded

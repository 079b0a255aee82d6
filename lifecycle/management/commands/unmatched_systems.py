"""Which records name an AI system in text that the inventory does not match, and, with --link, link
those it now does (after a missing system was added to the inventory)."""

from django.core.management.base import BaseCommand, CommandError

from aims import roles
from aims.models import User
from lifecycle.system_links import link_named_systems, named_in_text


class Command(BaseCommand):
    help = (
        "Report records whose AI system is named in text, not linked to the inventory; --link links matches."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--link", action="store_true", help="Link what the inventory now matches (as the AIMS manager)."
        )
        parser.add_argument("--as", dest="username", help="Link as this AIMS manager (default: the first).")

    def handle(self, *args, link, username, **options):
        if link:
            managers = User.objects.filter(is_active=True, groups__name=roles.MANAGER).order_by("username")
            actor = managers.filter(username=username).first() if username else managers.first()
            if actor is None:
                raise CommandError(f"No active AIMS manager {username or ''} to link as.".replace("  ", " "))
            self.stdout.write(f"Linked {link_named_systems(actor)} record(s) as {actor.username}.")
        named = named_in_text()
        unmatched = [n for n in named if n.leftover]
        if not unmatched:
            self.stdout.write("Every AI system named in text is linked to the inventory.")
            return
        self.stdout.write(f"{len(unmatched)} record(s) name an AI system the inventory does not match:")
        for n in unmatched:
            could = f" (would link {', '.join(s.reference for s in n.systems)})" if n.systems else ""
            self.stdout.write(f"  {n.record.reference}  {n.record.title[:60]}  named: {n.leftover!r}{could}")

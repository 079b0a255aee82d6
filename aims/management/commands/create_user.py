from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from aims import roles
from aims.models import User


class Command(BaseCommand):
    help = "Create (or update) a user with one or more AIMS roles."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", required=True, choices=sorted(roles.BY_SLUG))
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="Display name")
        parser.add_argument(
            "--password", help="Omit to be asked (or to leave sign-in disabled with --no-input)."
        )
        parser.add_argument("--no-input", action="store_true")

    def handle(self, *args, username, role, email, name, password, no_input, **options):
        password = password or (None if no_input else self._ask())
        user, created = User.objects.get_or_create(username=username)
        user.email = email or user.email
        user.display_name = name or user.display_name
        if password:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.save()
        user.groups.set(Group.objects.filter(name__in=[roles.BY_SLUG[r] for r in role]))
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {username} with roles: {', '.join(roles.BY_SLUG[r] for r in role)}")

    def _ask(self):
        from getpass import getpass

        first = getpass("Password: ")
        if first != getpass("Again: "):
            raise CommandError("The passwords differ.")
        return first

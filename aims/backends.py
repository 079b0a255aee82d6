"""Signing in with a password and recognising the person on each later request (Django's ModelBackend),
with two differences, both because every page and API answer reads its person first: the person is read
together with their roles (aims.models.users.with_roles), saving each request a round trip, and that
statement is compiled once per process (aims.api.listing.by_ids), not built again for every request."""

from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from aims.api.listing import by_ids
from aims.models import User
from aims.models.users import PERSON_READS, keep_reads, with_roles


class RolesBackend(ModelBackend):
    def get_user(self, user_id):
        db = router.db_for_read(User)
        names = [field.attname for field in User._meta.concrete_fields]
        with_names = connections[db].vendor == "postgresql"  # with_roles reads them there only
        read = [*names, *PERSON_READS] if with_names else names
        rows = by_ids(
            db,
            "person",
            lambda ids: with_roles(User._default_manager.filter(pk__in=ids)).values_list(*read),
            [user_id],
        )
        if not rows:
            return None
        user = User.from_db(db, names, rows[0][: len(names)])
        if with_names:
            keep_reads(dict(zip(PERSON_READS, rows[0][len(names) :], strict=True)), user)
        return user if self.user_can_authenticate(user) else None

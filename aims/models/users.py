from functools import cached_property

from django.contrib.auth.models import AbstractUser, Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, models, transaction
from django.db.models import OuterRef
from django.utils import timezone

from aims import roles


class User(AbstractUser):
    """A person who signs in. Roles are auth groups (see aims.roles)."""

    display_name = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name_plural = "users"
        ordering = ["username"]

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # A new password (set_password: the page, the admin, `changepassword`) revokes every API token:
        # whoever knew the old password may have made one, and would otherwise keep access. Django
        # clears _password itself for hash upgrades at sign-in, which are no change.
        changed = self._password is not None and self.pk is not None
        with transaction.atomic():
            super().save(*args, **kwargs)
            if changed:
                live = self.api_tokens.filter(revoked_at__isnull=True)
                self.revoked_tokens = live.update(revoked_at=timezone.now())

    @cached_property
    def role_names(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        read = self.__dict__.get(ROLES_READ)  # read with the person (with_roles), or asked for now
        names = frozenset(self.groups.values_list("name", flat=True) if read is None else read)
        return names | {roles.MANAGER} if self.is_superuser else names

    def has_role(self, *names: str) -> bool:
        return bool(self.role_names.intersection(names))

    @property
    def role_labels(self) -> str:
        return ", ".join(sorted(self.role_names)) or "no role"


ROLES_READ = "role_names_read"


def with_roles(queryset, person="pk"):
    """`queryset` with each person's role names read in the same statement, so that the first look at
    role_names asks nothing more: every request reads its person and their roles, and a round trip of
    its own for the roles is one of the few a page may spend. `person` is the path to the person's id
    from the queryset's model ("user_id" for a row that belongs to someone). On PostgreSQL only; elsewhere
    role_names asks when first read, as before."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset
    names = Group.objects.filter(user=OuterRef(person)).values("name")
    return queryset.annotate(**{ROLES_READ: ArraySubquery(names)})

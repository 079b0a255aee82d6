from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models

from aims import roles


class User(AbstractUser):
    """A person who signs in. Roles are auth groups (see aims.roles)."""

    display_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        names = frozenset(self.groups.values_list("name", flat=True))
        return names | {roles.MANAGER} if self.is_superuser else names

    def has_role(self, *names: str) -> bool:
        return bool(self.role_names.intersection(names))

    @property
    def role_labels(self) -> str:
        return ", ".join(sorted(self.role_names)) or "no role"

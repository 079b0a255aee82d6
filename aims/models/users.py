import json
from functools import cached_property

from django.contrib.auth.models import AbstractUser, Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from aims import roles


class User(AbstractUser):
    """A person who signs in. Roles are auth groups (see aims.roles)."""

    display_name = models.CharField(max_length=150, blank=True)
    is_guest = models.BooleanField(
        "outside auditor",
        default=False,
        help_text="Invited by the AIMS manager to one audit: reaches only the guest pages (aims.guests).",
    )

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

    @cached_property
    def has_second_factor(self) -> bool:
        """Whether the person has set up an authenticator app or a security key (recovery codes alone are
        no second factor: they are made with one)."""
        read = self.__dict__.get(SECOND_FACTOR_READ)
        if read is None:
            from allauth.mfa.models import Authenticator

            return Authenticator.objects.filter(user=self, type__in=SECOND_FACTORS).exists()
        return read

    @cached_property
    def second_factor_required(self) -> bool:
        """Whether one of the person's roles must sign in with a second factor (aims.models.SignInPolicy).
        An outside auditor always must."""
        if self.is_guest:
            return True
        from .signin import SignInPolicy

        read = self.__dict__.get(MFA_POLICY_READ)  # the saved row's roles read with the person: [] or [roles]
        if read is None:
            saved = SignInPolicy.saved_roles()
        elif not read:  # never saved
            saved = None
        else:
            saved = json.loads(read[0]) if isinstance(read[0], str) else read[0]  # jsonb[] reads as text
        return self.has_role(*SignInPolicy.in_force(saved))

    @property
    def role_labels(self) -> str:
        return ", ".join(sorted(self.role_names)) or "no role"


ROLES_READ = "role_names_read"
SECOND_FACTOR_READ = "second_factor_read"
MFA_POLICY_READ = "mfa_policy_read"
# What with_roles reads with each person: their roles, whether they have a second factor, and the roles
# that must use one (a list of the policy's one row, empty before it is first saved).
PERSON_READS = (ROLES_READ, SECOND_FACTOR_READ, MFA_POLICY_READ)
SECOND_FACTORS = ("totp", "webauthn")


def with_roles(queryset, person="pk"):
    """`queryset` with each person's role names read in the same statement, so that the first look at
    role_names asks nothing more: every request reads its person and their roles, and a round trip of
    its own for the roles is one of the few a page may spend. `person` is the path to the person's id
    from the queryset's model ("user_id" for a row that belongs to someone). On PostgreSQL only; elsewhere
    role_names asks when first read, as before."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset
    from allauth.mfa.models import Authenticator

    from .signin import SignInPolicy

    names = Group.objects.filter(user=OuterRef(person)).values("name")
    factors = Authenticator.objects.filter(user=OuterRef(person), type__in=SECOND_FACTORS)
    policy = SignInPolicy.objects.filter(pk=SignInPolicy.ID).values("mfa_roles")
    return queryset.annotate(
        **{
            ROLES_READ: ArraySubquery(names),
            SECOND_FACTOR_READ: Exists(factors),
            MFA_POLICY_READ: ArraySubquery(policy),
        }
    )


def keep_reads(row: dict | object, user) -> None:
    """Hand what with_roles read with a row (a person, or a token with its person) to `user`."""
    for name in PERSON_READS:
        value = row.get(name) if isinstance(row, dict) else getattr(row, name, None)
        if value is not None:
            user.__dict__[name] = value

"""Which roles must sign in with a second factor: chosen by the AIMS manager (aims.views.security)."""

from django.conf import settings
from django.db import models

from aims import roles


class SignInPolicy(models.Model):
    """One row at most (id 1). Until the AIMS manager first saves it, the roles of the setting
    MFA_REQUIRED_ROLES (by default the governance board and AIMS managers) must use a second factor."""

    mfa_roles = models.JSONField(default=list, help_text="Role names (aims.roles) that need a second factor.")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    ID = 1

    class Meta:
        verbose_name = "sign-in policy"
        verbose_name_plural = "sign-in policies"

    def __str__(self):
        return f"Second factor required of: {', '.join(self.mfa_roles) or 'no role'}"

    @staticmethod
    def default_roles() -> list[str]:
        return [roles.BY_SLUG[slug] for slug in settings.MFA_REQUIRED_ROLES]

    @classmethod
    def saved_roles(cls) -> list[str] | None:
        """The roles the AIMS manager saved, or None before the policy was first saved."""
        return cls.objects.filter(pk=cls.ID).values_list("mfa_roles", flat=True).first()

    @classmethod
    def in_force(cls, saved: list[str] | None) -> list[str]:
        """The role names that need a second factor: the saved policy's, else the setting's default."""
        return [name for name in roles.ALL if name in (cls.default_roles() if saved is None else saved)]


class SignInPolicyChange(models.Model):
    """The policy's history: who changed which roles need a second factor, and when."""

    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    before = models.JSONField()
    after = models.JSONField()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "sign-in policy change"
        verbose_name_plural = "sign-in policy changes"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.before} -> {self.after}"

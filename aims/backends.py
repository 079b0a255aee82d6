"""Signing in with a password and recognising the person on each later request (Django's ModelBackend),
with one difference: the person is read together with their roles (aims.models.users.with_roles). Every
page and API answer checks roles, so reading them with the person saves each request a round trip."""

from django.contrib.auth.backends import ModelBackend

from aims.models import User
from aims.models.users import with_roles


class RolesBackend(ModelBackend):
    def get_user(self, user_id):
        user = with_roles(User._default_manager.filter(pk=user_id)).first()
        return user if user is not None and self.user_can_authenticate(user) else None

"""The boundary around an outside auditor (User.is_guest): they reach the guest pages (URL names that start
with "guest-", served by audits.guests), setting up and using their second factor, and signing out.
Everything else -- every register's pages, the dashboard, the catalogue, exports, the API -- answers 403,
whatever the guest's groups or object permissions might say, so no register's own checks need to know
about guests. Refusals are announced (`refused`) for the guest's access log."""

from django.core.exceptions import PermissionDenied
from django.dispatch import Signal
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from aims.mfa import OPEN_WITHOUT
from aims.views.errors import permission_denied

PREFIX = "guest-"
REFUSED = "You were invited to one audit; the rest of AIMS is not open to you."

# Sent with the guest (`user`) and the path they were refused; audits.guests keeps it in their log.
refused = Signal()


def open_to_guests(path: str) -> bool:
    if path.startswith(OPEN_WITHOUT):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return bool(match.url_name) and match.url_name.startswith(PREFIX)


class GuestBoundaryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or not user.is_guest or open_to_guests(request.path_info):
            return self.get_response(request)
        if request.path_info == "/":
            return redirect("guest-home")
        refused.send(sender=GuestBoundaryMiddleware, user=user, path=request.get_full_path())
        return permission_denied(request, PermissionDenied(REFUSED))

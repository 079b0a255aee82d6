"""How long a sign-in lasts: at most SESSION_COOKIE_AGE from signing in (a working day unless set),
and for the governance board and AIMS managers also SESSION_IDLE_SECONDS without a request (30 minutes):
their sessions approve and administer, so a browser left open is worth most to someone else.

Both times are kept in the session itself (seconds since the epoch), so the rule holds in every web
process and a test moves time by editing the stored stamps, never a clock shared with other tests."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_logged_in
from django.dispatch import receiver

from aims import roles

SIGNED_IN_AT = "aims_signed_in_at"
LAST_SEEN_AT = "aims_last_seen_at"
IDLE_LIMITED_ROLES = (roles.MANAGER, roles.BOARD)


def _duration(seconds: int) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        count, unit = seconds // 3600, "hour"
    else:
        count, unit = max(1, round(seconds / 60)), "minute"
    return f"{count} {unit}{'s' if count != 1 else ''}"


def ended(session, user, now: float) -> str | None:
    """Why the sign-in held by `session` is over at `now`, or None while it lasts."""
    signed_in = session.get(SIGNED_IN_AT)
    if signed_in is not None and now - signed_in >= settings.SESSION_COOKIE_AGE:
        return (
            f"You were signed out: a sign-in lasts {_duration(settings.SESSION_COOKIE_AGE)}. Sign in again."
        )
    last_seen = session.get(LAST_SEEN_AT)
    idle = settings.SESSION_IDLE_SECONDS
    if idle and last_seen is not None and now - last_seen >= idle and user.has_role(*IDLE_LIMITED_ROLES):
        return f"You were signed out after {_duration(idle)} without activity. Sign in again."
    return None


@receiver(user_logged_in, dispatch_uid="aims-session-stamps")
def stamp_sign_in(sender, request, user, **kwargs):
    """Each sign-in starts its own clock, even in a session that held an earlier sign-in of the same person."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class SessionLimitMiddleware:
    """Signs out a session whose time is up (the page then asks to sign in again, saying why), and
    notes the activity of the others."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session, now = request.session, time.time()
            reason = ended(session, user, now)
            if reason:
                logout(request)
                messages.info(request, reason)
            else:
                # A session from before these limits gets its clock on first sight.
                session.setdefault(SIGNED_IN_AT, now)
                # Only an idle limit reads the activity stamp, so only the roles it applies to write it.
                stale = now - session.get(LAST_SEEN_AT, 0) >= settings.SESSION_TOUCH_SECONDS
                if stale and settings.SESSION_IDLE_SECONDS and user.has_role(*IDLE_LIMITED_ROLES):
                    session[LAST_SEEN_AT] = now
        return self.get_response(request)

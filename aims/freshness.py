"""The data version: one number in the shared cache that moves whenever anything is written to the AIMS's
tables, so that what is kept of a person's pages (dashboard panels, the SoA's judgements, list tables, API
pages) is kept only until something changes.

It is moved from the database connection itself, not from signals or services: every INSERT, UPDATE or
DELETE -- a form, the API, an import, a job, a bulk update, raw SQL, a migration -- moves it, at once and
again when its transaction commits (what another request read in between may be the old data, and must
not be kept under the new number). Tables written by merely viewing pages (sessions) do not move it.

A kept piece is keyed by the person, the version and the day (what falls due changes with the date), so
nobody is shown what they may not see, and a change anyone makes is on everyone's next page."""

import functools
import hashlib
import re
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.utils import timezone

KEY = "aims:data-version"
# Written by page views themselves: a session's sign-in clock, a notification being read changes only
# the bell, which is never kept. Everything else moves the version.
QUIET_TABLES = frozenset({"django_session"})
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE)\s+"?(\w+)', re.IGNORECASE)
# Read from the statement's first word only: every statement a request sends passes here, and the widest
# (aims.together's) run to tens of kilobytes, which a copy of the whole text would cost each time.
_DDL = re.compile(r"\s*(?:CREATE|ALTER|DROP)\b", re.IGNORECASE)


def version() -> int:
    value = cache.get(KEY)
    if value is None:
        # Never start again from a number already used (a cache flushed or evicted): start from the clock.
        cache.add(KEY, time.time_ns())
        value = cache.get(KEY)
    return value


def bump() -> None:
    try:
        cache.incr(KEY)
    except ValueError:  # not there (first write, or evicted): any new number will do, see version()
        cache.add(KEY, time.time_ns())


def key(*parts) -> str:
    """A cache key for something kept per person: the parts, the code, the data version and the date."""
    # The parts hold a page's full path, which can be long: digested, so every key stays short.
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]
    return ":".join(["aims:kept", _code(), str(version()), timezone.localdate().isoformat(), digest])


@functools.cache
def _code() -> str:
    """The code and templates this process runs, as a short digest: what was kept by the previous release
    (its HTML, its context) is never shown by the next one, though the cache outlives the processes."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in ("aims", "registers", "lifecycle", "audits", "reviews", "templates"):
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in {".py", ".html"}:
                stat = path.stat()
                digest.update(f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]


KEEP_SECONDS = 3600  # an upper bound: a change moves the version long before


def kept(parts, compute):
    """compute(), or what it gave last time for the same parts while nothing has been written since.
    Nothing is kept from inside a transaction that has written: it could yet be rolled back; nor while
    developing (DEBUG: templates change under a running server), nor when AIMS_KEEP_PAGES is off."""
    if not settings.AIMS_KEEP_PAGES or settings.DEBUG or _pending_write():
        return compute()
    name = key(*parts)  # the version is read before computing: a change committed meanwhile orphans it
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, KEEP_SECONDS)
    return value


def kept_page(request, render):
    """The whole answer to a GET, `render()` (a TemplateResponse is rendered), kept for the person and the
    page's full path like any kept part; call it after the view's own checks (a record the person may
    not see is refused before anything kept is looked at). Drawn afresh while messages wait to be shown
    once (messages, or anything else a view left in the session for the next page, such as a gate's
    outcome), and before the CSRF cookie exists (a form drawn then sets the cookie its token belongs to)."""
    from django.contrib import messages
    from django.http import HttpResponse

    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if request.method != "GET" or not csrf or len(messages.get_messages(request)) or _one_shot(request):
        return render()

    def draw():
        response = render()
        if hasattr(response, "render"):
            response.render()
        return response.status_code, response["Content-Type"], response.content

    parts = ("page", request.user.pk, request.get_full_path(), csrf)
    status, content_type, content = kept(parts, draw)
    return HttpResponse(content, status=status, content_type=content_type)


def _one_shot(request) -> bool:
    """Whether the session holds more than the sign-in's own keys: what a view leaves there is for the
    next page to show once (and take out), which a kept page would neither show nor take."""
    from allauth.account.internal.flows import login

    from aims.sessions import LAST_SEEN_AT, SIGNED_IN_AT

    # allauth's record of how the person signed in (password, second factor) stays for the whole sign-in.
    own = {
        SIGNED_IN_AT,
        LAST_SEEN_AT,
        login.AUTHENTICATION_METHODS_SESSION_KEY,
        login._AUTHENTICATION_METHODS_USER_SESSION_KEY,
    }
    return any(not key.startswith("_auth_user_") and key not in own for key in request.session.keys())


def _pending_write() -> bool:
    return any(
        any(func is _after_commit for _, func, *_ in connections[alias].run_on_commit)
        for alias in connections
        if connections[alias].in_atomic_block
    )


def _after_commit():
    bump()


def _writes(sql: str) -> bool:
    if not isinstance(sql, str):
        return False
    match = _WRITE.match(sql)
    if match:
        return match.group(1) not in QUIET_TABLES
    return _DDL.match(sql) is not None


def _watch(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if _writes(sql):
        connection = context["connection"]
        if connection.in_atomic_block:
            # Once per transaction: now, and when it commits.
            if any(func is _after_commit for _, func, *_ in connection.run_on_commit):
                return result
            bump()
            transaction.on_commit(_after_commit, using=connection.alias)
        else:
            bump()  # autocommit: already committed
    return result


def _install(connection, **kwargs):
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def watch_all_connections():
    """Called once at start-up (AimsConfig.ready): every connection, now and later, moves the version."""
    connection_created.connect(_install, dispatch_uid="aims.freshness")
    for alias in connections:
        connection = connections[alias]
        if connection.connection is not None:
            _install(connection)

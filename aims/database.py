"""The database under several people at once: the embedded SQLite (`make run`) and PostgreSQL.

SQLite has one writer at a time. By default a transaction starts as a reader and asks for the write
lock only at its first write; when another connection holds it, SQLite refuses at once, without
waiting, with "database is locked" (a 500). So on SQLite every transaction asks for the write lock
when it begins (IMMEDIATE) and waits up to SQLITE_BUSY_TIMEOUT seconds for it, and the journal is
write-ahead (WAL), so pages keep reading while someone writes. Should the wait still run out, the
person gets a 503 that asks them to retry, never a 500.

On PostgreSQL, a query does not start parallel workers unless DATABASE_PARALLEL_WORKERS says how many it
may (tune_postgresql). Starting them costs more than they save for the scans this application makes: the
dashboard's count of 100,000 risks by heat-map cell ran in 15 ms alone and 19-21 ms with two workers on a
two-core machine, where the workers also take the cores other people's requests are waiting for."""

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

RETRY_AFTER_SECONDS = 5


def tune_sqlite(database: dict, *, busy_timeout: int) -> dict:
    """`database` (a DATABASES entry) with the options above when it is SQLite; others unchanged."""
    if database.get("ENGINE") != "django.db.backends.sqlite3":
        return database
    options = {
        "transaction_mode": "IMMEDIATE",
        "timeout": busy_timeout,
        # WAL stays set in the file; NORMAL sync is safe with WAL and spares a flush per commit.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **database.get("OPTIONS", {}),
    }
    return {**database, "OPTIONS": options}


def tune_postgresql(database: dict, *, parallel_workers: int) -> dict:
    """`database` (a DATABASES entry) with at most `parallel_workers` workers a query when it is
    PostgreSQL, added to any server options the entry already gives; others unchanged."""
    if database.get("ENGINE") not in POSTGRESQL_ENGINES:
        return database
    given = database.get("OPTIONS", {})
    setting = f"-c max_parallel_workers_per_gather={parallel_workers}"
    options = f"{given['options']} {setting}" if given.get("options") else setting
    return {**database, "OPTIONS": {**given, "options": options}}


POSTGRESQL_ENGINES = ("django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis")


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def busy_response(request) -> HttpResponse:
    """Rendered without the request's context processors: they would query the busy database."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": f"The database is busy with other changes. Retry in {RETRY_AFTER_SECONDS} seconds."},
            status=503,
        )
    else:
        html = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Turns a write lock that stayed taken past the busy timeout into a 503 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return busy_response(request) if is_busy(exception) else None

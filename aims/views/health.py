"""Liveness and readiness for load balancers and compose health checks."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _broker() -> str:
    from aims.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def readyz(request):
    checks = {}
    for name, probe in (("database", _database), ("broker", _broker)):
        try:
            checks[name] = probe()
        except Exception as exc:  # noqa: BLE001 - any failure means not ready; say which part
            checks[name] = f"unreachable: {exc.__class__.__name__}: {exc}"[:300]
    ready = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ready else "not ready", **checks}
    if settings.DEBUG:
        body["broker_url"] = settings.CELERY_BROKER_URL.split("@")[-1]
    return JsonResponse(body, status=200 if ready else 503)

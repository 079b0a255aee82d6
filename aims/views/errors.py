"""403, 404 and 500 pages; the API gets JSON from its own exception handler."""

import sys

from django.shortcuts import render
from django.views import defaults

from aims.database import busy_response, is_busy


def permission_denied(request, exception=None):
    reason = str(exception) if exception and str(exception) else "You may not do that."
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": reason}, status=403)
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    """A write lock that stayed taken (SQLite) also ends here when it struck outside a view, e.g. while
    a middleware saved the session: it is a 503 to retry, not a fault (aims.database)."""
    if is_busy(sys.exc_info()[1]):
        return busy_response(request)
    return defaults.server_error(request)

"""403 and 404 pages; the API gets JSON from its own exception handler."""

from django.shortcuts import render


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

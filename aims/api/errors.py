"""API errors: Django's validation, permission and stale-edit errors become clear 400/403/409 answers."""

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from aims.records import StaleEdit


def exception_handler(exc, context):
    if isinstance(exc, StaleEdit):
        return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            data = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        else:
            data = {"non_field_errors": exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc) or "You may not do that."}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)

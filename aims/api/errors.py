"""API errors: Django's validation, permission and stale-edit errors become clear 400/403/409 answers."""

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import status
from rest_framework.exceptions import UnsupportedMediaType
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
    if isinstance(exc, UnsupportedMediaType):
        return Response(
            {"detail": _what_to_send(exc, context)}, status=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
        )
    return drf_exception_handler(exc, context)


def _what_to_send(exc, context) -> str:
    """Not only what was refused, but what the endpoint reads: JSON, and multipart where a file comes."""
    view, request = context.get("view"), context.get("request")
    takes = [parser.media_type for parser in view.get_parsers()] if view is not None else []
    sent = (getattr(request, "content_type", "") or "").split(";")[0].strip() or "a body without a type"
    upload = " A file goes as multipart/form-data." if "multipart/form-data" in takes else ""
    return (
        f"This endpoint reads {' or '.join(takes) or 'JSON'}, not {sent}: send the body as JSON, with "
        f"Content-Type: application/json.{upload}"
    )

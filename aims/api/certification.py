"""Certification readiness as JSON: the same structure as aims.certification.readiness()."""

from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from aims import permissions
from aims.certification import readiness

from .fields import absolute_links


@extend_schema(
    summary="Certification readiness per clause and Annex A control",
    parameters=[
        OpenApiParameter(
            "as_of", OpenApiTypes.DATE, description="Judge currency on this date (default today)."
        )
    ],
    responses={200: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
def readiness_api(request):
    permissions.require_overview(request.user, "readiness")
    raw = request.query_params.get("as_of", "")
    today = None
    if raw:
        try:
            today = parse_date(raw)
        except ValueError:
            today = None
        if today is None:
            raise ValidationError({"as_of": f"as_of must be a date written YYYY-MM-DD, not {raw[:40]!r}."})
    return Response(absolute_links(readiness(today), request))

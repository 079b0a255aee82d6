"""The incident API: the register's fields (where it was drafted from, read-only) and …/log/."""

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from lifecycle.models import Incident

from .forms import IncidentFilterSet
from .services import FIELDS, LOG, services


class IncidentSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Incident
        fields = record_fields([*FIELDS, "drafted_from"])  # not editable, so read-only in the API


class IncidentViewSet(RecordViewSet):
    """AI incidents (A.8.4). `system` by reference; filter with ?serious=true, ?reporting_overdue=true, ?severity=, ?status=. POST …/log/ records a communication. DELETE archives."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    services = services
    record_actions = (LOG,)

"""The obligations' API: the register's fields (system and FRIA by reference), the state and the reason
it does not apply (moved only by the actions), the Art. 18 keep-until date, and the moves between states
as POST …/start/, …/complete/, …/not-applicable/, …/reopen/."""

from rest_framework import serializers

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from lifecycle.models import HighRiskObligation

from .forms import HighRiskObligationFilterSet
from .services import ACTIONS, FIELDS, services


class HighRiskObligationSerializer(RecordSerializer):
    cite = serializers.SerializerMethodField(help_text="Where the EU AI Act asks it.")
    role = serializers.SerializerMethodField(help_text="provider or deployer")
    keep_until = serializers.DateField(
        read_only=True, allow_null=True, help_text="Art. 18(1): ten years after placing on the market."
    )
    overdue = serializers.SerializerMethodField()

    class Meta(RecordSerializer.Meta):
        model = HighRiskObligation
        fields = record_fields(
            [*FIELDS, "cite", "role", "state", "not_applicable_reason", "keep_until", "overdue"]
        )
        extra_kwargs = {"title": {"required": False, "allow_blank": True}}  # default: the duty's and system's

    def get_cite(self, obj) -> str:
        return obj.spec.cite

    def get_role(self, obj) -> str:
        return obj.spec.role

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class HighRiskObligationViewSet(RecordViewSet):
    """EU AI Act obligations of high-risk AI systems. Filter with ?system=SYS-0001, ?state=, ?role=provider|deployer, ?duty=, ?overdue=true. DELETE archives."""

    serializer_class = HighRiskObligationSerializer
    filterset_class = HighRiskObligationFilterSet
    services = services
    record_actions = ACTIONS

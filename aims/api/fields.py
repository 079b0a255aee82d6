from rest_framework import serializers

from aims import roles
from aims.models import Requirement, User


class OwnerField(serializers.SlugRelatedField):
    """A person by username; only active owners and AIMS managers can own records."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "queryset",
            User.objects.filter(is_active=True, groups__name__in=[roles.OWNER, roles.MANAGER]).distinct(),
        )
        super().__init__(slug_field="username", **kwargs)


class RecordSerializer(serializers.ModelSerializer):
    """Fields every record shows in the API."""

    owner = OwnerField(required=False)
    requirements = serializers.SlugRelatedField(
        many=True,
        required=False,
        slug_field="code",
        queryset=Requirement.objects.filter(kind__in=Requirement.MAPPABLE, standard__key="iso42001"),
        help_text='ISO/IEC 42001 clause and Annex A control codes, e.g. ["6.1.2", "A.5.4"].',
    )
    version = serializers.IntegerField(
        required=False, help_text="Read it, send it back on update: a newer version gives 409 Conflict."
    )
    created_by = serializers.StringRelatedField()
    updated_by = serializers.StringRelatedField()
    archived = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    BASE_FIELDS = [
        "reference", "title", "owner", "requirements", "review_cadence", "next_review_on", "last_reviewed_on",
        "version", "created_at", "created_by", "updated_at", "updated_by", "archived", "url",
    ]  # fmt: skip
    BASE_READ_ONLY = ["reference", "last_reviewed_on", "created_at", "updated_at"]

    def get_archived(self, obj) -> bool:
        return obj.archived_at is not None

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()

"""The base record every register inherits, its queryset with the permission choke point, human
references and field-level history."""

import functools
import re
from urllib.parse import quote

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, router, transaction
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.http import RFC3986_SUBDELIMS

from .catalogue import Requirement


class ReviewCadence(models.IntegerChoices):
    MONTHLY = 30, "Monthly"
    QUARTERLY = 91, "Quarterly"
    HALF_YEARLY = 182, "Every six months"
    YEARLY = 365, "Yearly"


class RecordQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """The one permission filter: every queryset that reaches a user passes here."""
        from aims import permissions

        return permissions.restrict(self, user, action)

    def live(self):
        return self.filter(archived_at__isnull=True)


def live_index(name: str) -> models.Index:
    """The base record's partial index on live rows. A model whose `<app>_<class>_live` name would pass
    the 30-character limit sets `indexes = [live_index("<short name>"), ...]` in its Meta."""
    return models.Index(fields=["id"], condition=models.Q(archived_at__isnull=True), name=name)


class BaseRecord(models.Model):
    """Owner, reference, optimistic version, requirement links, review cadence, archive, history.

    A concrete register sets `reference_prefix` and lists the fields it tracks in history through
    `history_exclude` (everything editable is tracked unless named there)."""

    reference_prefix = "REC"
    history_exclude: tuple[str, ...] = ()
    history_extra: tuple[str, ...] = ()  # non-editable fields that are still worth showing in history
    # ISO/IEC 42001 codes every record of the register serves by its nature (an audit: 9.2.1, 9.2.2), kept
    # among its requirements whatever else it is mapped to (aims.records).
    serves: tuple[str, ...] = ()

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requirements = models.ManyToManyField(
        Requirement,
        blank=True,
        related_name="%(app_label)s_%(class)s_records",
        verbose_name="clauses and controls",
        help_text="The ISO/IEC 42001 clauses and Annex A controls this record serves.",
    )
    review_cadence = models.PositiveSmallIntegerField(
        choices=ReviewCadence.choices, default=ReviewCadence.QUARTERLY
    )
    next_review_on = models.DateField("next review", null=True, blank=True)
    last_reviewed_on = models.DateField("last reviewed", null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RecordQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["reference"]  # a register's pages and API page through a stable order
        # Lists count live records on every page: a partial index lets PostgreSQL count them from the
        # index alone. A register extending Meta.indexes keeps it: `indexes = [*BaseRecord.Meta.indexes, ...]`.
        indexes = [live_index("%(app_label)s_%(class)s_live")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @classmethod
    def url_name(cls, view: str) -> str:
        return f"{cls._meta.model_name}-{view}"

    def get_absolute_url(self):
        return detail_url(self.url_name("detail"), self.reference)

    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name: get_<field>_display() calls it
        """Django's get_<field>_display(), from the field's choices as a dict made once per field: Django
        rebuilds that dict on every call, and a register's list asks three a row. A register that writes
        its own get_<field>_display() (eight do, for words of their own) keeps it."""
        try:
            return _choice_labels(field)[getattr(self, field.attname)]
        except (KeyError, TypeError):  # not one of the choices, or unhashable: as Django answers it
            return super()._get_FIELD_display(field)


@functools.cache
def _choice_labels(field) -> dict:
    """{value: label} of a field's choices, each label as Django gives it (one language: LANGUAGE_CODE)."""
    return {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices}


_MARK = "__reference__"
_PLAIN = re.compile(r"[A-Za-z0-9._-]+")
_detail_patterns: dict[tuple, str] = {}


def detail_url(name: str, reference: str) -> str:
    """reverse(name, args=[reference]), at a fraction of the cost: a list page asks for hundreds of record
    URLs, and reverse() walks the resolver each time. Every record of a register shares one pattern
    (`<prefix>/<str:reference>/`), so it is reversed once per URL configuration with a marker where the
    reference goes, and the reference is quoted in as reverse() would quote it."""
    key = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), name)
    pattern = _detail_patterns.get(key)
    if pattern is None:
        pattern = _detail_patterns[key] = reverse(name, args=[_MARK])
    reference = str(reference)
    if not _PLAIN.fullmatch(reference):  # references are plain ("RSK-0042"); anything else is quoted
        reference = quote(reference, safe=RFC3986_SUBDELIMS + "/~:@")
    return pattern.replace(_MARK, reference, 1)


class ReferenceCounter(models.Model):
    """Last number handed out per prefix; rows are locked while a reference is drawn."""

    prefix = models.CharField(max_length=10, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.prefix}: {self.last}"

    class Meta:
        verbose_name_plural = "reference counters"


class ChangeManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        """Entries written many at once (volume data, imports) are sealed like one at a time."""
        from aims import history_chain

        objs = list(objs)  # each has its moment already (the field's default), which its seal covers
        with transaction.atomic(using=self.db, savepoint=False):
            history_chain.seal_new(self.model, objs, self.db)
            return super().bulk_create(objs, *args, **kwargs)


class Change(models.Model):
    """One entry of a record's history: who, when, what (field, old, new).

    Entries are written, never changed: each is sealed with the one before it (aims.history_chain), and
    `manage.py verify_history` finds one edited, inserted or deleted in the database."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        ARCHIVED = "archived", "Archived"
        RESTORED = "restored", "Restored"
        ACCEPTED = "accepted", "Accepted"
        REVIEWED = "reviewed", "Reviewed"
        IMPORTED = "imported", "Imported"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned to draft"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        REVISED = "revised", "Revision started"
        RETIRED = "retired", "Retired"
        REJECTED = "rejected", "Rejected"
        TRIAGED = "triaged", "Triaged"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=16, choices=Action.choices)
    # Who wrote an entry is part of its seal: a person named in history is deactivated, never deleted.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # Set when the entry is made, not by the database, so that its seal covers the moment it keeps.
    at = models.DateTimeField(default=timezone.now, editable=False)
    # [{"field": "residual_likelihood", "label": "Residual likelihood", "old": "3", "new": "4"}, ...]
    changes = models.JSONField(default=list)
    note = models.CharField(max_length=500, blank=True)
    previous = models.CharField(max_length=64, blank=True, editable=False)  # the seal of the entry before
    seal = models.CharField(max_length=64, blank=True, editable=False)

    objects = ChangeManager()

    class Meta:
        verbose_name_plural = "changes"
        ordering = ["-version", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "version"])]

    def __str__(self):
        return f"v{self.version} {self.action} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A history entry is never changed once written.")
        from aims import history_chain

        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(
            using=using, savepoint=False
        ):  # the chain's lock lasts until the insert is in
            history_chain.seal_new(type(self), [self], using)
            super().save(*args, **kwargs)

    @property
    def field_labels(self) -> str:
        return ", ".join(c["label"] for c in self.changes)

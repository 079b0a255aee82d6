"""The evidence library (ISO/IEC 42001 7.5 documented information; the evidence 9.2 audits sample):
files and links that show a requirement is met, mapped to clauses and controls, attached to records of
any register, with a validity date, a confidentiality and the version history of every file.

Expired evidence is flagged on the list and the page and stops counting as current; confidential
evidence is seen only by its owner, the AIMS manager, auditors, the board and people granted it
(audits.models.Evidence.restrict_view)."""

import datetime as dt

import django_filters as filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from rest_framework import serializers

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.files import validate_upload
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.models import Requirement
from aims.register import Register
from aims.registry import registry
from aims.views.files import PrivateFileInput
from aims.views.records import RecordFormView
from audits import evidence_pages
from audits.evidence_services import FIELDS, services
from audits.models import Evidence
from audits.models.evidence import EXPIRING_WITHIN_DAYS


class EvidenceForm(RecordForm):
    file = forms.FileField(
        required=False,
        validators=[validate_upload],
        widget=PrivateFileInput("evidence-file", "file_name"),
        help_text="PDF, image, text, CSV or Office file. Uploading again keeps the earlier file in the "
        "record's file versions.",
    )
    url = forms.URLField(
        label="Link",
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url"}),  # full width like the other text inputs
        help_text="For kind 'Link': where the evidence is kept (a contract system, a shared drive, a ticket).",
    )

    class Meta:
        model = Evidence
        fields = [
            "title", "kind", "nature", "description", "file", "url", "valid_until", "confidentiality",
            "origin", "requirements", "owner", "review_cadence", "next_review_on",
        ]  # fmt: skip
        widgets = {"valid_until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.file:  # linked evidence has no file: nothing to show or post back
            self.initial["file"] = None


def validity_conditions(today: dt.date) -> dict[str, Q]:
    soon = today + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
    return {
        "current": Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        "expired": Q(valid_until__lt=today),
        "expiring": Q(valid_until__gte=today, valid_until__lte=soon),
        "lapsing": Q(valid_until__lte=soon),  # expired or expiring: what an auditor looks at first
    }


def _record_type_choices():
    """Registers whose records evidence can be attached to, as "app_label.model"."""
    return [
        (info.model._meta.label_lower, info.model._meta.verbose_name.capitalize())
        for info in registry.registers
        if info.model is not Evidence
    ]


class EvidenceFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "description", "file_name", "url")
    kind = filters.ChoiceFilter(choices=Evidence.Kind.choices, empty_label="Any")
    nature = filters.ChoiceFilter(choices=Evidence.Nature.choices, label="Type", empty_label="Any")
    confidentiality = filters.ChoiceFilter(choices=Evidence.Confidentiality.choices, empty_label="Any")
    validity = filters.ChoiceFilter(
        choices=[("current", "Current"), ("expired", "Expired"),
                 ("expiring", f"Expiring within {EXPIRING_WITHIN_DAYS} days"),
                 ("lapsing", f"Expired or expiring within {EXPIRING_WITHIN_DAYS} days")],
        method="filter_validity",
        label="Validity",
        empty_label="Any",
    )  # fmt: skip
    serves = filters.ModelChoiceFilter(
        queryset=Requirement.objects.filter(kind__in=Requirement.MAPPABLE).order_by("standard", "position"),
        to_field_name="key",  # codes repeat across standards (7.5 in 42001 and 27001); keys do not
        field_name="requirements",
        label="Clause or control",
        empty_label="Any",
    )
    linked_type = filters.ChoiceFilter(
        choices=_record_type_choices, method="filter_linked_type", label="Attached to", empty_label="Any"
    )
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("kind", "kind"),
            ("nature", "type"),
            ("confidentiality", "confidentiality"),
            ("valid_until", "valid_until"),
            ("updated_at", "updated"),
        )
    )

    class Meta:
        model = Evidence
        fields = []

    def filter_validity(self, queryset, name, value):
        condition = validity_conditions(timezone.localdate()).get(value)
        return queryset.filter(condition) if condition is not None else queryset

    def filter_linked_type(self, queryset, name, value: str):
        app_label, _, model = value.partition(".")
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        if content_type is None:
            return queryset.none()
        return queryset.filter(links__content_type=content_type).distinct()


def validity_cell(evidence):
    """Expired and expiring are flagged in words and colour, never colour alone."""
    if evidence.valid_until is None:
        return "no end date"
    when = evidence.valid_until.isoformat()
    if evidence.is_expired():
        return format_html('<span class="badge badge-bad">Expired</span> {}', when)
    if evidence.is_expiring():
        return format_html('<span class="badge badge-warn">Expiring</span> {}', when)
    return when


def confidentiality_cell(evidence):
    label = evidence.get_confidentiality_display()
    if evidence.confidentiality == Evidence.Confidentiality.CONFIDENTIAL:
        return format_html('<span class="badge badge-bad">{}</span>', label)
    return label


class EvidenceFormView(evidence_pages.ForRecordMixin, RecordFormView):
    """New evidence, optionally for a record (?for=app_label.model:REFERENCE): attached on creation."""


class EvidenceSerializer(RecordSerializer):
    link = serializers.URLField(
        source="url", required=False, allow_blank=True, max_length=500, help_text="Needed for kind 'link'."
    )
    expired = serializers.SerializerMethodField()

    class Meta(RecordSerializer.Meta):
        model = Evidence
        # The evidence's own `url` is `link` here: `url` is every record's page in the API.
        fields = record_fields(
            [*(f for f in FIELDS if f not in ("file", "url")), "file_name", "file_sha256", "file_size",
             "link", "expired"]
        )  # fmt: skip
        read_only_fields = [*RecordSerializer.Meta.read_only_fields, "file_name", "file_sha256", "file_size"]

    def get_expired(self, obj) -> bool:
        return obj.is_expired()

    def validate(self, attrs):
        """The model's kind rules, named by the API's field names (`link`, not the model's `url`)."""
        kind = attrs.get("kind", getattr(self.instance, "kind", Evidence.Kind.FILE))
        url = attrs.get("url", getattr(self.instance, "url", ""))
        has_file = bool(attrs.get("file") or getattr(self.instance, "file", None))
        if kind == Evidence.Kind.LINK and not url:
            raise serializers.ValidationError({"link": "A link needs its address."})
        if kind == Evidence.Kind.FILE and url:
            raise serializers.ValidationError(
                {"link": "A file has no link; send kind 'link' or leave it out."}
            )
        if kind == Evidence.Kind.FILE and not has_file:
            raise serializers.ValidationError(
                {"file": "Upload the file (multipart/form-data), or send kind 'link' with its address."}
            )
        return attrs


class EvidenceUploadSerializer(EvidenceSerializer):
    """Evidence with its file, sent as multipart/form-data."""

    file = serializers.FileField(
        required=False, write_only=True, help_text="The file (multipart upload); each upload is kept."
    )

    class Meta(EvidenceSerializer.Meta):
        fields = [*EvidenceSerializer.Meta.fields, "file"]


class EvidenceViewSet(RecordViewSet):
    """The evidence library (7.5, 9.2). `kind` link needs `link`; `kind` file needs `file`, sent as multipart/form-data (its name, SHA-256 and size come back). Confidential evidence is visible only to its owner, the AIMS manager, auditors, the board and people granted it. `url` is the evidence's page here; `link` is where linked evidence is kept. DELETE archives."""

    serializer_class = EvidenceSerializer
    upload_serializer_class = EvidenceUploadSerializer
    filterset_class = EvidenceFilterSet
    services = services


class EvidenceRegister(Register):
    model = Evidence
    label, url_prefix, position = "Evidence library", "evidence", 5  # first in Check, before the programmes
    menu_group = "9"
    services = services
    form = EvidenceForm
    filterset = EvidenceFilterSet
    viewset = EvidenceViewSet
    form_view = EvidenceFormView
    columns = [
        ("Evidence", "title", "title"),
        ("Kind", "kind", "kind"),
        ("Type", "nature", "type"),
        ("Confidentiality", confidentiality_cell, "confidentiality"),
        ("Valid until", validity_cell, "valid_until"),
        ("Owner", "owner", None),
    ]
    fieldsets = [
        ("The evidence", ["kind", "nature", "description", "origin"]),  # the file or link: below
        ("Validity and access", ["valid_until", "confidentiality", "review_cadence", "next_review_on"]),
    ]
    form_fieldsets = [
        ("The evidence", ["title", "kind", "nature", "description", "file", "url", "origin"]),
        ("Validity and access", ["valid_until", "confidentiality"]),
        ("What it serves", ["requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    detail_template = "audits/evidence_detail.html"
    lead = (
        "ISO/IEC 42001 7.5 and 9.2: the files and links that show a requirement is met. Map each piece to "
        "the clauses and controls it serves and attach it to the records it concerns; once it is past its "
        "valid-until date it no longer counts as current."
    )
    empty_text = (
        "No evidence yet. Upload a document or record (a signed policy, a validation report, training "
        "attendance) or link to where it is kept, and map it to the clauses it serves."
    )

    def sample(self, people, n=0):
        """Linked evidence (no file to store), internal: everyone with a role sees it."""
        fields = {
            "title": f"Supplier contract for the OCR service, {n}",
            "kind": Evidence.Kind.LINK,
            "url": f"https://contracts.example.org/ocr-{n}",
        }
        return self.services.create(actor=people["owner"], fields=fields)

    def detail_context(self, request, record, tab) -> dict:
        return evidence_pages.evidence_detail_context(request, record, tab)

    def extra_urls(self) -> list:
        prefix = self.url_prefix
        return [
            path(
                f"{prefix}/attach/<str:label>/<str:reference>/",
                evidence_pages.AttachView.as_view(),
                name="evidence-attach",
            ),
            path(
                f"{prefix}/links/<int:pk>/detach/",
                evidence_pages.DetachView.as_view(),
                name="evidence-detach",
            ),
            path(
                f"{prefix}/<str:reference>/file/",
                evidence_pages.CurrentFileView.as_view(),
                name="evidence-file",
            ),
            path(
                f"{prefix}/<str:reference>/files/<int:number>/",
                evidence_pages.FileVersionView.as_view(),
                name="evidence-file-version",
            ),
        ]

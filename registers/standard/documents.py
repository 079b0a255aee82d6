"""The document register (ISO/IEC 42001 7.5): documented information the AIMS keeps, ours or of external
origin, with version, approval, retention, classification and where it lives (7.5.2, 7.5.3). A document
is text kept here, an attached file, or a pointer to where it is kept. Four standard operating
procedures for the AI system life cycle (A.6) can be started from templates (registers/content/sop_templates.py)."""

import django_filters as filters
from django import forms
from django.urls import path
from django.utils import timezone

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.files import stored_file_fields, validate_upload
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.models import User
from aims.register import Register
from aims.services import RecordServices
from aims.views.files import FileDetailMixin, PrivateFileInput, PrivateFileView
from aims.views.records import RecordDetailView
from registers.content.sop_templates import SOP_TEMPLATES
from registers.models import Document

FIELDS = [
    "title", "kind", "external_origin", "document_version", "status", "approver", "approved_on", "retention",
    "classification", "location", "content", "file", "owner", "review_cadence", "next_review_on",
]  # fmt: skip
FILE = ("file", "file_name", "file_sha256")  # the file, its original name, its SHA-256


class DocumentServices(RecordServices):
    """The shared services, plus the attached file's name and hash, and the approval date defaulting to
    the day a document is first marked approved."""

    def derive(self, fields: dict, record) -> dict:
        fields = stored_file_fields(fields, *FILE)
        status = fields.get("status", getattr(record, "status", None))
        approved_on = fields.get("approved_on", getattr(record, "approved_on", None))
        if status == Document.Status.APPROVED and not approved_on:
            fields["approved_on"] = timezone.localdate()
        return fields


services = DocumentServices(Document, [*FIELDS, *FILE[1:]])


class DocumentForm(RecordForm):
    file = forms.FileField(
        required=False,
        validators=[validate_upload],
        widget=PrivateFileInput("document-file", "file_name"),
        help_text="Optional when the text is above or the document is kept elsewhere: PDF, image, text or "
        "Office file.",
    )

    class Meta:
        model = Document
        fields = [*FIELDS, "requirements"]
        widgets = {"content": forms.Textarea(attrs={"rows": 24})}
        help_texts = {"approved_on": "Empty when approved: today."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver"].queryset = (
            User.objects.filter(is_active=True, groups__isnull=False).distinct().order_by("username")
        )
        if not self.initial.get("file"):
            self.initial["file"] = None  # no file yet: nothing to show, and an empty input posts back


class DocumentFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "content", "location", "file_name")
    kind = filters.MultipleChoiceFilter(choices=Document.Kind.choices, label="Type")
    status = filters.ChoiceFilter(choices=Document.Status.choices, empty_label="Any")
    classification = filters.ChoiceFilter(choices=Document.Classification.choices, empty_label="Any")
    external_origin = YesNoFilter(label="Of external origin")
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("kind", "kind"),
            ("status", "status"),
            ("next_review_on", "next_review"),
        )
    )

    class Meta:
        model = Document
        fields = []


# "New from template" (the register's starters): each SOP template as the form's first values.
STARTERS = {
    slug: {"label": t["label"], "title": t["title"], "kind": Document.Kind.SOP, "content": t["content"]}
    for slug, t in SOP_TEMPLATES.items()
}


class DocumentDetailView(FileDetailMixin, RecordDetailView):
    file_field, name_field, sha_field = FILE
    download_url_name = "document-file"


class DocumentFileView(PrivateFileView):
    model = Document
    field_name, name_field = FILE[:2]


class DocumentSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Document
        fields = record_fields([f for f in FIELDS if f != "file"] + list(FILE[1:]))


class DocumentViewSet(RecordViewSet):
    """The document register (7.5): `approver` by username. Files are uploaded in the app and downloaded from the document's page; the API shows their name and SHA-256 only. DELETE archives."""

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilterSet
    services = services


class DocumentRegister(Register):
    model = Document
    label, url_prefix, position = "Documents", "documents", 78
    menu_group = "7"
    services = services
    form = DocumentForm
    filterset = DocumentFilterSet
    viewset = DocumentViewSet
    detail_view = DocumentDetailView
    select_related = ("owner", "approver")
    columns = [
        ("Document", "title", "title"),
        ("Type", "kind", "kind"),
        ("Version", "document_version", None),
        ("Status", "status", "status"),
        ("Classification", "classification", None),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ]
    fieldsets = [
        ("The document", ["kind", "external_origin", "document_version", "location", "content"]),
        (
            "Control",
            [
                "status",
                "approver",
                "approved_on",
                "classification",
                "retention",
                "review_cadence",
                "next_review_on",
            ],
        ),
    ]
    form_fieldsets = [
        (
            "The document",
            ["title", "kind", "external_origin", "document_version", "location", "content", "file"],
        ),
        (
            "Approval and control",
            ["status", "approver", "approved_on", "classification", "retention", "requirements"],
        ),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 7.5: the documented information the AIMS keeps, with its version, approval, "
        "retention and classification. Standard operating procedures for the AI system life cycle can start "
        "from a template."
    )
    starters = STARTERS
    empty_text = (
        "No documents yet. Start with the AI policy and the procedures for the AI system life cycle; "
        "the templates above give you a first draft of each."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"AI system life cycle procedure, {n}",
            "kind": Document.Kind.PROCEDURE,
            "content": "From idea to retirement: the stages, their gates and who approves each.",
        }
        return self.services.create(actor=people["owner"], fields=fields)

    def extra_urls(self) -> list:
        return [
            path(f"{self.url_prefix}/<str:reference>/file/", DocumentFileView.as_view(), name="document-file")
        ]

"""Data for AI systems (ISO/IEC 42001 A.7): where each dataset comes from and how it was acquired
(A.7.3, A.7.5), its quality requirements and checks (A.7.4), how it was prepared (A.7.6), personal data
with its legal basis, retention, and the AI systems that use it.

Data shapes what a system does: a change to a dataset's content marks the risks and impact assessments
of every system using it (linked, or trained on it through a model version) for reassessment, the same
way a new model version does (lifecycle.standard.model_versions)."""

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from aims import records
from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet, YesNoFilter
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from lifecycle.models import AISystem, Dataset

from .model_versions import mark_reassessment_due

FIELDS = [
    "title", "provenance", "acquisition", "quality_requirements", "quality_checks", "preparation",
    "personal_data", "legal_basis", "retention", "systems", "owner", "review_cadence", "next_review_on",
]  # fmt: skip
# What the data is, as opposed to its name, links and bookkeeping: a change here calls for reassessment.
CONTENT = ["provenance", "acquisition", "quality_requirements", "quality_checks", "preparation",
           "personal_data", "legal_basis", "retention"]  # fmt: skip


def systems_using(dataset):
    """Live systems linked to the dataset or trained on it through a model version."""
    return (
        AISystem.objects.live()
        .filter(pk__in=dataset.systems.values("pk")) | AISystem.objects.live().filter(
            model_versions__training_data=dataset, model_versions__archived_at__isnull=True
        )
    ).distinct().order_by("reference")  # fmt: skip


class DatasetServices(RecordServices):
    def derive(self, fields: dict, record) -> dict:
        """Personal data needs a legal basis (GDPR Art. 6; A.7.3): checked on the record as it will be,
        so a PATCH of one of the two fields is judged with the other."""
        personal = fields.get("personal_data", record.personal_data if record else False)
        basis = fields.get("legal_basis", record.legal_basis if record else "")
        if personal and not (basis or "").strip():
            raise ValidationError(
                {"legal_basis": "Personal data needs a legal basis: say which (consent, contract, ...)."}
            )
        return fields

    @transaction.atomic
    def update(self, record, *, actor, expected_version: int, fields: dict, requirements=None, prepare=None):
        changed = []

        def note_content_changes(locked, before):
            after = records.snapshot(locked)
            changed.extend(name for name in CONTENT if before.get(name) != after.get(name))

        record = super().update(
            record, actor=actor, expected_version=expected_version, fields=fields,
            requirements=requirements, prepare=note_content_changes,
        )  # fmt: skip
        if changed:
            labels = ", ".join(str(Dataset._meta.get_field(n).verbose_name) for n in changed)
            mark_reassessment_due(
                list(systems_using(record)),
                actor=actor,
                reason=f"dataset {record.reference} changed ({labels})",
                key=f"reassess:dataset:{record.pk}:{record.version}",
                url=record.get_absolute_url(),
            )
        return record


services = DatasetServices(Dataset, FIELDS)


class DatasetForm(RecordForm):
    class Meta:
        model = Dataset
        fields = [*FIELDS, "requirements"]
        labels = {"title": "Dataset", "systems": "AI systems using it"}
        help_texts = {"legal_basis": "Required when the dataset contains personal data."}
        widgets = {
            "systems": forms.CheckboxSelectMultiple,
            "next_review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class DatasetFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "provenance", "acquisition")
    personal_data = YesNoFilter(label="Contains personal data")
    system = filters.ModelChoiceFilter(
        field_name="systems",
        queryset=AISystem.objects.all(),
        to_field_name="reference",
        empty_label="Any",
        label="AI system",
    )
    ordering = filters.OrderingFilter(fields=(("reference", "reference"), ("title", "title")))

    class Meta:
        model = Dataset
        fields = []


class DatasetSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Dataset
        fields = record_fields(FIELDS)


class DatasetViewSet(RecordViewSet):
    """Datasets (A.7). `systems` by reference; filter with ?personal_data=true and ?system=SYS-0001. Personal data needs a legal basis. DELETE archives."""

    serializer_class = DatasetSerializer
    filterset_class = DatasetFilterSet
    services = services


class DatasetRegister(Register):
    model = Dataset
    label, url_prefix, position = "Datasets", "datasets", 40
    menu_group = "8"
    services = services
    form = DatasetForm
    filterset = DatasetFilterSet
    viewset = DatasetViewSet
    columns = [
        ("Dataset", "title", "title"),
        ("Personal data", lambda d: "yes" if d.personal_data else "no", None),
        ("Legal basis", "legal_basis", None),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ]
    fieldsets = [
        ("Provenance (A.7.3, A.7.5)", ["provenance", "acquisition"]),
        ("Quality (A.7.4)", ["quality_requirements", "quality_checks"]),
        ("Preparation (A.7.6)", ["preparation"]),
        ("Personal data and retention", ["personal_data", "legal_basis", "retention"]),
        ("Used by", ["systems"]),
    ]
    form_fieldsets = [
        ("Provenance (A.7.3, A.7.5)", ["title", "provenance", "acquisition"]),
        ("Quality (A.7.4)", ["quality_requirements", "quality_checks"]),
        ("Preparation (A.7.6)", ["preparation"]),
        ("Personal data and retention", ["personal_data", "legal_basis", "retention"]),
        ("AI systems and links", ["systems", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    lead = (
        "ISO/IEC 42001 A.7: the data behind each AI system, where it comes from, its quality and "
        "preparation. A change to a dataset marks the risks and impact assessments of the systems using it."
    )
    empty_text = (
        "No datasets yet. Record the training, validation and production data of each AI system, "
        "starting with any that contain personal data."
    )

    def sample(self, people, n=0):
        fields = {"title": f"Loan applications, extract {n}", "provenance": "Loan origination system."}
        return self.services.create(actor=people["owner"], fields=fields)

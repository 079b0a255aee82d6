"""Suppliers (ISO/IEC 42001 A.10.2, A.10.3): who supplies models, data, platforms and services, the due
diligence done on them, how responsibilities are split between us and them, and which AI systems they
supply. A supplier's page lists those systems, so a suspended supplier shows at once what it touches."""

import django_filters as filters
from django import forms

from aims.api.base import RecordViewSet
from aims.api.fields import RecordSerializer, record_fields
from aims.filters import RecordFilterSet
from aims.forms import RecordForm
from aims.register import Register
from aims.services import RecordServices
from lifecycle.models import AISystem, Supplier

FIELDS = [
    "title", "kind", "supplies", "due_diligence", "due_diligence_on", "responsibilities", "contract_reference",
    "status", "owner", "review_cadence", "next_review_on",
]  # fmt: skip


services = RecordServices(Supplier, FIELDS)


class SupplierForm(RecordForm):
    class Meta:
        model = Supplier
        fields = [*FIELDS, "requirements"]
        labels = {"title": "Supplier"}
        widgets = {
            "due_diligence_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class SupplierFilterSet(RecordFilterSet):
    search_fields = ("reference", "title", "supplies", "contract_reference")
    kind = filters.MultipleChoiceFilter(choices=Supplier.Kind.choices)
    status = filters.MultipleChoiceFilter(choices=Supplier.Status.choices)
    ordering = filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("title", "title"),
            ("kind", "kind"),
            ("status", "status"),
            ("due_diligence_on", "due_diligence"),
            ("next_review_on", "next_review"),
        )
    )

    class Meta:
        model = Supplier
        fields = []


class SupplierSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Supplier
        fields = record_fields(FIELDS)


class SupplierViewSet(RecordViewSet):
    """Suppliers (A.10). Filter with ?kind= and ?status= (repeatable). DELETE archives."""

    serializer_class = SupplierSerializer
    filterset_class = SupplierFilterSet
    services = services


class SupplierRegister(Register):
    model = Supplier
    label, url_prefix, position = "Suppliers", "suppliers", 60
    menu_group = "8"
    services = services
    form = SupplierForm
    filterset = SupplierFilterSet
    viewset = SupplierViewSet
    columns = [
        ("Supplier", "title", "title"),
        ("Supplies", "kind", "kind"),
        ("Status", "status", "status"),
        ("Due diligence", "due_diligence_on", "due_diligence"),
        ("Owner", "owner", None),
        ("Next review", "next_review_on", "next_review"),
    ]
    fieldsets = [
        ("What they supply", ["kind", "supplies", "contract_reference", "status"]),
        ("Due diligence and responsibilities", ["due_diligence", "due_diligence_on", "responsibilities"]),
    ]
    form_fieldsets = [
        ("What they supply", ["title", "kind", "supplies", "contract_reference", "status"]),
        ("Due diligence (A.10.3)", ["due_diligence", "due_diligence_on"]),
        ("Responsibilities (A.10.2)", ["responsibilities", "requirements"]),
        ("Ownership and review", ["owner", "review_cadence", "next_review_on"]),
    ]
    detail_template = "lifecycle/supplier_detail.html"
    lead = (
        "ISO/IEC 42001 A.10: suppliers of AI systems, models, data and services, what was checked before "
        "using them and who is responsible for what."
    )
    empty_text = (
        "No suppliers yet. Start with the vendors whose models, platforms or data your AI systems use."
    )

    def sample(self, people, n=0):
        fields = {
            "title": f"DocuSense OCR {n}",
            "kind": Supplier.Kind.MODEL,
            "supplies": "Document OCR model.",
        }
        return self.services.create(actor=people["owner"], fields=fields)

    def detail_context(self, request, record, tab) -> dict:
        """The AI systems this supplier supplies, as far as the person may see them (A.10.3)."""
        if tab != "details":
            return {}
        systems = AISystem.objects.restrict(request.user, "view").live().filter(supplier=record)
        return {"systems": list(systems.select_related("owner").order_by("title"))}

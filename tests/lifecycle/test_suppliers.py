"""Suppliers (ISO/IEC 42001 A.10): roles, filters, and the AI systems a supplier's page lists."""

import pytest
from django.utils import timezone

from aims import records
from lifecycle.models import AISystem
from lifecycle.standard.suppliers import services
from tests.base import client_for


@pytest.fixture
def make_supplier(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "DocuSense OCR",
            "kind": "model",
            "supplies": "Document OCR model for loan applications.",
            **overrides,
        }
        return services.create(actor=actor or owner, fields=fields)

    return make


@pytest.fixture
def make_system(owner):
    def make(title, supplier=None, **more):
        fields = {
            "title": title,
            "purpose": "Reads loan documents.",
            "kind": "vision",
            "automation": "advisory",
            "origin": "supplied" if supplier else "in_house",
            "supplier": supplier,
            "owner": owner,
            **more,
        }
        return records.create_record(AISystem, actor=owner, fields=fields)

    return make


def test_the_page_lists_the_ai_systems_it_supplies(make_supplier, make_system, auditor, owner):
    supplier = make_supplier()
    other = make_supplier(title="Conversa LLM platform", kind="platform")
    ours = make_system("Loan document OCR", supplier=supplier)
    make_system("Customer-support chatbot", supplier=other)
    gone = make_system("Old OCR pilot", supplier=supplier)
    records.archive_record(gone, actor=owner, expected_version=1)
    page = client_for(auditor).get(supplier.get_absolute_url()).content.decode()
    section = page[page.index("AI systems supplied") :]
    assert ours.reference in section and "Loan document OCR" in section
    assert "Customer-support chatbot" not in section and "Old OCR pilot" not in section


def test_a_supplier_of_no_system_says_what_to_do(make_supplier, owner):
    page = client_for(owner).get(make_supplier().get_absolute_url()).content.decode()
    assert "No AI system names this supplier yet" in page


def test_the_list_filters_by_kind_and_status(make_supplier, owner):
    ocr = make_supplier()
    bureau = make_supplier(title="Meridian Credit Bureau", kind="data", status="approved")
    client = client_for(owner)
    page = client.get("/suppliers/?kind=data").content.decode()
    assert bureau.reference in page and ocr.reference not in page
    page = client.get("/suppliers/?status=under_review").content.decode()
    assert ocr.reference in page and bureau.reference not in page
    listed = client.get("/api/v1/suppliers/?status=approved").json()["results"]
    assert [r["reference"] for r in listed] == [bureau.reference]


def test_due_diligence_date_shows_in_the_list(make_supplier, owner):
    today = timezone.localdate()
    make_supplier(due_diligence="SOC 2 report reviewed.", due_diligence_on=today)
    page = client_for(owner).get("/suppliers/").content.decode()
    assert today.isoformat() in page and "Models or AI systems" in page


def test_empty_register_says_what_to_do_first(owner):
    page = client_for(owner).get("/suppliers/").content.decode()
    assert "No suppliers yet" in page and "Record the first supplier" in page

"""Fixtures of the Check registers: evidence (private files under a temporary folder, small real files,
made through the services); AI systems, audits planned through the services, and a second standard for
joint audits."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.models import Crosswalk, Requirement, Standard
from audits.evidence_services import services
from audits.services import audit_services

# Registers only the AIMS manager adds to: programmes, audits (both kinds), certificates.
ONLY_MANAGER_CREATES = {
    "manager": 201, "board": 403, "owner": 403, "other_owner": 403, "auditor": 403, "outsider": 403,
}  # fmt: skip

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def pdf(name="report.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def make_evidence(owner):
    def make(actor=None, requirements=None, **overrides):
        fields = {"title": "Model validation report 2025", "kind": "file", "file": pdf(), **overrides}
        if fields["kind"] == "link":
            fields.pop("file", None)
            fields.setdefault("url", "https://docs.example.org/contract")
        return services.create(actor=actor or owner, fields=fields, requirements=requirements)

    return make


SYSTEM = {
    "title": "Claims triage",
    "purpose": "Sorts incoming insurance claims by urgency.",
    "kind": "ml",
    "origin": "in_house",
    "ai_role": "producer",
    "automation": "advisory",
}


def reqs(*codes):
    return list(Requirement.objects.filter(standard__key="iso42001", code__in=codes))


@pytest.fixture
def make_system(owner):
    from lifecycle.standard.ai_systems import services

    def make(actor=None, **fields):
        return services.create(actor=actor or owner, fields={**SYSTEM, **fields})

    return make


@pytest.fixture
def make_audit(manager, auditor):
    def make(*, codes=("6.1.2", "A.6.2.4"), scope=None, systems=(), lead=None, team=(), owner=None, actor=None,
             **fields):  # fmt: skip
        today = timezone.localdate()
        data = {
            "title": "Risk management audit",
            "criteria": "ISO/IEC 42001 clause 6.1 and our AI risk procedure.",
            "lead_auditor": lead or auditor,
            "team": list(team),
            "scope": reqs(*codes) if scope is None else scope,
            "systems": list(systems),
            "starts_on": today + dt.timedelta(days=30),
            "ends_on": today + dt.timedelta(days=32),
            "owner": owner or manager,
            **fields,
        }
        return audit_services.create(actor=actor or manager, fields=data)

    return make


@pytest.fixture
def iso27001(db):
    """A second standard with two requirements crosswalked to ISO/IEC 42001 (the real data is loaded
    elsewhere; these rows are the test's own)."""
    standard = Standard.objects.create(key="test27001", name="ISO/IEC 27001:2022", title="ISMS")
    risk = Requirement.objects.create(
        standard=standard, key="test27001:6.1.2", code="6.1.2", kind="requirement",
        title="Information security risk assessment", position=1,
    )  # fmt: skip
    audit = Requirement.objects.create(
        standard=standard, key="test27001:9.2", code="9.2", kind="requirement",
        title="Internal audit", position=2,
    )  # fmt: skip
    Crosswalk.objects.create(source=reqs("6.1.2")[0], target=risk, strength="related")
    return {"standard": standard, "6.1.2": risk, "9.2": audit}


BODY = "Meridian Certification Ltd"


@pytest.fixture
def make_body_audit(manager):
    """A certification body's audit, recorded by the AIMS manager (ISO/IEC 17021-1 stages)."""

    def make(*, stage="stage_2", codes=("7.5.3", "8.1"), owner=None, actor=None, **fields):
        today = timezone.localdate()
        data = {
            "title": f"Certification {stage.replace('_', ' ')}",
            "kind": "certification",
            "stage": stage,
            "certification_body": BODY,
            "body_auditor": "Dr. Helena Varga",
            "criteria": "ISO/IEC 42001:2023 clauses 4 to 10 and our SoA.",
            "scope": reqs(*codes),
            "starts_on": today - dt.timedelta(days=10),
            "ends_on": today - dt.timedelta(days=8),
            "owner": owner or manager,
            **fields,
        }
        return audit_services.create(actor=actor or manager, fields=data)

    return make

"""Where a nonconformity was found and which audits a lesson came from are links both ways: set by the
form, the API and the raising actions, and matched from the old text references by a data migration that
keeps whatever names no record in a visible note."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from aims.records import history
from aims.registry import registry
from audits.models import Audit, Finding
from reviews.improvement import nc_services
from reviews.models import ManagementReview, Nonconformity
from reviews.raising import nc_from_finding
from reviews.standard.lessons import services as lessons
from tests.base import client_for

link_text = importlib.import_module("reviews.migrations.0005_link_source_text")


def sample(model, people, n=0):
    return registry.register_for(model).register.sample(people, n)


def _nc(owner, reqs, **fields):
    base = {
        "title": "Model card missing",
        "source": "other",
        "description": "No model card.",
        "grade": "minor",
    }
    return nc_services.create(actor=owner, fields={**base, **fields}, requirements=reqs)


# -- the data migration --------------------------------------------------------------------------------------
def test_text_naming_records_becomes_links_and_the_rest_stays_in_the_note(people, owner, reqs):
    finding = sample(Finding, people)
    review = sample(ManagementReview, people, 1)
    audit = finding.audit
    by_review = _nc(owner, reqs, source_note=f"  {review.reference.lower()} ")
    by_finding = _nc(owner, reqs, source_note=f"{audit.reference} {finding.reference}")
    external = _nc(owner, reqs, source_note=f"Certification body stage 1, see {audit.reference}")
    unknown = _nc(owner, reqs, source_note="AUD-2026-03 finding 4")

    link_text.link_nonconformities(apps)

    for nc in (by_review, by_finding, external, unknown):
        nc.refresh_from_db()
    assert (by_review.review, by_review.source_note) == (review, "")
    assert (by_finding.finding, by_finding.audit, by_finding.source_note) == (finding, audit, "")
    # Linked, and the text says more than the reference: kept whole, nothing lost.
    assert (
        external.audit == audit
        and external.source_note == f"Certification body stage 1, see {audit.reference}"
    )
    assert (unknown.audit, unknown.review, unknown.source_note) == (None, None, "AUD-2026-03 finding 4")
    change = history(by_review).first()
    assert change.version == by_review.version == 2 and "data migration" in change.note
    assert {c["field"]: c["new"] for c in change.changes}["review"] == str(review)
    assert not history(unknown).filter(note__contains="data migration").exists()


def test_a_lessons_audit_text_becomes_links_and_back(people, owner):
    first, second = sample(Audit, people), sample(Audit, people, 1)
    both = lessons.create(actor=owner, fields={"title": "Two audits", "what_happened": "x", "learned": "y",
                                               "audit_note": f"{first.reference} and {second.reference.lower()}"})  # fmt: skip
    external = lessons.create(actor=owner, fields={"title": "External", "what_happened": "x", "learned": "y",
                                                   "audit_note": "Certification stage 1 audit"})  # fmt: skip

    link_text.link_lessons(apps)

    both.refresh_from_db()
    external.refresh_from_db()
    assert set(both.audits.all()) == {first, second} and both.audit_note == ""
    assert not external.audits.exists() and external.audit_note == "Certification stage 1 audit"
    link_text.backwards(apps, None)  # the links are written back as text before the fields go
    both.refresh_from_db()
    assert both.audit_note == f"{first.reference} {second.reference}"


# -- links made by people and by the raising actions -----------------------------------------------------------
def test_a_nonconformity_raised_at_a_review_names_it_and_the_review_lists_it(people, owner, manager):
    review = sample(ManagementReview, people)
    client = client_for(owner)
    payload = {"title": "Supplier changed model without notice", "source": "review", "description": "x",
               "grade": "minor", "requirements": ["A.10.3"]}  # fmt: skip
    missing = client.post("/api/v1/nonconformities/", payload, content_type="application/json")
    assert missing.status_code == 400 and "review" in missing.json()
    made = client.post(
        "/api/v1/nonconformities/", {**payload, "review": review.reference}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    nc = Nonconformity.objects.get(reference=made.json()["reference"])
    assert nc.review == review
    review_page = client_for(manager).get(review.get_absolute_url()).content.decode()
    assert "Nonconformities raised at this review" in review_page
    assert f'<a href="{nc.get_absolute_url()}">{nc.reference}</a> {nc.title}' in review_page
    nc_page = client.get(nc.get_absolute_url()).content.decode()
    assert f'<a href="{review.get_absolute_url()}">{review.reference}</a> {review.title}' in nc_page


def test_finding_audit_nonconformity_and_lesson_link_each_other(people, owner, manager):
    finding = sample(Finding, people)
    audit = finding.audit
    nc_from_finding(finding, actor=owner, expected_version=finding.version, requirements="6.1.2")
    nc = Nonconformity.objects.get(finding=finding)
    assert nc.audit == audit and nc.title == finding.title  # its title is its own, not a copy of references
    lesson = lessons.create(actor=manager, fields={"title": "Gates must block", "what_happened": "x",
                                                   "learned": "y", "audits": [audit], "nonconformities": [nc]})  # fmt: skip
    client = client_for(people["auditor"])

    def link(record):
        return f'<a href="{record.get_absolute_url()}">{record.reference}</a>'

    pages = {r: client.get(r.get_absolute_url()).content.decode() for r in (audit, finding, nc, lesson)}
    assert link(finding) in pages[audit] and link(nc) in pages[audit] and link(lesson) in pages[audit]
    assert link(audit) in pages[finding] and link(nc) in pages[finding]
    assert link(finding) in pages[nc] and link(audit) in pages[nc] and link(lesson) in pages[nc]
    assert link(audit) in pages[lesson] and link(nc) in pages[lesson]
    listing = client.get("/lessons/").content.decode()
    assert link(audit) in listing  # the list's audits column


def test_an_audit_of_another_finding_is_refused(people, owner, reqs):
    finding = sample(Finding, people)
    other = sample(Audit, people, 3)
    nc_from_finding(finding, actor=owner, expected_version=finding.version, requirements="6.1.2")
    nc = Nonconformity.objects.get(finding=finding)
    with pytest.raises(ValidationError, match=finding.audit.reference) as refused:
        nc_services.update(nc, actor=owner, expected_version=nc.version, fields={"audit": other})
    assert "audit" in refused.value.message_dict
    nc.refresh_from_db()
    assert nc.audit == finding.audit

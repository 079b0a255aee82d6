"""Queries per page stay constant as evidence, files and links grow: the evidence list, a piece's page,
the Evidence tab of a record page (pinned) and a catalogue requirement page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.models import Requirement
from audits.evidence_services import evidence_attach, services
from tests.audits.conftest import pdf
from tests.base import client_for


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.fixture
def world(make_evidence, make_risk, owner):
    clause = Requirement.objects.mappable().get(code="7.5.3")
    risk = make_risk()
    evidence = make_evidence(title="The one with many files", requirements=[clause])

    def grow(n):
        nonlocal evidence
        for i in range(n):
            other = make_evidence(title=f"Evidence {i}", requirements=[clause])
            evidence_attach(other, risk, actor=owner)
            evidence_attach(evidence, make_risk(), actor=owner)
            evidence.refresh_from_db()
            evidence = services.update(
                evidence, actor=owner, expected_version=evidence.version, fields={"file": pdf(f"v{i}.pdf")}
            )

    return clause, risk, lambda: evidence, grow


def test_record_page_evidence_tab_is_pinned(world, owner):
    """The Evidence tab of a risk: 8 queries however much evidence is attached (the tab itself asks
    two: the visible links with their evidence and owners, and the pieces offered to attach)."""
    _, risk, _, grow = world
    client = client_for(owner)
    grow(2)
    url = f"/risks/{risk.reference}/?tab=evidence"
    client.get(url)  # warm the shared caches (risk criteria, content types)
    few = queries_for(client, url)
    grow(10)
    many = queries_for(client, url)
    assert many == few, f"{few} queries with 2 pieces, {many} with 12"
    assert many == 8
    # The details tab pays nothing for the Evidence tab: more evidence costs it no query.
    details = queries_for(client, f"/risks/{risk.reference}/")
    grow(3)
    assert queries_for(client, f"/risks/{risk.reference}/") == details


@pytest.mark.parametrize("screen", ["list", "detail", "requirement", "api"])
def test_pages_do_not_grow_with_evidence(screen, world, auditor):
    clause, _, current, grow = world
    client = client_for(auditor)

    def url():
        return {
            "list": "/evidence/?page_size=100",
            "detail": current().get_absolute_url(),
            "requirement": clause.get_absolute_url(),
            "api": "/api/v1/evidence/?page_size=100",
        }[screen]

    grow(2)
    client.get(url())
    few = queries_for(client, url())
    grow(10)
    many = queries_for(client, url())
    assert many == few, f"{screen}: {few} queries, then {many}"

"""Queries per request stay constant as data grows and never exceed 12 (BENCHMARKS.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.models import Requirement
from registers.services import risk_update
from tests.base import client_for

PAGES = ["/", "/risks/", "/api/v1/risks/?page_size=50", "/risks/?level=low&category=bias-and-fairness"]


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def add_risks(make_risk, n):
    controls = list(Requirement.objects.mappable().filter(code__in=["A.5.4", "A.7.4", "6.1.2"]))
    for _ in range(n):
        risk = make_risk()
        risk_update(risk, actor=risk.owner, expected_version=1, fields={}, requirements=controls)
    return risk


@pytest.mark.parametrize("url", PAGES)
def test_queries_do_not_grow_with_rows(url, make_risk, board):
    client = client_for(board)
    add_risks(make_risk, 2)
    client.get(url)  # warm the shared cache (risk criteria), as in a running server
    few = queries_for(client, url)
    add_risks(make_risk, 30)
    many = queries_for(client, url)
    assert many == few, f"{url}: {few} queries with 2 risks, {many} with 32"
    assert many <= 12, f"{url}: {many} queries"


def test_detail_page_and_api_detail(make_risk, board):
    client = client_for(board)
    risk = add_risks(make_risk, 1)
    for url in (
        f"/risks/{risk.reference}/",
        f"/risks/{risk.reference}/?tab=history",
        f"/risks/{risk.reference}/?tab=links",
        f"/api/v1/risks/{risk.reference}/",
    ):
        assert queries_for(client, url) <= 12, url

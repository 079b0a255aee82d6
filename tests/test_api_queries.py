"""Every register's list API makes the same number of queries for one row as for fifty: a related
object shown per row (an owner, a supplier, linked records) is fetched with the page, never row by row.
Checked over the demo organisation, which has records in every register."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.api.router import router
from aims.models import User
from tests.base import client_for


def _queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries), response.json()["count"]


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", sorted(prefix for prefix, _, _ in router.registry))
def test_list_api_queries_do_not_grow_with_rows(demo, prefix):
    client = client_for(User.objects.get(username="auditor"))
    client.get(f"/api/v1/{prefix}/?page_size=1")  # warm caches (criteria, content types)
    one, count = _queries(client, f"/api/v1/{prefix}/?page_size=1")
    many, _ = _queries(client, f"/api/v1/{prefix}/?page_size=50")
    assert many == one, f"{prefix}: {one} queries for 1 row, {many} for {min(count, 50)}"

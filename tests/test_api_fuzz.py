"""A bounded schemathesis run over the OpenAPI schema: no input may produce a 5xx."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from aims.models import ApiToken

pytestmark = pytest.mark.slow
# Six inputs per operation in the suite (about 2,500 requests: each register's own fuzz tests go deeper);
# AIMS_FUZZ_EXAMPLES=50 for a deeper run before a release.
EXAMPLES_PER_OPERATION = int(os.environ.get("AIMS_FUZZ_EXAMPLES", "6"))
# The operations are split into shards so that parallel test workers share the run (one shard alone took
# three minutes once the Check and Act registers came).
SHARDS = 4


@pytest.fixture
def api_schema(db, manager):
    # As Django's test client does: keep the test's connection (and transaction) open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # The schema is for signed-in people and tokens only (aims.api.docs).
    token = ApiToken.issue(user=manager, name="schema")[1]
    yield schemathesis.openapi.from_wsgi(
        "/api/schema/", get_wsgi_application(), headers={"Authorization": f"Bearer {token}"}
    )
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_input_gives_a_server_error(api_schema, manager, make_risk, shard):
    make_risk()  # so detail routes have something real to find
    headers = {"Authorization": f"Bearer {ApiToken.issue(user=manager, name='fuzz')[1]}"}
    everything = [result.ok() for result in api_schema.get_all_operations()]
    assert len(everything) >= 10 * SHARDS
    operations = everything[shard::SHARDS]

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
            suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        def check(case):
            case.call_and_validate(headers=headers, checks=[schemathesis.checks.not_a_server_error])

        check()

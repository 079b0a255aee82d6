"""The improvement API under a bounded schemathesis run: no input may produce a 5xx (the whole-schema
run in tests/test_api_fuzz.py covers these too; this one runs in a minute while working on them)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from aims.models import ApiToken
from tests.test_api_fuzz import api_schema  # noqa: F401  the fixture

pytestmark = pytest.mark.slow
PATHS = ("/api/v1/nonconformities/", "/api/v1/corrective-actions/", "/api/v1/preventive-actions/",
         "/api/v1/lessons/", "/api/v1/feedback/")  # fmt: skip
RAISING = ("raise-nonconformity", "raise-preventive-action")


def test_no_input_gives_a_server_error(api_schema, manager, done_ca, make_incident, breached_kpi):  # noqa: F811
    make_incident()
    headers = {"Authorization": f"Bearer {ApiToken.issue(user=manager, name='fuzz')[1]}"}
    operations = [
        op
        for op in (result.ok() for result in api_schema.get_all_operations())
        if op.path.startswith(PATHS) or op.path.rstrip("/").endswith(RAISING)
    ]
    assert len(operations) >= 30

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=headers, checks=[schemathesis.checks.not_a_server_error])

        check()

"""Fixtures of improvement: an incident, a KPI, nonconformities and corrective actions made through the
services, as people make them."""

import datetime as dt

import pytest

from aims.models import Requirement
from lifecycle.standard.incidents import services as incidents
from lifecycle.standard.kpis import services as kpis
from reviews.improvement import add_action, ca_services, complete_action, nc_services
from tests import clock

WHY = {"why_1": "Why did it happen?", "because_1": "Nobody checked the feed's age.", "cause_category": "data"}


def days(n: int) -> dt.date:
    return clock.today() + dt.timedelta(days=n)


@pytest.fixture
def reqs(db):
    return list(Requirement.objects.filter(standard__key="iso42001", code__in=["8.1", "A.6.2.6"]))


@pytest.fixture
def make_incident(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Stale bureau data declined applicants",
            "detected_on": clock.today(),
            "severity": "high",
            "description": "Month-old bureau files were scored for two days.",
            "containment": "Automated declines paused.",
            **overrides,
        }
        return incidents.services.create(actor=actor or owner, fields=fields)

    return make


@pytest.fixture
def breached_kpi(owner):
    kpi = kpis.services.create(
        actor=owner,
        fields={"title": "Grounded answers", "metric": "Share grounded", "unit": "%", "direction": "higher",
                "target": 98, "warning": 96, "breach": 94},
    )  # fmt: skip
    kpis.record_measurement(kpi, actor=owner, value="93.5", source="ui")
    kpi.refresh_from_db()
    return kpi


@pytest.fixture
def make_nc(owner, reqs):
    def make(actor=None, requirements=None, **overrides):
        fields = {
            "title": "Bureau files used without a freshness check",
            "source": "other",
            "description": "Data older than the supplier agreement allows was used.",
            "grade": "major",
            **overrides,
        }
        return nc_services.create(actor=actor or owner, fields=fields, requirements=requirements or reqs)

    return make


@pytest.fixture
def make_ca(owner, make_nc):
    def make(actor=None, nc=None, **overrides):
        fields = {"title": "Freshness monitoring", "nonconformity": nc or make_nc(), **overrides}
        return ca_services.create(actor=actor or owner, fields=fields)

    return make


@pytest.fixture
def done_ca(make_ca, owner):
    """A corrective action whose one action is done, checked straight away (0 days)."""
    ca = make_ca(check_after_days=0, **WHY)
    ca = add_action(ca, actor=owner, expected_version=ca.version, description="Reject stale files",
                    owner=owner.username, due_on=days(5).isoformat())  # fmt: skip
    return complete_action(ca, actor=owner, expected_version=ca.version, action="1")

"""audits.selectors.evidence_for: what the evidence-pack builder and the readiness check ask."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aims.models import Crosswalk, Requirement, Standard
from audits.evidence_services import evidence_attach, services
from audits.models import Evidence
from audits.selectors import evidence_for
from tests import clock
from tests.audits.conftest import PDF, pdf


@pytest.fixture
def reqs(db):
    standard = Standard.objects.create(
        key="nist-ai-rmf", name="NIST AI RMF", title="AI Risk Management Framework"
    )
    nist = Requirement.objects.create(
        standard=standard, key="nist:MAP-1.1", code="MAP 1.1", kind="requirement", title="Context", position=1
    )
    ours = Requirement.objects.get(standard__key="iso42001", code="4.1")
    Crosswalk.objects.create(source=nist, target=ours, strength="related")
    return ours, nist


def by_title(served):
    return {s.evidence.title: s for s in served}


def test_it_serves_direct_and_crosswalked_evidence_and_says_which(make_evidence, reqs, auditor):
    ours, nist = reqs
    make_evidence(title="Context analysis", requirements=[ours])
    make_evidence(title="NIST mapping workshop", requirements=[nist])
    make_evidence(title="Unrelated", requirements=[Requirement.objects.mappable().get(code="9.2.1")])
    served = by_title(evidence_for(requirements=[ours], user=auditor))
    assert set(served) == {"Context analysis", "NIST mapping workshop"}
    assert served["Context analysis"].serves == [(ours, None)]
    assert served["NIST mapping workshop"].serves == [(ours, nist)]
    assert served["Context analysis"].file.number == 1
    # And the other way round: asked for the NIST requirement, ours comes via 4.1.
    back = by_title(evidence_for(requirements=[nist], user=auditor))
    assert back["Context analysis"].serves == [(nist, ours)]


def test_it_serves_evidence_attached_to_records(make_evidence, make_risk, owner):
    risk, other = make_risk(), make_risk()
    attached = make_evidence(title="Fairness test")
    evidence_attach(attached, risk, actor=owner)
    evidence_attach(make_evidence(title="Elsewhere"), other, actor=owner)
    served = evidence_for(records=[risk], user=owner)
    assert [s.evidence for s in served] == [attached] and served[0].records == [risk]


def test_it_leaves_out_what_the_user_may_not_see_and_what_is_not_current(
    make_evidence, reqs, owner, other_owner
):
    ours, _ = reqs
    make_evidence(title="Confidential", confidentiality="confidential", requirements=[ours])
    make_evidence(title="Expired", valid_until=clock.today() - dt.timedelta(days=1), requirements=[ours])
    archived = make_evidence(title="Archived", requirements=[ours])
    services.archive(archived, actor=owner, expected_version=1)
    assert set(by_title(evidence_for(requirements=[ours], user=owner))) == {"Confidential"}
    assert set(by_title(evidence_for(requirements=[ours], user=other_owner))) == set()
    everything = by_title(evidence_for(requirements=[ours], user=owner, current_only=False))
    assert set(everything) == {"Confidential", "Expired"} and not everything["Expired"].is_current


def test_as_of_gives_the_file_current_then_and_leaves_out_later_evidence(make_evidence, reqs, owner):
    ours, _ = reqs
    evidence = make_evidence(title="Policy", requirements=[ours], file=pdf("policy v1.pdf"))
    evidence = services.update(
        evidence, actor=owner, expected_version=1, fields={"file": pdf("policy v2.pdf", PDF)}
    )
    january, march = (timezone.make_aware(dt.datetime(2026, m, 1)) for m in (1, 3))
    Evidence.objects.filter(pk=evidence.pk).update(created_at=january)
    evidence.files.filter(number=1).update(uploaded_at=january)
    evidence.files.filter(number=2).update(uploaded_at=march)
    later = make_evidence(title="Later", requirements=[ours])
    Evidence.objects.filter(pk=later.pk).update(created_at=march)
    later.files.update(uploaded_at=march)

    february = evidence_for(requirements=[ours], user=owner, as_of=dt.date(2026, 2, 1))
    assert [(s.evidence.title, s.file.file_name) for s in february] == [("Policy", "policy v1.pdf")]
    april = by_title(evidence_for(requirements=[ours], user=owner, as_of=dt.date(2026, 4, 1)))
    assert april["Policy"].file.file_name == "policy v2.pdf" and "Later" in april
    assert evidence_for(requirements=[ours], user=owner, as_of=dt.date(2025, 12, 1)) == []
    # Validity is judged on that date too.
    Evidence.objects.filter(pk=later.pk).update(valid_until=dt.date(2026, 3, 15))
    assert "Later" in by_title(evidence_for(requirements=[ours], user=owner, as_of=dt.date(2026, 3, 10)))


def test_a_link_has_no_file_and_is_served_all_the_same(make_evidence, reqs, owner):
    ours, _ = reqs
    make_evidence(title="Contract", kind="link", requirements=[ours])
    [served] = evidence_for(requirements=[ours], user=owner, as_of=timezone.now())
    assert served.file is None and served.evidence.url


def test_queries_do_not_grow_with_evidence(make_evidence, make_risk, reqs, owner):
    ours, nist = reqs
    risk = make_risk()

    def add(n):
        for i in range(n):
            evidence = make_evidence(title=f"Evidence {i}", requirements=[ours if i % 2 else nist])
            evidence_attach(evidence, risk, actor=owner)

    def count():
        with CaptureQueriesContext(connection) as captured:
            evidence_for(requirements=[ours], records=[risk], user=owner, as_of=clock.today())
        return len(captured.captured_queries)

    add(2)
    few = count()
    add(10)
    assert count() == few <= 8

"""ISO/IEC 42001 9.2.2: the audit programme plans internal audits so that, over its cycle (three years for a
certification cycle), every clause requirement and every Annex A control the SoA marks applicable is
audited. Coverage counts what the cycle's internal audits reported (audited), plan or carry out, or the
programme lists (planned), and names what the cycle has not reached; certification readiness is "met"
for 9.2.2 only when nothing is left unreached."""

import datetime as dt

import pytest

from aims.certification import readiness
from aims.models import Requirement
from audits import checklist
from audits import programme as planning
from audits.certification_checks import internal_audits
from audits.services import report_audit, start_audit
from audits.standard.programmes import services as programme_services
from lifecycle.standard import soa_entries
from tests import clock
from tests.audits.conftest import reqs
from tests.base import client_for


@pytest.fixture
def cycle(manager):
    """This year's three-year programme."""
    return programme_services.create(
        actor=manager, fields={"title": "Certification cycle", "year": clock.today().year, "cycle_years": 3}
    )


def _reported(make_audit, auditor, owner, codes, **fields):
    audit = make_audit(codes=codes, starts_on=clock.today() - dt.timedelta(days=9), ends_on=clock.today() - dt.timedelta(days=7),
                       **fields)  # fmt: skip
    audit = start_audit(audit, actor=auditor, expected_version=audit.version)
    checklist.generate(audit, actor=auditor)
    for item in audit.checklist.all():
        checklist.save_item(item, actor=auditor, expected_version=item.version, question=item.question,
                            result="conforming", notes="Seen.", auditee=owner)  # fmt: skip
    audit.refresh_from_db()
    return report_audit(audit, actor=auditor, expected_version=audit.version)


def _exclude(owner, code):
    control = Requirement.objects.mappable().get(code=code)
    return soa_entries.services.create(
        actor=owner,
        fields={"control": control, "applicable": False, "justification": "We build no such thing."},
    )


def test_the_cycle_spans_its_years_and_counts_internal_audits_only(cycle, make_audit, make_body_audit, auditor,
                                                                   owner, manager):  # fmt: skip
    assert (
        cycle.cycle_label == f"{clock.today().year}–{clock.today().year + 2}"
        and planning.current_programme(clock.today()) == cycle
    )
    assert planning.current_programme(dt.date(clock.today().year + 2, 12, 31)) == cycle
    assert planning.current_programme(dt.date(clock.today().year + 3, 1, 1)) is None
    _reported(make_audit, auditor, owner, ("6.1.2",))  # not in the programme, but within its years
    later = make_audit(
        codes=("7.4",),
        starts_on=dt.date(clock.today().year + 2, 3, 1),
        ends_on=dt.date(clock.today().year + 2, 3, 2),
    )
    after = make_audit(
        codes=("10.1",),
        starts_on=dt.date(clock.today().year + 3, 3, 1),
        ends_on=dt.date(clock.today().year + 3, 3, 2),
    )
    make_body_audit(codes=("8.1",))  # the certification body's audit is not the programme's
    planning.save_item(cycle, actor=manager, requirement=reqs("9.1")[0], planned_month=5)
    states = {
        r["subject"].code: r["state"] for r in planning.coverage(cycle)["rows"] if r["kind"] != "AI system"
    }
    assert (states["6.1.2"], states["7.4"], states["9.1"]) == ("audited", "planned", "planned")
    assert (states["10.1"], states["8.1"]) == ("not reached", "not reached")
    assert later.status == after.status == "planned"


def test_coverage_leaves_out_what_the_soa_excludes(cycle, owner, manager):
    _exclude(owner, "A.10.4")
    found = planning.coverage(cycle)
    codes = [r["subject"].code for r in found["rows"] if r["kind"] == "Control"]
    assert "A.10.4" not in codes and len(codes) == 37 and [r.code for r in found["excluded"]] == ["A.10.4"]
    page = (
        client_for(manager)
        .get(f"/audit-programmes/{cycle.reference}/coverage/?kind=control")
        .content.decode()
    )
    assert 'data-total="37"' in page and "Excluded in the Statement of Applicability" in page


def test_9_2_2_is_partial_naming_what_the_cycle_has_not_reached_as_catalogue_links(cycle, make_audit, auditor,
                                                                                   owner, manager):  # fmt: skip
    _reported(make_audit, auditor, owner, ("6.1.2", "A.6.2.4"), programme=cycle)
    for code in [r.code for r in Requirement.objects.mappable()]:
        if code not in ("6.1.2", "A.6.2.4", "7.4", "A.9.3"):
            planning.save_item(cycle, actor=manager, requirement=reqs(code)[0], planned_month=6)
    result = internal_audits(clock.today())
    assert result.status == "partial"
    assert (
        f"the {cycle.cycle_label} cycle has not reached 2 clauses and controls (7.4, A.9.3)" in result.reason
    )
    links = dict(result.links)
    assert links["7.4"] == "/catalogue/iso42001:7.4/" and links["A.9.3"] == "/catalogue/iso42001:A.9.3/"
    row = next(c for s in readiness(clock.today())["sections"] for c in s["checks"] if c["key"] == "9.2.2")
    assert row["status"] == "partial" and {"label": "7.4", "url": "/catalogue/iso42001:7.4/"} in row["links"]


def test_9_2_2_is_met_only_when_every_clause_and_applicable_control_is_covered(
    cycle, make_audit, auditor, owner, manager, django_assert_max_num_queries
):
    _reported(make_audit, auditor, owner, ("6.1.2",), programme=cycle)
    _exclude(owner, "A.9.3")  # excluded by the SoA: the cycle need not reach it
    for code in [r.code for r in Requirement.objects.mappable()]:
        if code not in ("6.1.2", "A.9.3", "7.4"):
            planning.save_item(cycle, actor=manager, requirement=reqs(code)[0], planned_month=3)
    assert internal_audits(clock.today()).status == "partial"
    planning.save_item(cycle, actor=manager, requirement=reqs("7.4")[0], planned_month=11)

    with django_assert_max_num_queries(9):  # however many lines and audits the cycle holds
        result = internal_audits(clock.today())

    assert result.status == "met" and f"plans the {cycle.cycle_label} cycle" in result.reason


def test_the_coverage_figures_link_to_the_lists_that_count_them(cycle, make_audit, auditor, owner, manager,
                                                                django_assert_max_num_queries):  # fmt: skip
    _reported(make_audit, auditor, owner, ("6.1.2", "A.6.2.4"), programme=cycle)
    client = client_for(manager)
    page = client.get(cycle.get_absolute_url()).content.decode()
    url = f"/audit-programmes/{cycle.reference}/coverage/"
    assert f'data-count="31" href="{url}?kind=clause&amp;state=not_reached"' in page
    assert f'data-count="1" href="{url}?kind=control&amp;state=audited"' in page
    with django_assert_max_num_queries(14):
        gaps = client.get(f"{url}?kind=clause&state=not_reached").content.decode()
    assert 'data-total="31"' in gaps and 'href="/catalogue/iso42001:7.4/"' in gaps and ">6.1.2<" not in gaps

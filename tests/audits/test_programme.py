"""The audit programme: frequencies suggested from risk and previous results, overridden only with a
reason, and the coverage page showing what the cycle has not reached."""

import pytest
from django.core.exceptions import ValidationError

from audits import checklist
from audits import programme as planning
from audits.models import Frequency, ProgrammeItem
from audits.services import report_audit, start_audit
from audits.standard.programmes import services as programme_services
from lifecycle.models import AISystem
from tests.audits.conftest import reqs
from tests.base import client_for


@pytest.fixture
def programme(manager):
    return programme_services.create(actor=manager, fields={"title": "Programme 2026", "year": 2026})


def _reported_audit(make_audit, auditor, owner, code, result):
    audit = make_audit(codes=(code,))
    audit = start_audit(audit, actor=auditor, expected_version=audit.version)
    checklist.generate(audit, actor=auditor)
    for item in audit.checklist.all():
        checklist.save_item(item, actor=auditor, expected_version=item.version, question=item.question,
                            result=result, notes="Seen in the sample.", auditee=owner)  # fmt: skip
    audit.refresh_from_db()
    return report_audit(audit, actor=auditor, expected_version=audit.version)


def test_a_high_risk_system_with_many_open_risks_is_audited_every_quarter(make_system, make_risk, owner):
    system = make_system(criticality=5)
    AISystem.objects.filter(pk=system.pk).update(eu_tier="high")
    system.refresh_from_db()
    assert planning.suggest(system=system)[0] == Frequency.HALF_YEARLY
    for n in range(3):
        make_risk(title=f"Risk {n}", systems=[system])
    frequency, why = planning.suggest(system=system)
    assert frequency == Frequency.QUARTERLY and "3 open risks" in why


def test_a_minimal_low_criticality_system_waits_two_years(make_system):
    system = make_system(criticality=1)
    AISystem.objects.filter(pk=system.pk).update(eu_tier="minimal")
    system.refresh_from_db()
    assert planning.suggest(system=system)[0] == Frequency.TWO_YEARLY


def test_a_nonconformity_last_time_brings_the_requirement_forward(make_audit, auditor, owner):
    requirement = reqs("6.1.2")[0]
    assert planning.suggest(requirement=requirement)[0] == Frequency.YEARLY
    _reported_audit(make_audit, auditor, owner, "6.1.2", "minor_nc")
    assert planning.suggest(requirement=requirement) == (
        Frequency.HALF_YEARLY,
        "minor nonconformity at the last audit",
    )
    _reported_audit(make_audit, auditor, owner, "6.1.2", "major_nc")
    assert planning.suggest(requirement=requirement)[0] == Frequency.QUARTERLY


def test_an_override_needs_a_reason_and_is_in_history(programme, manager, make_system):
    requirement = reqs("7.2")[0]
    with pytest.raises(ValidationError) as exc:
        planning.save_item(programme, actor=manager, requirement=requirement, planned_month=3,
                           frequency=Frequency.QUARTERLY)  # fmt: skip
    assert "override_reason" in exc.value.message_dict and not ProgrammeItem.objects.exists()
    item = planning.save_item(programme, actor=manager, requirement=requirement, planned_month=3,
                              frequency=Frequency.QUARTERLY, override_reason="New training platform.")  # fmt: skip
    assert item.overridden and item.suggested_frequency == Frequency.YEARLY and item.planned_quarter == 1
    with pytest.raises(ValidationError, match="already in this programme"):
        planning.save_item(programme, actor=manager, requirement=requirement, planned_month=4)
    from aims.records import history

    assert "New training platform." in history(programme).first().changes[0]["new"]


def test_only_the_planner_changes_the_programme(programme, auditor, owner, client):
    response = client_for(auditor).post(
        f"/audit-programmes/{programme.reference}/items/",
        {"requirement": reqs("7.2")[0].pk, "planned_month": 2},
    )
    assert response.status_code == 403 and not ProgrammeItem.objects.exists()


def test_the_page_adds_an_item_and_shows_the_suggestion(programme, manager):
    client = client_for(manager)
    response = client.post(
        f"/audit-programmes/{programme.reference}/items/",
        {"requirement": reqs("8.1")[0].pk, "planned_month": 5},
    )
    assert response.status_code == 302
    page = client.get(f"/audit-programmes/{programme.reference}/").content.decode()
    assert "month 5 (Q2)" in page and "no nonconformity at the last audit" in page
    bad = client.post(f"/audit-programmes/{programme.reference}/items/", {"planned_month": 5}, follow=True)
    assert "Choose either a clause or control, or an AI system." in bad.content.decode()


def test_coverage_shows_what_the_cycle_has_not_reached(programme, make_audit, auditor, owner, make_system,
                                                      django_assert_max_num_queries):  # fmt: skip
    system = make_system()
    _reported_audit(make_audit, auditor, owner, "6.1.2", "conforming")
    make_audit(codes=("7.2",), systems=[system], programme=programme)
    from audits.models import Audit

    Audit.objects.update(programme=programme)
    client = client_for(owner)
    with django_assert_max_num_queries(12):
        page = client.get(f"/audit-programmes/{programme.reference}/coverage/").content.decode()
    data = planning.coverage(programme)
    states = {getattr(r["subject"], "code", None) or r["subject"].reference: r["state"] for r in data["rows"]}
    assert (
        states["6.1.2"] == "audited" and states["7.2"] == "planned" and states[system.reference] == "planned"
    )
    assert states["A.10.4"] == "not reached"
    assert data["counts"] == {"audited": 1, "planned": 2, "not_reached": 70 - 2}
    assert "✗ Not reached" in page and "✓ Audited" in page
    gaps = client.get(f"/audit-programmes/{programme.reference}/coverage/?show=gaps").content.decode()
    assert "A.10.4" in gaps and ">6.1.2<" not in gaps


def test_the_programme_page_shows_a_suggestion_changed_by_a_new_finding(
    programme, manager, make_audit, auditor, owner, make_system, django_assert_max_num_queries
):
    planning.save_item(programme, actor=manager, requirement=reqs("6.1.2")[0], planned_month=6)
    planning.save_item(programme, actor=manager, system=make_system(title="System first"), planned_month=6)
    _reported_audit(make_audit, auditor, owner, "6.1.2", "minor_nc")
    client = client_for(manager)
    client.get(f"/audit-programmes/{programme.reference}/")
    with django_assert_max_num_queries(40) as few:
        client.get(f"/audit-programmes/{programme.reference}/")
    for code in ("7.2", "8.1", "A.7.4"):
        planning.save_item(programme, actor=manager, requirement=reqs(code)[0], planned_month=7)
    for n in range(2):
        planning.save_item(programme, actor=manager, system=make_system(title=f"System {n}"), planned_month=8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"/audit-programmes/{programme.reference}/").content.decode()
    assert "Suggestion changed" in page and "minor nonconformity at the last audit" in page
    assert "was every year when planned" in page


def test_the_api_shows_the_programme_items(programme, manager, auditor, django_assert_max_num_queries):
    planning.save_item(programme, actor=manager, requirement=reqs("7.2")[0], planned_month=2)
    client = client_for(auditor)
    with django_assert_max_num_queries(12) as few:
        data = client.get("/api/v1/audit-programmes/").json()["results"]
    assert data[0]["items"] == [
        {"requirement": "7.2", "system": None, "planned_month": 2, "planned_quarter": 1, "frequency": 12,
         "suggested_frequency": 12, "suggestion_reason": "no nonconformity at the last audit",
         "override_reason": ""}
    ]  # fmt: skip
    second = programme_services.create(actor=manager, fields={"title": "Programme 2027", "year": 2027})
    planning.save_item(second, actor=manager, requirement=reqs("8.1")[0], planned_month=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/audit-programmes/").json()["results"]) == 2


def test_two_people_changing_one_programme_line_the_second_is_told(programme, manager):
    item = planning.save_item(programme, actor=manager, requirement=reqs("8.1")[0], planned_month=5)
    url = f"/audit-programmes/{programme.reference}/items/{item.pk}/"
    first, second = client_for(manager), client_for(manager)
    page = first.get(f"/audit-programmes/{programme.reference}/").content.decode()
    assert 'name="version" value="1"' in page  # the version each person's page was drawn with

    assert first.post(url, {"version": 1, "planned_month": 9}).status_code == 302
    told = second.post(url, {"version": 1, "planned_month": 2}, follow=True).content.decode()

    assert "was changed since you opened the programme" in told and "Nothing was saved" in told
    item.refresh_from_db()
    assert (item.planned_month, item.version) == (9, 2)  # the first change stands, the second changed nothing
    with pytest.raises(planning.StaleLine):
        planning.save_item(programme, actor=manager, item=item, planned_month=3)  # no version: not blind

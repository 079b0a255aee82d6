"""EU AI Act obligations of high-risk AI systems as records: created for the provider or the deployer when
a system is high-risk, each moved through its states by whoever may change it, refused (naming the
field and citing the article) while what the article needs is missing, listed and filtered, on the
system's page with the Art. 113 dates, in the API, and in the demo."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from aims import records
from aims.records import history
from lifecycle.models import AISystem, HighRiskObligation
from lifecycle.models.obligations import DUTIES, add_years
from lifecycle.standard.ai_systems import services as systems
from lifecycle.standard.obligations import services as obligations
from lifecycle.standard.obligations.position import eu_position
from lifecycle.standard.obligations.services import (
    complete,
    create_obligations,
    ensure_obligations,
    mark_not_applicable,
    reopen,
    start,
)
from lifecycle.standard.obligations.timeline import ART_113, dates_for, default_due
from tests import clock
from tests.base import RegisterRoleMatrix, client_for, form_data_for

PROVIDED = 15  # Annex IV points 1-9, conformity, declaration, registration, monitoring plan, Arts. 18, 19
DEPLOYED = 4  # Art. 26(6) logs, Art. 27(1) FRIA, Art. 27(3) notification, Art. 49(3) registration of use


def make_system(owner, title="CV screening", role="producer", **fields):
    return systems.create(actor=owner, fields={
        "title": title, "purpose": "Ranks job applications.", "kind": "ml", "ai_role": role,
        "automation": "in_loop", **fields})  # fmt: skip


def classified(system, actor, tier="high", **answers):
    """The system as the classification stores it (lifecycle.classification): the tier and the answers."""
    answers = {"annex_iii": "employment", **answers}

    def store(locked, before):
        locked.eu_tier = tier
        locked.eu_classification = {"answers": answers, "tier": tier, "reasons": [], "duties": []}

    return records.update_record(
        system, actor=actor, expected_version=system.version, fields={}, prepare=store
    )


@pytest.fixture
def provided(owner):
    return classified(make_system(owner), owner)


@pytest.fixture
def deployed(owner):
    return classified(make_system(owner, "Supplied CV ranking", role="customer"), owner)


def by_duty(system) -> dict:
    return {o.duty: o for o in system.high_risk_obligations.live()}


def update(record, actor, **fields):
    return obligations.services.update(record, actor=actor, expected_version=record.version, fields=fields)


# -- creating a high-risk system's obligations -------------------------------------------------------------
def test_a_high_risk_system_we_provide_gets_the_provider_obligations_owned_and_due(provided, owner, manager):
    system = create_obligations(provided, actor=manager, expected_version=provided.version)
    made = by_duty(system)
    assert len(made) == PROVIDED and {f"annex_iv_{n}" for n in range(1, 10)} <= set(made)
    assert {"conformity", "declaration", "registration", "monitoring_plan", "documentation_kept",
            "provider_logs"} <= set(made)  # fmt: skip
    assert all(o.owner == owner and o.state == "not_started" and o.due_on for o in made.values())
    assert made["annex_iv_2"].title == "Annex IV point 2: elements and development — CV screening"
    # The ISO/IEC 42001 links come from the catalogue's crosswalk of the article that asks it.
    assert "A.6.2.7" in set(made["annex_iv_2"].requirements.values_list("code", flat=True))
    assert "A.6.2.8" in set(made["provider_logs"].requirements.values_list("code", flat=True))
    assert not made["declaration"].requirements.exists()  # Art. 47: no 42001 counterpart
    note = history(system).first()
    assert "15 provider obligations" in note.note and made["annex_iv_1"].reference in note.changes[0]["new"]


def test_a_high_risk_system_we_deploy_gets_the_deployer_obligations(deployed, manager):
    made = {o.duty for o in ensure_obligations(deployed, actor=manager)}
    assert made == {"deployer_logs", "fria", "fria_notified", "use_registration"} and len(made) == DEPLOYED


def test_nothing_is_created_for_a_system_that_is_not_high_risk_or_whose_role_is_neither(owner, manager):
    limited = classified(make_system(owner, "Chatbot"), owner, tier="limited", annex_iii="none")
    partner = classified(make_system(owner, "Partner's model", role="partner"), owner)
    for system, why in ((limited, "not classified high-risk"), (partner, "neither provider nor deployer")):
        assert ensure_obligations(system, actor=manager) == []
        with pytest.raises(ValidationError, match=why):
            create_obligations(system, actor=manager, expected_version=system.version)
        page = client_for(manager).get(system.get_absolute_url()).content.decode()
        assert "Record its EU AI Act obligations" not in page
    assert not HighRiskObligation.objects.exists()


def test_the_button_on_the_system_page_records_them_once_and_says_so(provided, owner, auditor):
    client = client_for(owner)
    page = client.get(provided.get_absolute_url()).content.decode()
    assert "Record its EU AI Act obligations" in page
    response = client.post(f"{provided.get_absolute_url()}create-obligations/", {"version": provided.version})
    assert response.status_code == 302 and provided.high_risk_obligations.count() == PROVIDED
    provided.refresh_from_db()
    again = client.post(f"{provided.get_absolute_url()}create-obligations/", {"version": provided.version})
    assert provided.high_risk_obligations.count() == PROVIDED
    assert "is recorded already" in client.get(again.url).content.decode()
    refused = client_for(auditor).post(
        f"/api/v1/systems/{provided.reference}/create-obligations/", {"version": provided.version},
        content_type="application/json",
    )  # fmt: skip
    assert refused.status_code == 403


def test_art_49_duties_that_cannot_apply_are_created_not_applicable_with_the_article(owner, manager):
    """Art. 49(5): Annex III point 2 systems are registered nationally; Art. 27(1) leaves them out of the
    FRIA; Art. 49(3) binds public bodies only (read from the classification's answers when it gives one)."""
    grid = classified(make_system(owner, "Grid balancing"), owner, annex_iii="infrastructure")
    ensure_obligations(grid, actor=manager)
    registration = by_duty(grid)["registration"]
    assert registration.state == "not_applicable" and "Art. 49(5)" in registration.not_applicable_reason
    private = classified(make_system(owner, "Rota planner", role="customer"), owner, public_body=False)
    ensure_obligations(private, actor=manager)
    use = by_duty(private)["use_registration"]
    assert use.state == "not_applicable" and "Art. 49(3)" in use.not_applicable_reason
    assert by_duty(private)["fria"].state == "not_started"


# -- the rules each obligation keeps ------------------------------------------------------------------------
def test_art_26_6_logs_kept_at_least_six_months(deployed, owner, manager):
    """Art. 26(6): a deployer keeps the logs at least six months; less is refused on the field, citing it,
    by the services, the form and the API alike."""
    ensure_obligations(deployed, actor=manager)
    logs = by_duty(deployed)["deployer_logs"]
    with pytest.raises(ValidationError) as refused:
        update(logs, owner, log_retention_months=5)
    assert "Art. 26(6)" in refused.value.message_dict["log_retention_months"][0]
    client = client_for(owner)
    response = client.post(
        f"{logs.get_absolute_url()}edit/", {**form_data_for(logs), "log_retention_months": "3"}
    )
    assert response.status_code == 400
    assert "Art. 26(6): logs are kept at least six months" in response.content.decode()
    api = client.patch(f"/api/v1/ai-act-obligations/{logs.reference}/",
                       {"log_retention_months": 2, "version": logs.version}, content_type="application/json")  # fmt: skip
    assert api.status_code == 400 and "Art. 26(6)" in api.json()["log_retention_months"][0]
    logs = start(update(logs, owner, log_retention_months=6), actor=owner, expected_version=logs.version + 1)
    assert complete(logs, actor=owner, expected_version=logs.version).state == "done"


def test_art_19_1_provider_logs_kept_at_least_six_months(provided, owner, manager):
    ensure_obligations(provided, actor=manager)
    with pytest.raises(ValidationError) as refused:
        update(by_duty(provided)["provider_logs"], owner, log_retention_months=4)
    assert "Art. 19(1)" in refused.value.message_dict["log_retention_months"][0]


def test_art_18_1_documentation_is_kept_ten_years_after_placing_on_the_market(provided, owner, manager):
    ensure_obligations(provided, actor=manager)
    kept = update(by_duty(provided)["documentation_kept"], owner, placed_on_market_on=dt.date(2026, 8, 3))
    assert kept.keep_until == dt.date(2036, 8, 3)
    assert add_years(dt.date(2028, 2, 29), 10) == dt.date(2038, 2, 28)
    page = client_for(owner).get(kept.get_absolute_url()).content.decode()
    assert "Kept until (Art. 18(1))</dt><dd>2036-08-03" in page
    assert (
        client_for(owner).get(f"/api/v1/ai-act-obligations/{kept.reference}/").json()["keep_until"]
        == "2036-08-03"
    )


def test_art_43_the_route_fits_the_classification_and_annex_vii_names_its_notified_body(owner, manager):
    """Art. 43(2): Annex III points 2-8 follow internal control (Annex VI); Art. 43(1): biometrics may go
    to a notified body (Annex VII), named by its four-digit number."""
    hiring = classified(make_system(owner), owner)
    ensure_obligations(hiring, actor=manager)
    conformity = by_duty(hiring)["conformity"]
    with pytest.raises(ValidationError) as refused:
        update(conformity, owner, conformity_route="annex_vii", notified_body_number="0123")
    assert "Art. 43(2)" in refused.value.message_dict["conformity_route"][0]
    faces = classified(make_system(owner, "Door access by face"), owner, annex_iii="biometrics")
    ensure_obligations(faces, actor=manager)
    conformity = by_duty(faces)["conformity"]
    with pytest.raises(ValidationError) as refused:
        update(conformity, owner, conformity_route="annex_vii")
    assert "notified body" in refused.value.message_dict["notified_body_number"][0]
    with pytest.raises(ValidationError) as refused:
        update(conformity, owner, conformity_route="annex_vii", notified_body_number="12a")
    assert "four digits" in refused.value.message_dict["notified_body_number"][0]
    conformity = update(conformity, owner, conformity_route="annex_vii", notified_body_number="2797")
    assert conformity.notified_body_number == "2797"


def test_art_47_done_only_with_the_declarations_date_and_reference(provided, owner, manager):
    """Art. 47: marking the declaration done is refused, naming each missing field; once given, it is done
    and history says who moved it."""
    ensure_obligations(provided, actor=manager)
    declaration = start(by_duty(provided)["declaration"], actor=owner, expected_version=1)
    with pytest.raises(ValidationError) as refused:
        complete(declaration, actor=owner, expected_version=declaration.version)
    assert set(refused.value.message_dict) == {"declared_on", "declaration_reference"}
    assert "Art. 47" in refused.value.message_dict["declared_on"][0]
    declaration = update(declaration, owner, declared_on=clock.today(), declaration_reference="DoC-2026-01")
    declaration = complete(declaration, actor=owner, expected_version=declaration.version)
    last = history(declaration).first()
    assert declaration.state == "done" and last.actor == owner and last.changes[0]["new"] == "Done"


def test_art_11_annex_iv_sections_are_done_only_with_evidence_attached(provided, owner, manager):
    from audits.evidence_services import evidence_attach
    from audits.evidence_services import services as evidence

    ensure_obligations(provided, actor=manager)
    section = by_duty(provided)["annex_iv_4"]
    with pytest.raises(ValidationError, match="Annex IV point 4: attach the documentation as evidence"):
        complete(section, actor=owner, expected_version=section.version)
    piece = evidence.create(actor=owner, fields={"title": "Metric choice memo", "kind": "link",
                                                  "url": "https://wiki.example/metrics"})  # fmt: skip
    evidence_attach(piece, section, actor=owner)
    page = client_for(owner).get(section.get_absolute_url()).content.decode()
    assert f'<a href="/evidence/{piece.reference}/">{piece.reference}</a> Metric choice memo' in page
    assert complete(section, actor=owner, expected_version=section.version).state == "done"


def test_art_27_the_fria_is_an_impact_assessment_of_this_system_linked_both_ways(deployed, owner, manager):
    from lifecycle.standard.impact_assessments.services import services as assessments

    ensure_obligations(deployed, actor=manager)
    fria = by_duty(deployed)["fria"]
    other = make_system(owner, "Another system")
    wrong = assessments.create(actor=owner, fields={"title": "Other", "system": other, "scope": "All."})
    with pytest.raises(ValidationError) as refused:
        update(fria, owner, impact_assessment=wrong)
    assert "this AI system" in refused.value.message_dict["impact_assessment"][0]
    right = assessments.create(actor=owner, fields={"title": "FRIA", "system": deployed, "scope": "Hiring.",
                                                    "fria_needed": True})  # fmt: skip
    fria = complete(
        update(fria, owner, impact_assessment=right), actor=owner, expected_version=fria.version + 1
    )
    page = client_for(owner).get(right.get_absolute_url()).content.decode()
    assert "EU AI Act obligations it meets" in page and fria.reference in page


def test_art_49_3_registration_of_use_asks_whether_we_are_a_public_body(deployed, owner, manager):
    ensure_obligations(deployed, actor=manager)
    use = by_duty(deployed)["use_registration"]
    use = update(use, owner, registration_number="EUDB-U-77", registered_on=clock.today())
    with pytest.raises(ValidationError) as refused:
        complete(use, actor=owner, expected_version=use.version)
    assert "public body" in refused.value.message_dict["public_body"][0]
    use = update(use, owner, public_body=False)
    with pytest.raises(ValidationError, match="mark it not applicable"):
        complete(use, actor=owner, expected_version=use.version)
    use = update(use, owner, public_body=True)
    assert complete(use, actor=owner, expected_version=use.version).state == "done"


def test_a_field_of_another_obligation_is_refused_and_not_offered(provided, owner, manager):
    ensure_obligations(provided, actor=manager)
    section = by_duty(provided)["annex_iv_1"]
    with pytest.raises(ValidationError) as refused:
        update(section, owner, registration_number="X-1")
    assert "Not part of this obligation" in refused.value.message_dict["registration_number"][0]
    form = client_for(owner).get(f"{section.get_absolute_url()}edit/").content.decode()
    assert 'name="registration_number"' not in form and 'name="how_met"' in form


# -- states, permissions, history -------------------------------------------------------------------------
def test_not_applicable_needs_a_reason_and_reopen_brings_it_back(provided, owner, manager, auditor):
    ensure_obligations(provided, actor=manager)
    plan = by_duty(provided)["monitoring_plan"]
    response = client_for(owner).post(f"{plan.get_absolute_url()}not-applicable/", {"version": plan.version})
    plan.refresh_from_db()
    assert response.status_code == 302 and plan.state == "not_started"
    with pytest.raises(PermissionDenied, match="read-only"):
        mark_not_applicable(plan, actor=auditor, expected_version=plan.version, reason="No.")
    plan = mark_not_applicable(
        plan, actor=owner, expected_version=plan.version, reason="Covered by the group plan."
    )
    assert plan.state == "not_applicable" and plan.not_applicable_reason == "Covered by the group plan."
    with pytest.raises(ValidationError, match="cannot be started"):
        start(plan, actor=owner, expected_version=plan.version)
    plan = reopen(plan, actor=owner, expected_version=plan.version, reason="The group plan lapsed.")
    assert plan.state == "in_progress" and plan.not_applicable_reason == ""
    notes = list(history(plan).values_list("note", flat=True)[:2])
    assert notes == ["Reopened. The group plan lapsed.", "Not applicable: Covered by the group plan."]


def test_the_state_moves_only_through_its_actions_not_the_form_or_the_api(provided, owner, manager):
    ensure_obligations(provided, actor=manager)
    section = by_duty(provided)["annex_iv_3"]
    response = client_for(owner).patch(f"/api/v1/ai-act-obligations/{section.reference}/",
                                       {"state": "done", "version": section.version},
                                       content_type="application/json")  # fmt: skip
    section.refresh_from_db()
    assert response.status_code == 200 and section.state == "not_started"
    started = client_for(owner).post(f"/api/v1/ai-act-obligations/{section.reference}/start/",
                                     {"version": section.version}, content_type="application/json")  # fmt: skip
    assert started.status_code == 200 and started.json()["state"] == "in_progress"


class TestObligationRoles(RegisterRoleMatrix):
    model = HighRiskObligation
    url_prefix = "ai-act-obligations"
    api_prefix = "/api/v1/ai-act-obligations/"

    @pytest.fixture
    def record(self, provided, owner):
        return obligations.services.create(actor=owner, fields={"system": provided, "duty": "annex_iv_1"})

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self, provided):
        return {"system": provided.reference, "duty": "monitoring_plan"}


def test_one_live_record_per_system_and_duty(provided, owner):
    obligations.services.create(actor=owner, fields={"system": provided, "duty": "annex_iv_1"})
    response = client_for(owner).post("/api/v1/ai-act-obligations/",
                                      {"system": provided.reference, "duty": "annex_iv_1"},
                                      content_type="application/json")  # fmt: skip
    assert response.status_code == 400 and "already records this obligation" in response.json()["duty"][0]


# -- the list, the system page, the Art. 113 dates ----------------------------------------------------------
def test_the_list_filters_by_system_state_role_and_overdue(provided, deployed, owner, manager, auditor):
    ensure_obligations(provided, actor=manager)
    ensure_obligations(deployed, actor=manager)
    late = update(by_duty(provided)["annex_iv_6"], owner, due_on=clock.today() - dt.timedelta(days=3))
    start(by_duty(deployed)["fria"], actor=owner, expected_version=1)
    client = client_for(auditor)

    def count(query):
        return client.get(f"/ai-act-obligations/?{query}").context["page_obj"].paginator.count

    assert (
        count(f"system={provided.reference}") == PROVIDED
        and count(f"system={deployed.reference}") == DEPLOYED
    )
    assert count("role=deployer") == DEPLOYED and count("state=in_progress") == 1
    assert count("overdue=true") == 1 and count("overdue=false") == PROVIDED + DEPLOYED - 1
    page = client.get("/ai-act-obligations/?overdue=true").content.decode()
    assert late.reference in page and "Not started, overdue" in page
    api = client.get("/api/v1/ai-act-obligations/?overdue=true").json()["results"]
    assert [r["reference"] for r in api] == [late.reference] and api[0]["overdue"] and api[0]["cite"]


def test_an_empty_list_says_what_to_do_first(auditor):
    page = client_for(auditor).get("/ai-act-obligations/").content.decode()
    assert "No high-risk obligations recorded. Classify each AI system" in page


def test_the_system_page_lists_its_obligations_and_links_the_list_of_all(provided, manager, auditor):
    ensure_obligations(provided, actor=manager)
    page = client_for(auditor).get(provided.get_absolute_url()).content.decode()
    assert 'EU AI Act obligations <span class="count">15</span>' in page
    assert f'href="/ai-act-obligations/?system={provided.reference}">All 15</a>' in page
    first = by_duty(provided)["annex_iv_1"]
    assert f'<a href="{first.get_absolute_url()}">{first.reference}</a>' in page


def test_the_system_page_asks_the_same_queries_however_many_obligations(provided, owner, manager, auditor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(auditor)
    create_obligations(provided, actor=manager, expected_version=provided.version)
    client.get(provided.get_absolute_url())

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(provided.get_absolute_url()).status_code == 200
        return len(captured)

    before = queries()
    for section in list(provided.high_risk_obligations.all())[:8]:
        start(section, actor=owner, expected_version=section.version)
    assert queries() == before


def test_art_113_the_dates_that_apply_to_a_system_are_on_its_page_and_its_obligations(
    provided, owner, manager
):
    """Art. 113 as amended by the Digital Omnibus on AI: Chapters I-II from 2 Feb 2025; GPAI, governance
    and penalties from 2 Aug 2025; general application (Art. 50 included) from 2 Aug 2026; Annex III
    high-risk obligations from 2 Dec 2027 (first 2 Aug 2026); Art. 6(1) Annex I products from 2 Aug 2028
    (first 2 Aug 2027)."""
    assert [m.on for m in ART_113] == [dt.date(2025, 2, 2), dt.date(2025, 8, 2), dt.date(2026, 8, 2),
                                       dt.date(2027, 12, 2), dt.date(2028, 8, 2)]  # fmt: skip
    annex_iii = dates_for(eu_position(provided), today=dt.date(2026, 1, 1))
    assert [(a.on, a.starts_high_risk, a.in_force) for a in annex_iii] == [
        (dt.date(2025, 2, 2), False, True),
        (dt.date(2025, 8, 2), False, True),
        (dt.date(2026, 8, 2), False, False),
        (dt.date(2027, 12, 2), True, False),
    ]
    product = classified(make_system(owner, "Lift controller"), owner, annex_iii="none", annex_i=True)
    assert [a.on for a in dates_for(eu_position(product)) if a.starts_high_risk] == [dt.date(2028, 8, 2)]
    # Due dates follow the table: the day the high-risk rules apply, or a month on once they do.
    assert default_due(eu_position(product), today=dt.date(2027, 1, 1)) == dt.date(2028, 8, 2)
    assert default_due(eu_position(product), today=dt.date(2028, 9, 1)) == dt.date(2028, 10, 1)
    page = client_for(owner).get(product.get_absolute_url()).content.decode()
    assert 'data-date="2028-08-02"' in page and "When the EU AI Act applies to" in page
    assert "first set for 2 August 2027" in page
    assert 'data-date="2028-08-02"' not in client_for(owner).get(provided.get_absolute_url()).content.decode()
    ensure_obligations(provided, actor=manager)
    obligation_page = (
        client_for(owner).get(by_duty(provided)["annex_iv_1"].get_absolute_url()).content.decode()
    )
    assert 'data-date="2027-12-02"' in obligation_page and "its high-risk obligations" in obligation_page


def test_every_duty_cites_its_article_and_paraphrases_it():
    assert len(DUTIES) == PROVIDED + DEPLOYED
    assert all(d.cite.startswith("Art. ") and d.asks and d.role in ("provider", "deployer") for d in DUTIES)


# -- the demo --------------------------------------------------------------------------------------------
def test_the_demo_records_the_obligations_of_its_high_risk_systems(db):
    from django.core.management import call_command

    from registers.demo_names import CREDIT, HIRING

    call_command("seed_demo", verbosity=0)
    credit, hiring = AISystem.objects.get(title=CREDIT), AISystem.objects.get(title=HIRING)
    provider, deployer = by_duty(credit), by_duty(hiring)
    assert len(provider) == PROVIDED and len(deployer) == DEPLOYED
    assert provider["annex_iv_4"].state == provider["annex_iv_5"].state == "done"  # evidence attached
    assert provider["declaration"].state == "done" and provider["documentation_kept"].keep_until
    assert provider["annex_iv_6"].is_overdue() and deployer["use_registration"].state == "not_applicable"
    assert deployer["deployer_logs"].log_retention_months == 12
    call_command("seed_demo", verbosity=0)
    assert HighRiskObligation.objects.count() == PROVIDED + DEPLOYED

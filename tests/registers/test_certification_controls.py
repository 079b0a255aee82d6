"""Certification readiness for Annex A controls: one row per control, counted only where the SoA marks
the control applicable. The row is the control's judgement (lifecycle.controls, tested there); what the
records show of it, tested here, is computed from the inventory fields, impact assessments and their harms,
datasets, suppliers, KPIs, compliance obligations and the communication plan, or an approved document
linked to the control."""

import pytest

from aims.certification import MET, MISSING, PARTIAL, readiness
from aims.models import Requirement
from aims.registry import registry
from lifecycle.certification_checks import Filled, every_system
from lifecycle.models import AISystem
from lifecycle.standard import datasets, soa_entries, suppliers
from tests import clock
from tests.base import client_for as build_client
from tests.registers import records_for_readiness as build

RESOURCES = {
    "data_resources": "Loan book 2015-2024",
    "tooling_resources": "Python, scikit-learn, MLflow",
    "compute_resources": "Two GPU servers",
    "human_resources": "Two validators",
}


def run(code):
    """What the records show of a control: the records' part of its judgement."""
    from lifecycle.certification_controls import ANNEX_CHECKS

    return ANNEX_CHECKS[code][1](clock.today())


def test_the_readiness_row_of_a_control_is_its_judgement(owner):
    """No SoA entry: what the records show, but never met (nothing is declared). Declared implemented and
    justified: met, as the records show it."""
    build.system(owner, **RESOURCES)
    row = lambda: registry.readiness_checks["A.4.2"].check(clock.today())  # noqa: E731
    assert run("A.4.2").status == MET and row().status == PARTIAL and "No SoA entry" in row().reason
    soa_entries.services.create(actor=owner, fields={
        "control": build.req("A.4.2"), "implementation": "implemented", "justification": "Know what we run.",
    })  # fmt: skip
    assert row().status == MET and "Declared implemented" in row().reason


def test_one_check_per_annex_a_control(db):
    controls = set(Requirement.objects.mappable().filter(kind="control").values_list("code", flat=True))
    assert {k for k in registry.readiness_checks if k.startswith("A.")} == controls


@pytest.mark.parametrize("code", ["A.2.2", "A.3.3", "A.4.3", "A.5.4", "A.6.2.7", "A.7.4", "A.8.5", "A.10.3"])
def test_missing_in_an_empty_organisation(db, code):
    assert run(code).status == MISSING


def test_only_controls_the_soa_marks_applicable_are_counted(owner):
    soa_entries.services.create(actor=owner, fields={
        "control": build.req("A.10.4"), "applicable": False, "justification": "We have no AI customers.",
    })  # fmt: skip
    soa_entries.services.create(
        actor=owner, fields={"control": build.req("A.2.2"), "applicable": True, "justification": "Policy."}
    )
    data = readiness()
    annex = next(s for s in data["sections"] if s["key"] == "A")
    codes = [c["code"] for c in annex["checks"]]
    assert "A.10.4" not in codes and "A.2.2" in codes and data["excluded_controls"] == ["A.10.4"]


def test_resources_per_system(owner):
    full = build.system(owner, data_resources="Loan book 2015-2024", human_resources="Two validators")
    bare = build.system(owner, title="Chatbot")
    assert run("A.4.3").status == PARTIAL and bare.reference in run("A.4.3").reason
    assert run("A.4.4").status == MISSING  # no system records its tooling
    AISystem.objects.filter(pk=bare.pk).update(data_resources="Chat transcripts")
    assert run("A.4.3").status == MET and full.reference not in run("A.4.3").reason


def test_a_4_2_the_inventory_alone_is_not_enough_each_system_documents_its_resources(owner):
    """A.4.2: the resources of each AI system are documented (A.4.3-A.4.6), not just the system listed."""
    full = build.system(owner, **RESOURCES)
    bare = build.system(owner, title="Chatbot", data_resources="Chat transcripts")
    result = run("A.4.2")
    assert result.status == PARTIAL
    assert (
        f"1 of 2 AI systems in the inventory lack documented resources: {bare.reference} (tooling, computing, human)"
        in (result.reason)
    )
    assert (
        bare.reference,
        f"/systems/{bare.reference}/",
    ) in result.links and full.reference not in result.reason
    AISystem.objects.filter(pk=bare.pk).update(**RESOURCES)
    assert run("A.4.2").status == MET


def test_impacts_on_individuals_and_society(owner, board):
    system = build.system(owner)
    build.approved_assessment(system, owner, board, "groups")
    assert run("A.5.3").status == MET and run("A.5.4").status == MET
    assert run("A.5.5").status == MISSING  # no societal impact assessed
    other = build.system(owner, title="Chatbot")
    build.approved_assessment(other, owner, board, "society", "individuals")
    assert run("A.5.5").status == PARTIAL and run("A.5.4").status == MET


def test_a_control_met_by_an_approved_document_linked_to_it(owner, manager):
    build.document(owner, manager, "A.6.2.7", status="draft")
    assert run("A.6.2.7").status == PARTIAL
    build.document(owner, manager, "A.6.2.7", title="Technical documentation per audience")
    assert run("A.6.2.7").status == MET and "Technical documentation per audience" in run("A.6.2.7").reason


def test_concern_process_counts_the_register_in_use_as_a_start(owner, manager):
    from registers.standard.concerns import services as concerns

    concerns.create(
        actor=owner, fields={"title": "Odd declines", "system_note": "Credit", "description": "Why?"}
    )
    assert run("A.3.3").status == PARTIAL
    build.document(owner, manager, "A.3.3", title="How to raise an AI concern")
    assert run("A.3.3").status == MET


def test_data_quality_requirements_on_every_dataset(owner):
    fields = {"title": "Loan book", "provenance": "Core banking export", "quality_requirements": "No nulls"}
    datasets.services.create(actor=owner, fields=fields)
    assert run("A.7.4").status == MET and run("A.7.5").status == MET
    datasets.services.create(
        actor=owner, fields={**fields, "title": "Bureau data", "quality_requirements": ""}
    )
    assert run("A.7.4").status == PARTIAL and "1 of 2 datasets" in run("A.7.4").reason


def test_supplier_due_diligence(owner):
    fields = {"title": "TalentRank", "kind": "model", "supplies": "CV screening model"}
    record = suppliers.services.create(actor=owner, fields=fields)
    assert run("A.10.3").status == PARTIAL
    suppliers.services.update(
        record, actor=owner, expected_version=record.version, fields={"due_diligence_on": clock.today()}
    )
    assert run("A.10.3").status == MET


def test_a_8_5_reporting_obligations_determined_not_the_report_published(owner, board, manager):
    """A.8.5: the obligations to report about the AI systems to interested parties are determined and
    documented; publishing the stakeholder report does not answer it."""
    from registers.standard import obligations

    build.scope_statement(owner, board)
    build.ai_policy(owner, board)
    build.system(owner, publish_to_stakeholders=True)
    assert run("A.8.5").status == MISSING
    duty = obligations.services.create(
        actor=owner, fields={"title": "EU AI Act Art. 26", "kind": "law", "applicability": "applies"}
    )
    assert run("A.8.5").status == PARTIAL and "none says what must be reported" in run("A.8.5").reason
    obligations.services.update(duty, actor=owner, expected_version=duty.version, fields={
        "reporting_duty": "Serious incidents to the provider and the authority without undue delay.",
    })  # fmt: skip
    result = run("A.8.5")
    assert result.status == MET and "1 compliance obligations record what must be reported" in result.reason
    assert ("Obligations with a reporting duty", "/obligations/?reporting=true") in result.links
    page = build_client(owner).get("/obligations/?reporting=true").content.decode()
    assert 'data-total="1"' in page and duty.reference in page


def test_a_8_5_an_external_line_of_the_communication_plan_counts(manager):
    from registers.standard import communications

    communications.services.create(actor=manager, fields={
        "title": "Public AI statement", "message": "How we use AI.", "audience": "Customers", "channel": "website",
        "internal": False,
    })  # fmt: skip
    assert run("A.8.5").status == MET and "1 lines of the communication plan" in run("A.8.5").reason


def test_operation_is_monitored_by_kpis(owner):
    system = build.system(owner)
    AISystem.objects.filter(pk=system.pk).update(stage="operation")
    assert run("A.6.2.6").status == MISSING
    build.kpi(owner, system=system)
    assert run("A.6.2.6").status == MET


def test_a_dataset_linked_to_many_systems_counts_once(owner):
    """A dataset used by three systems is one dataset: the totals ask about its links in the same SELECT,
    and a plain count over that join read it three times, so every dataset of the register appeared to
    lack what it had (3 of 1 datasets...)."""
    first, second, third = (build.system(owner, title=t) for t in ("Credit", "Fraud", "Churn"))
    fields = {"title": "Loan book", "provenance": "Core banking export", "quality_requirements": "No nulls"}
    datasets.services.create(actor=owner, fields={**fields, "systems": [first, second, third]})
    for code in ("A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6"):
        assert "3 " not in run(code).reason, (code, run(code).reason)
    assert (
        run("A.7.4").status == MET
        and run("A.7.4").reason == "The one dataset: quality requirements recorded."
    )


def test_a_resource_counts_as_written_down_only_with_more_than_blanks():
    written = Filled("data_resources")
    texts = [(None, False), ("", False), ("  \n\t ", False), (" Training set v3 ", True)]
    for text, expected in texts:
        assert written({"data_resources": text}) is expected, text
    # every_system reads a Filled test, or a set of the ids that pass, inline: the same verdict as a call.
    rows = [
        {"pk": n, "reference": f"AIS-{n:04d}", "data_resources": text} for n, (text, _) in enumerate(texts)
    ]
    passing = {n for n, (_, ok) in enumerate(texts) if ok}
    verdicts = [every_system(test, "data", None, rows=rows) for test in (written, passing, dict.fromkeys(passing),
                lambda s: s["pk"] in passing)]  # fmt: skip
    assert {(v.status, v.reason) for v in verdicts} == {
        (PARTIAL, "3 of 4 AI systems lack it (AIS-0000, AIS-0001, AIS-0002): data.")
    }

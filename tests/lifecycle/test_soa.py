"""The Statement of Applicability (6.1.3 d) and its entries: roles, the per-row checks (a) excluded yet
called for by a live risk, (b) applicable without evidence, (c) no justification; creating all 38 entries
once; versions and the word diff through board approval; the statement's figures; the PDF."""

import re
import subprocess

import pytest
from django.core.exceptions import ValidationError

from aims import publishing
from aims.models import Requirement
from lifecycle.models import SoAEntry, Statement
from lifecycle.standard import soa, soa_entries
from lifecycle.standard.soa_rows import SHOWN_RISKS
from registers.models import Risk
from registers.services import risk_create
from tests.base import client_for


@pytest.fixture
def make_statement(owner):
    def make(actor=None, **overrides):
        fields = {
            "title": "Statement of Applicability 2026",
            "introduction": "Covers retail lending.",
            **overrides,
        }
        return soa.services.create(actor=actor or owner, fields=fields)

    return make


def control(code):
    return Requirement.objects.get(standard__key="iso42001", code=code)


@pytest.fixture
def make_entry(owner):
    def make(code, actor=None, **fields):
        return soa_entries.services.create(
            actor=actor or owner, fields={"control": control(code) if code else None, **fields}
        )

    return make


def evidence_for(owner, title, *codes, attach_to=None):
    """A piece of the evidence library (a link: no file to upload) mapped to controls, or attached."""
    from audits.evidence_services import evidence_attach
    from audits.evidence_services import services as evidence_services

    piece = evidence_services.create(
        actor=owner,
        fields={"title": title, "kind": "link", "url": "https://intranet.example/evidence"},
        requirements=[control(code) for code in codes],
    )
    if attach_to is not None:
        evidence_attach(piece, attach_to, actor=owner)
    return piece


def approved(statement, owner, board, summary="First approval"):
    statement = publishing.submit(statement, actor=owner, expected_version=statement.version)
    return publishing.approve(
        statement, actor=board, expected_version=statement.version, change_summary=summary
    )


# -- create all -----------------------------------------------------------------------------------------
def test_create_all_makes_one_entry_per_annex_a_control_once(make_statement, make_entry, manager, auditor):
    statement = make_statement()
    make_entry("A.2.2", justification="Already here.")
    client = client_for(manager)
    page = client.get(f"/soa/{statement.reference}/").content.decode()
    assert "Create entries for all 38 Annex A controls" in page
    assert "37 Annex A controls have no entry yet." in page
    response = client.post(
        f"/soa/{statement.reference}/create-entries/", {"version": statement.version}, follow=True
    )
    assert "SoA entries created" in response.content.decode()
    assert SoAEntry.objects.count() == 38 == Requirement.objects.filter(kind="control").count()
    assert SoAEntry.objects.get(control__code="A.2.2").justification == "Already here."
    entry = SoAEntry.objects.get(control__code="A.6.2.4")
    assert entry.title.startswith("A.6.2.4 ") and entry.owner == manager and entry.applicable
    assert sorted(entry.requirements.values_list("code", flat=True)) == [
        "6.1.3",
        "A.6.2.4",
    ]  # SoAEntry.serves
    again = client.post(
        f"/soa/{statement.reference}/create-entries/", {"version": statement.version}, follow=True
    )
    assert "already has an SoA entry; nothing was created" in again.content.decode()
    assert SoAEntry.objects.count() == 38
    assert "Create entries for all 38" not in client.get(f"/soa/{statement.reference}/").content.decode()
    # Auditors read; they create nothing.
    with pytest.raises(Exception, match="may create"):
        soa.create_entries(statement, actor=auditor, expected_version=statement.version)


def test_create_all_through_the_api(make_statement, owner):
    statement = make_statement()
    response = client_for(owner).post(
        f"/api/v1/soa/{statement.reference}/create-entries/", {"version": 1}, content_type="application/json"
    )
    assert response.status_code == 200 and SoAEntry.objects.count() == 38


# -- checks ---------------------------------------------------------------------------------------------
@pytest.fixture
def checked(make_entry, owner, risk_fields):
    """One entry per situation the checks must tell apart."""
    calls_a104 = risk_create(actor=owner, fields={**risk_fields, "title": "Customers misled"},
                             requirements=[control("A.10.4")])  # fmt: skip
    linked = risk_create(actor=owner, fields={**risk_fields, "title": "Impact not assessed"})
    closed = risk_create(actor=owner, fields={**risk_fields, "title": "Old", "status": "closed"},
                         requirements=[control("A.9.4")])  # fmt: skip
    entries = {
        "ok": make_entry("A.2.2", justification="Policy required.", evidence_note="POL-0001",
                         implementation="implemented"),
        "bc": make_entry("A.2.3"),  # applicable, no evidence, no justification
        "a_by_requirement": make_entry("A.10.4", applicable=False, justification="No customers."),
        "a_by_link": make_entry("A.5.2", applicable=False, justification="Not needed.", risks=[linked]),
        "closed_risk": make_entry("A.9.4", applicable=False, justification="Not used."),
        "own": make_entry(None, title="Model cards for every model", justification="Our rule.",
                          evidence_note="Wiki"),
    }  # fmt: skip
    evidence_for(owner, "Board minutes: AI policy sign-off", "A.2.2")  # evidence serving A.2.2
    evidence_for(owner, "Model card template", attach_to=entries["own"])  # attached to the entry
    return entries, {"calls": calls_a104, "linked": linked, "closed": closed}


def test_the_three_checks_per_row(checked):
    entries, risks = checked
    rows = {row["entry"].pk: row for row in soa.entry_rows()[0]}
    keys = lambda name: [k for k, _ in rows[entries[name].pk]["issues"]]  # noqa: E731
    assert keys("ok") == [] and keys("own") == [] and keys("closed_risk") == []
    assert keys("bc") == ["no_evidence", "no_justification"]
    assert keys("a_by_requirement") == ["called_for"] and keys("a_by_link") == ["called_for"]
    assert rows[entries["a_by_requirement"].pk]["risks"] == [risks["calls"]]
    assert rows[entries["a_by_link"].pk]["risks"] == [risks["linked"]]
    assert risks["calls"].reference in rows[entries["a_by_requirement"].pk]["issues"][0][1]
    # Archiving the risk lifts check (a).
    from aims.records import archive_record

    archive_record(risks["calls"], actor=risks["calls"].owner, expected_version=risks["calls"].version)
    [row], _ = soa.entry_rows(SoAEntry.objects.filter(pk=entries["a_by_requirement"].pk))
    assert [k for k, _ in row["issues"]] == []


def test_a_note_is_not_evidence(make_entry, owner):
    """Free text saying where evidence is does not count: a piece of the library does, or records that
    show the control."""
    entry = make_entry("A.2.3", justification="Alignment matters.", evidence_note="Policy alignment matrix")
    [row], _ = soa.entry_rows(SoAEntry.objects.filter(pk=entry.pk))
    assert [k for k, _ in row["issues"]] == ["no_evidence"]
    evidence_for(owner, "Policy alignment matrix", "A.2.3")
    [row], _ = soa.entry_rows(SoAEntry.objects.filter(pk=entry.pk))
    assert row["issues"] == [] and [e.title for e in row["judgement"].evidence] == ["Policy alignment matrix"]


def test_the_has_issue_filter_agrees_with_the_checks(checked, auditor):
    entries, _ = checked
    flagged = {row["entry"].reference for row in soa.entry_rows()[0] if row["issues"]}
    assert set(SoAEntry.objects.filter(soa.issue_q()).values_list("reference", flat=True)) == flagged
    page = client_for(auditor).get("/soa-entries/?has_issue=true").content.decode()
    assert all(ref in page for ref in flagged) and entries["ok"].reference not in page
    clean = client_for(auditor).get("/soa-entries/?has_issue=false").content.decode()
    assert entries["ok"].reference in clean and entries["bc"].reference not in clean
    api = client_for(auditor).get("/api/v1/soa-entries/?issue=called_for").json()["results"]
    assert {r["reference"] for r in api} == {
        entries["a_by_requirement"].reference,
        entries["a_by_link"].reference,
    }
    applicable = client_for(auditor).get("/api/v1/soa-entries/?applicable=false").json()["results"]
    assert len(applicable) == 3
    implemented = client_for(auditor).get("/api/v1/soa-entries/?implementation=implemented").json()["results"]
    assert [r["reference"] for r in implemented] == [entries["ok"].reference]


def test_the_statement_page_shows_the_table_and_checks(checked, make_statement, auditor):
    entries, risks = checked
    statement = make_statement()
    page = client_for(auditor).get(f"/soa/{statement.reference}/").content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "1 of 3 applicable controls declared implemented" in text
    assert "A.10.4" in page and risks["calls"].reference in page and "Applicable without evidence" in page
    assert "Excluded, yet a live risk calls for it" in page and "SoA (PDF)" in page
    assert page.index("A.2.2 AI policy") < page.index("A.10.4") < page.index("Model cards for every model")


def test_the_statement_percentage_is_annex_a_readiness(make_entry, make_statement, auditor):
    """Not the share declared implemented: each control judged as certification readiness judges it."""
    from aims.certification import readiness

    make_entry("A.2.2", implementation="implemented", justification="Required.")
    make_entry("A.2.3", implementation="partial", justification="Needed.")
    make_entry("A.10.4", applicable=False, justification="No customers.")  # excluded: not counted
    page = client_for(auditor).get(f"/soa/{make_statement().reference}/").content.decode()
    [annex] = [s for s in readiness()["sections"] if s["key"] == "A"]
    assert f'data-key="section-A" data-percent="{annex["percent"]}"' in page
    assert len(annex["checks"]) == 37  # A.10.4 excluded


# -- entry rules ----------------------------------------------------------------------------------------
def test_one_entry_per_control_and_implementation_follows_applicability(make_entry):
    make_entry("A.2.2")
    with pytest.raises(ValidationError, match="A.2.2 already has an SoA entry"):
        make_entry("A.2.2")
    excluded = make_entry("A.10.4", applicable=False, implementation="implemented")
    assert excluded.implementation == "not_applicable" and excluded.title.startswith("A.10.4 ")
    with pytest.raises(ValidationError, match="An applicable control is planned"):
        make_entry("A.10.3", implementation="not_applicable")
    with pytest.raises(ValidationError, match="not an Annex A control"):
        make_entry("6.1.3")
    with pytest.raises(ValidationError, match="Give a title"):
        make_entry(None)


# -- versions through approval ----------------------------------------------------------------------------
def test_the_board_approves_the_entries_as_a_version_and_the_diff_marks_the_change(
    make_statement, owner, board, auditor
):
    statement = make_statement()
    soa.create_entries(statement, actor=owner, expected_version=statement.version)
    statement = approved(statement, owner, board)
    [v1] = publishing.versions(statement)
    assert len(v1.content) == 39 and v1.content[0]["field"] == "introduction"
    assert v1.content[1] == {
        "field": "A.2.2",
        "label": "A.2.2 AI policy",
        "value": "Applicable: yes · Planned · Justification: — · AI systems: the whole AIMS · Evidence: —",
    }
    assert [item["field"] for item in v1.content[1:]] == list(
        soa.annex_a_controls().values_list("code", flat=True)
    )
    statement = publishing.publish(statement, actor=owner, expected_version=statement.version)
    statement = publishing.revise(statement, actor=owner, expected_version=statement.version)
    entry = SoAEntry.objects.get(control__code="A.10.4")
    soa_entries.services.update(
        entry, actor=owner, expected_version=entry.version,
        fields={"applicable": False, "justification": "We supply no AI to customers."},
    )  # fmt: skip
    statement = approved(statement, owner, board, summary="A.10.4 excluded")
    v2 = publishing.versions(statement).first()
    a104 = next(item for item in v2.content if item["field"] == "A.10.4")
    assert (
        a104["value"] == "Applicable: no · Not applicable · Justification: We supply no AI to customers. · "
        "AI systems: — · Evidence: —"
    )
    page = client_for(auditor).get(f"/soa/{statement.reference}/compare/?a=1&b=2").content.decode()
    assert (
        "<del>yes</del>" in page
        and "<ins>no</ins>" in page
        and "<ins>We supply no AI to customers.</ins>" in page
    )
    assert page.count('class="badge badge-warn">changed') == 1
    versions_tab = client_for(auditor).get(f"/soa/{statement.reference}/?tab=versions").content.decode()
    assert "A.10.4 excluded" in versions_tab and "v2" in versions_tab


def test_only_the_board_approves_and_not_the_owner(make_statement, owner, manager):
    from django.core.exceptions import PermissionDenied

    statement = publishing.submit(make_statement(), actor=owner, expected_version=1)
    with pytest.raises(PermissionDenied):
        publishing.approve(statement, actor=owner, expected_version=statement.version)
    with pytest.raises(PermissionDenied, match="Only the governance board"):
        publishing.approve(statement, actor=manager, expected_version=statement.version)


# -- the PDF ----------------------------------------------------------------------------------------------
def test_pdf_has_the_cover_percentage_table_and_checks(checked, make_statement, manager, tmp_path):
    from aims.models import Job

    entries, risks = checked
    statement = make_statement()
    job = Job.objects.create(
        kind=soa.KIND, title="s", params={"reference": statement.reference}, requested_by=manager
    )
    name, data = soa.soa_pdf(job, lambda p: None)
    assert name == f"soa-{statement.reference}-v0.pdf" and data.startswith(b"%PDF")
    pdf = tmp_path / "soa.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())
    assert "Statement of Applicability" in words and "1 of 3 applicable controls" in words
    assert "Declared implemented" in words and "Annex A controls ready" in words
    assert "A.2.2 AI policy" in words and "A.10.4" in words and risks["calls"].reference in words
    assert "Applicable without evidence" in words and "Excluded, yet a live risk calls for it" in words
    assert "Model cards for every" in words and "EVD-0002 Model card" in words


def test_pdf_button_queues_a_job_and_the_runner_refuses_what_the_person_cannot_see(
    make_statement, auditor, outsider
):
    from aims import jobs
    from aims.models import Job

    statement = make_statement()
    response = client_for(auditor).post(f"/soa/{statement.reference}/report/")
    job = Job.objects.get()
    assert (
        response.status_code == 302
        and job.kind == soa.KIND
        and job.params == {"reference": statement.reference}
    )
    hidden = Job.objects.create(
        kind=soa.KIND, title="s", params={"reference": statement.reference}, requested_by=outsider
    )
    with pytest.raises(jobs.JobError, match="that you can see"):
        soa.soa_pdf(hidden, lambda p: None)


def test_empty_states(make_statement, auditor):
    statement = make_statement()
    page = client_for(auditor).get(f"/soa/{statement.reference}/").content.decode()
    assert "No entries yet." in page and "Annex A controls:" in page
    assert "No SoA entries yet." in client_for(auditor).get("/soa-entries/").content.decode()
    assert Risk.objects.count() == 0


# -- the demo ---------------------------------------------------------------------------------------------
def test_demo_seeds_bias_assessments_and_a_published_soa_once(db, settings, tmp_path):
    from aims import records, roles
    from lifecycle.demo_bias_soa import CREDIT_TITLE, HIRING_TITLE, SOA_TITLE, seed_bias_soa
    from lifecycle.models import AISystem, BiasAssessment
    from tests.conftest import make_user

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    spec = {"manager": roles.MANAGER, "board": roles.BOARD, "board2": roles.BOARD, "owner": roles.OWNER,
            "owner2": roles.OWNER, "owner3": roles.OWNER, "auditor": roles.AUDITOR}  # fmt: skip
    users = {key: make_user(f"demo-{key}", role) for key, role in spec.items()}
    for title, who in (("CV screening (hiring)", "owner3"), ("Credit scoring (Northbank Score v3)", "owner")):
        records.create_record(
            AISystem, actor=users[who],
            fields={"title": title, "purpose": "Demo.", "kind": "ml", "automation": "advisory", "owner": users[who]},
        )  # fmt: skip
    assert seed_bias_soa(users) == {"bias_assessments": 2, "statements": 1}
    hiring, credit = (
        BiasAssessment.objects.get(title=HIRING_TITLE),
        BiasAssessment.objects.get(title=CREDIT_TITLE),
    )
    assert (
        hiring.passed is False
        and hiring.results["worst_ratio"] < 0.8
        and hiring.risk.owner == users["owner3"]
    )
    assert credit.passed is True and credit.risk is None and credit.results["worst_ratio"] >= 0.8
    statement = Statement.objects.get(title=SOA_TITLE)
    assert (statement.status, statement.version_number) == ("published", 1)
    v1 = publishing.published_version(statement)
    assert v1.approved_by == users["board"] and len(v1.content) == 39
    assert SoAEntry.objects.count() == 38 and SoAEntry.objects.filter(applicable=False).count() == 1
    assert not SoAEntry.objects.filter(justification="").exists()
    declared = SoAEntry.objects.filter(applicable=True, implementation="implemented").count()
    assert 15 < declared < 30
    assert SoAEntry.objects.filter(applicable=True, systems__isnull=False).distinct().count() > 25
    assert seed_bias_soa(users) == {"bias_assessments": 0, "statements": 0}
    assert (
        BiasAssessment.objects.count() == 2 and Risk.objects.count() == 1 and Statement.objects.count() == 1
    )


def test_many_risks_calling_for_a_control_show_the_first_few_and_a_link(
    make_entry, make_statement, owner, auditor, risk_fields, django_assert_max_num_queries
):
    for n in range(7):
        risk_create(
            actor=owner, fields={**risk_fields, "title": f"Risk {n}"}, requirements=[control("A.6.2.4")]
        )
    make_entry("A.6.2.4", justification="V&V for every model.", evidence_note="Validation reports")
    statement = make_statement()
    client = client_for(auditor)
    client.get(f"/soa/{statement.reference}/")
    with django_assert_max_num_queries(60) as few:  # every control judged: a fixed number
        page = client.get(f"/soa/{statement.reference}/").content.decode()
    queries = len(few.captured_queries)  # read now: the next request clears the connection's log
    # The statement's page names the first five and links to the rest without counting them (that reads
    # every link of the register); the entry's page and the PDF count them.
    assert 'href="/risks/?requirement=A.6.2.4">and more: all risks calling for it</a>' in page
    entry = SoAEntry.objects.get(control__code="A.6.2.4")
    assert "All 7 risks calling for it" in client.get(entry.get_absolute_url()).content.decode()
    rows, _ = soa.entry_rows(user=auditor)
    assert rows[0]["risk_count"] == 7 and rows[0]["more_risks"] == 2
    first = sorted(Risk.objects.order_by("pk").values_list("reference", flat=True)[:SHOWN_RISKS])
    assert [r.reference for r in rows[0]["risks"]] == first  # the oldest five, by reference
    for n in range(7, 20):
        risk_create(
            actor=owner, fields={**risk_fields, "title": f"Risk {n}"}, requirements=[control("A.6.2.4")]
        )
    with django_assert_max_num_queries(queries):
        page = client.get(f"/soa/{statement.reference}/").content.decode()
    assert "and more: all risks calling for it" in page
    rows, _ = soa.entry_rows(user=auditor)
    assert rows[0]["risk_count"] == 20 and rows[0]["more_risks"] == 15


def test_a_control_applying_to_many_systems_names_the_first_few_and_links_to_the_rest(
    make_entry, make_statement, owner, auditor, django_assert_max_num_queries
):
    """A control can apply to hundreds of AI systems: the statement's page names the first few, by
    reference, and links to the entry's page, which names every one; the PDF, a document, names all."""
    from lifecycle.standard.ai_systems import services as systems

    fields = {"purpose": "Scores applications.", "kind": "ml", "origin": "in_house", "ai_role": "producer",
              "automation": "in_loop", "criticality": 3}  # fmt: skip
    made = [systems.create(actor=owner, fields={**fields, "title": f"System {n}"}) for n in range(8)]
    entry = make_entry("A.6.2.4", justification="V&V for every model.", systems=made)
    statement = make_statement()
    client = client_for(auditor)
    client.get(f"/soa/{statement.reference}/")
    with django_assert_max_num_queries(60) as few:
        page = client.get(f"/soa/{statement.reference}/").content.decode()
    queries = len(few.captured_queries)  # read now: the next request clears the connection's log
    first = sorted(s.reference for s in made)[: soa.SHOWN_SYSTEMS]
    assert all(f"{ref}</a>" in page for ref in first)
    assert not any(f"{s.reference}</a>" in page for s in made if s.reference not in first)
    assert f'href="{entry.get_absolute_url()}#systems">and 3 more</a>' in page
    entry_page = client.get(entry.get_absolute_url()).content.decode()
    assert 'id="systems"' in entry_page and all(f"{s.reference}</a>" in entry_page for s in made)
    rows, _ = soa.entry_rows(user=auditor)  # documents (PDF, frozen content) keep every system
    assert [s.reference for s in rows[0]["systems"]] == sorted(s.reference for s in made)
    more = [systems.create(actor=owner, fields={**fields, "title": f"More {n}"}) for n in range(10)]
    entry.systems.add(*more)
    with django_assert_max_num_queries(queries):  # not one query more per system
        page = client.get(f"/soa/{statement.reference}/").content.decode()
    assert "and 13 more</a>" in page


def test_the_first_risks_per_control_are_the_same_read_either_way(owner, risk_fields):
    """PostgreSQL reads each control's first risks off an index; SQLite (make run) ranks every link. Both
    give the oldest live, open risks calling for each control, and nothing for a control without any."""
    from lifecycle.standard import soa_rows

    codes = ["A.6.2.4", "A.5.2", "A.7.4"]
    made = []
    for n in range(9):
        made.append(risk_create(actor=owner, fields={**risk_fields, "title": f"Risk {n}"},
                                requirements=[control(c) for c in codes[: 1 + n % 3]]))  # fmt: skip
    made[0].archived_at = made[0].updated_at
    made[0].save(update_fields=["archived_at"])
    Risk.objects.filter(pk=made[1].pk).update(status=Risk.Status.CLOSED)
    ids = [control(c).pk for c in [*codes, "A.9.2"]]
    by_index = {c: [r.pk for r in risks] for c, risks in soa_rows._first_risks(ids, 3).items()}
    assert by_index == soa_rows._first_risk_ids_by_window(ids, 3)
    assert by_index[control("A.6.2.4").pk] == [made[2].pk, made[3].pk, made[4].pk]
    assert control("A.9.2").pk not in by_index

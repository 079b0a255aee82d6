"""The registers of clauses 4 to 7 as people use them in a real browser: the scope statement through
approval and publication (4.3), a policy acknowledged by the people asked (5.2, 7.3), the readiness
questionnaire and the actions raised from its gaps, the RACI matrix (5.3), an anonymous concern and its
triage (A.3.3), training evidence uploaded and refused (7.2), a document started from an SOP template
(7.5), and an overdue board decision on the dashboard."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aims.models import RecordVersion
from registers.content.sop_templates import SOP_TEMPLATES
from registers.models import (
    Acknowledgement,
    AimsRole,
    Concern,
    Decision,
    Document,
    ImplementationAction,
    Policy,
    ReadinessAssessment,
    ScopeStatement,
    TrainingRecord,
)
from registers.standard import courses
from tests.browser.conftest import sign_in

# Transactional: the live server's thread must see the rows the test commits (see conftest._reference_data).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def status(page):
    """The flash message after a form or an action, announced to screen readers."""
    return page.get_by_role("status")


def heading_reference(page, prefix: str) -> str:
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(rf"{prefix}-\d{{4}}"))
    return re.search(rf"{prefix}-\d{{4}}", heading.inner_text()).group()


def detail(page, label: str):
    """The value shown beside a label in a record's details."""
    return page.locator("dl.details dt", has_text=re.compile(rf"^{re.escape(label)}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


def switch_user(page, live_server, user):
    page.context.clear_cookies()
    sign_in(page, live_server, user)


def test_scope_statement_is_drafted_approved_by_the_board_and_published_as_v1(
    page, live_server, owner, board
):
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/scope/")
    page.get_by_role("link", name="New scope statement").click()
    page.get_by_label("Title").fill("AIMS scope 2025")
    page.get_by_label("Boundaries").fill("Retail lending in the EU, head office and two branches.")
    page.get_by_label("AI systems in scope", exact=True).fill("Credit scoring; customer chatbot")
    page.get_by_label("AI provider").check()
    page.get_by_label("AI customer (incl. user)").check()
    page.get_by_label("Exclusions and their justification").fill("A.10.4: no AI supplied to customers.")
    page.get_by_role("button", name="Create scope statement").click()

    reference = heading_reference(page, "SCO")
    expect(status(page)).to_contain_text(f"{reference} created.")
    expect(detail(page, "The organisation's AI roles")).to_have_text("AI provider, AI customer (incl. user)")
    page.get_by_role("button", name="Submit for approval").click()
    expect(status(page)).to_contain_text(f"{reference} is with the governance board for approval.")
    expect(page.locator(".record-header .badge").first).to_have_text("In review")
    # The owner cannot approve their own scope (four eyes).
    expect(page.get_by_text("Approve…")).to_have_count(0)

    switch_user(page, live_server, board)
    page.goto(f"{live_server.url}/scope/{reference}/")
    page.locator("summary", has_text="Approve").click()
    page.get_by_label("What changed and why").fill("First scope of the AIMS.")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(status(page)).to_contain_text(f"{reference} approved; its content is frozen as a new version.")
    expect(page.locator(".record-header .badge").first).to_have_text("Approved by the board")
    # Publishing is the owner's step, not the board's.
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)

    switch_user(page, live_server, owner)
    page.goto(f"{live_server.url}/scope/{reference}/")
    page.once("dialog", lambda dialog: dialog.accept())  # publishing asks first (data-confirm)
    page.get_by_role("button", name="Publish").click()
    expect(status(page)).to_contain_text(f"{reference} published.")
    expect(page.locator(".record-header .badge").first).to_have_text("Published")

    page.get_by_role("link", name="Versions", exact=True).click()
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").first).to_have_text(re.compile(r"^v1\s+In force$"))
    expect(rows.first).to_contain_text("Boris")
    expect(rows.first).to_contain_text("First scope of the AIMS.")

    scope = ScopeStatement.objects.get(reference=reference)
    assert scope.status == "published" and scope.version_number == 1
    assert scope.ai_roles == ["provider", "customer"]
    frozen = RecordVersion.objects.get(object_id=scope.pk, number=1)
    assert frozen.approved_by == board and frozen.published_at is not None and frozen.retired_at is None


def test_policy_from_the_ai_policy_template_is_published_and_acknowledged_by_the_auditor(
    page, live_server, manager, board, auditor
):
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/policies/")
    page.get_by_role("link", name="AI policy", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/policies/new/?template=ai-policy")
    expect(page.get_by_label("Title")).to_have_value("AI policy")
    expect(page.get_by_label("Kind")).to_have_value("ai_policy")
    expect(page.get_by_label("Policy text")).to_have_value(re.compile(r"^1\. Commitment"))
    expect(page.get_by_label("Who it applies to")).to_have_value(re.compile("Everyone who develops"))
    page.get_by_label("Auditor", exact=True).check()
    page.get_by_role("button", name="Create policy").click()

    reference = heading_reference(page, "POL")
    expect(status(page)).to_contain_text(f"{reference} created.")
    page.get_by_role("button", name="Submit for approval").click()
    expect(status(page)).to_contain_text("with the governance board")

    switch_user(page, live_server, board)
    page.goto(f"{live_server.url}/policies/{reference}/")
    page.locator("summary", has_text="Approve").click()
    page.get_by_label("What changed and why").fill("First AI policy.")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(status(page)).to_contain_text(f"{reference} approved")

    switch_user(page, live_server, manager)
    page.goto(f"{live_server.url}/policies/{reference}/")
    page.once("dialog", lambda dialog: dialog.accept())  # publishing asks first (data-confirm)
    page.get_by_role("button", name="Publish").click()
    expect(status(page)).to_contain_text(f"{reference} published.")
    expect(page.get_by_text("0 of 1 people asked have acknowledged it.")).to_be_visible()
    # The manager was not asked, so they are not offered the button.
    expect(page.get_by_role("button", name="I have read it")).to_have_count(0)

    switch_user(page, live_server, auditor)
    page.goto(f"{live_server.url}/policies/{reference}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("AI policy")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    page.get_by_role("button", name="I have read it").click()

    expect(status(page)).to_contain_text(f"your acknowledgement of {reference} is recorded")
    expect(page.get_by_text("1 of 1 people asked have acknowledged it.")).to_be_visible()
    expect(page.get_by_role("button", name="I have read it")).to_have_count(0)
    ack = Acknowledgement.objects.get(policy__reference=reference)
    assert ack.person == auditor and ack.version_number == 1 and ack.acknowledged_at is not None
    assert Policy.objects.get(reference=reference).status == "published"


def test_readiness_questionnaire_gaps_become_implementation_actions(page, live_server, manager):
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/readiness/new/")
    page.get_by_label("Title").fill("Baseline readiness")
    page.get_by_label("Assessment date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Create readiness assessment").click()
    reference = heading_reference(page, "RDY")
    expect(status(page)).to_contain_text(f"{reference} created.")

    page.get_by_label("Maturity of 4.1", exact=True).select_option("1")
    page.get_by_label("Evidence for 4.1", exact=True).fill("Context issues listed in a spreadsheet.")
    page.get_by_label("Maturity of 4.2", exact=True).select_option("2")
    page.get_by_label("Evidence for 4.2", exact=True).fill("Stakeholder map, not yet reviewed.")
    page.get_by_role("button", name="Save answers").click()

    expect(status(page)).to_contain_text(f"Answers of {reference} saved.")
    expect(page.get_by_label("Maturity of 4.1", exact=True)).to_have_value("1")
    gaps = page.locator("section", has=page.get_by_role("heading", name="Gaps by priority"))
    row_41 = gaps.locator("tbody tr", has_text="Understanding the organization and its context")
    expect(row_41.locator("td").nth(0)).to_have_text("High")
    expect(row_41.locator("td").nth(2)).to_have_text("1")
    expect(row_41.locator("td").nth(3)).to_have_text("2")
    expect(row_41.locator("td").nth(4)).to_have_text("Context issues listed in a spreadsheet.")
    row_42 = gaps.locator("tbody tr", has_text="Understanding the needs and expectations of interested")
    expect(row_42.locator("td").nth(0)).to_have_text("Medium")
    expect(row_42.locator("td").nth(2)).to_have_text("2")
    expect(row_42.locator("td").nth(4)).to_have_text("Stakeholder map, not yet reviewed.")
    gap_count = gaps.locator("tbody tr").count()

    page.get_by_role("button", name="Create actions from gaps").click()
    expect(status(page)).to_contain_text(f"Implementation actions created for the gaps of {reference}")
    assessment = ReadinessAssessment.objects.get(reference=reference)
    assert ImplementationAction.objects.filter(assessment=assessment).count() == gap_count
    expect(page.get_by_role("link", name=f"{gap_count} implementation actions")).to_be_visible()

    page.goto(f"{live_server.url}/implementation/")
    rows = page.locator("table.register tbody tr")
    expect(rows).to_have_count(gap_count)
    action_41 = rows.filter(has_text="Close the gap in 4.1 Understanding the organization and its context")
    expect(action_41).to_have_count(1)
    expect(rows.filter(has_text="Close the gap in 4.2 ")).to_have_count(1)
    action_41.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Close the gap in 4.1")
    expect(page.locator("main")).to_contain_text(
        "Raise maturity from 1 to 3. Evidence so far: Context issues listed in a spreadsheet."
    )


def test_raci_letter_set_on_the_matrix_shows_on_the_roles_page(page, live_server, manager):
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/roles/new/")
    page.get_by_label("Title").fill("Head of internal audit")
    page.locator("#id_responsibilities").fill("Plans and runs the internal audit programme.")
    page.get_by_role("button", name="Create AIMS role").click()
    reference = heading_reference(page, "ROL")
    expect(status(page)).to_contain_text(f"{reference} created.")
    expect(page.get_by_text("This role has no part in any AIMS process yet.")).to_be_visible()

    page.goto(f"{live_server.url}/roles/raci/")
    expect(page.get_by_role("heading", name="RACI matrix")).to_be_visible()
    page.get_by_label("Head of internal audit in Internal audit (9.2)").select_option("A")
    page.get_by_label("Head of internal audit in Management review (9.3)").select_option("C")
    page.get_by_role("button", name="Save the matrix").click()

    expect(status(page)).to_contain_text(f"RACI saved for {reference}.")
    audit_row = page.get_by_role("row", name=re.compile(r"^Internal audit \(9\.2\)"))
    expect(audit_row.get_by_role("combobox")).to_have_value("A")
    expect(audit_row).not_to_contain_text("No one is accountable")

    page.get_by_role("link", name="Head of internal audit").click()
    raci = page.locator("section", has=page.get_by_role("heading", name="In the RACI matrix"))
    expect(raci.get_by_role("row", name=re.compile(r"Internal audit \(9\.2\)"))).to_contain_text(
        "A Accountable"
    )
    expect(raci.get_by_role("row", name=re.compile(r"Management review \(9\.3\)"))).to_contain_text(
        "C Consulted"
    )
    role = AimsRole.objects.get(reference=reference)
    assert dict(role.raci.values_list("process", "letter")) == {"audit": "A", "review": "C"}
    assert role.version == 2


def test_anonymous_concern_is_triaged_by_the_manager_without_learning_who_raised_it(
    page, live_server, owner, manager
):
    sign_in(page, live_server, owner)
    page.goto(f"{live_server.url}/concerns/new/")
    page.get_by_label("In a few words").fill("Chatbot pushes loans to students")
    page.get_by_label("AI system not in the list").fill("Customer chatbot")  # not in the inventory yet
    page.get_by_label("The concern").fill("It suggests credit to people who say they are students.")
    page.get_by_label("Withhold my name").check()
    page.get_by_role("button", name="Create concern").click()

    reference = heading_reference(page, "CON")
    expect(status(page)).to_contain_text(f"{reference} created.")
    expect(detail(page, "Raised by")).to_have_text("Olivia")  # the raiser sees their own name

    switch_user(page, live_server, manager)
    page.goto(f"{live_server.url}/concerns/")
    page.get_by_role("link", name="Chatbot pushes loans to students").click()
    expect(detail(page, "Raised by")).to_have_text("withheld at their request")
    expect(page.locator("main")).not_to_contain_text("Olivia")

    page.locator("summary", has_text="Triage").click()
    page.get_by_label("Outcome").select_option(label="No action needed")
    page.get_by_label("Reason").fill("The chatbot only quotes; a person approves every loan.")
    page.get_by_role("button", name="Triage", exact=True).click()

    expect(status(page)).to_contain_text(f"{reference} triaged")
    expect(detail(page, "Outcome")).to_have_text("No action needed")
    expect(detail(page, "Reason for the outcome")).to_have_text(
        "The chatbot only quotes; a person approves every loan."
    )
    expect(page.locator("summary", has_text="Triage")).to_have_count(0)
    # The history tells what happened without naming who raised it.
    page.get_by_role("link", name="History").click()
    history = page.locator("ol.history")
    expect(history.locator("> li", has_text="Version 1")).to_contain_text("Raised anonymously")
    expect(history.locator("> li", has_text="Version 2")).to_contain_text("by Maria")
    expect(page.locator("main")).not_to_contain_text("Olivia")
    concern = Concern.objects.get(reference=reference)
    assert concern.outcome == Concern.Outcome.NO_ACTION and concern.triaged_by == manager
    assert concern.raised_by == owner and concern.anonymous


def test_training_evidence_pdf_is_uploaded_and_an_exe_is_refused(
    page, live_server, manager, owner, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    course = courses.services.create(
        actor=manager,
        fields={"title": "Responsible AI basics", "provider": "In-house", "valid_months": 24},
    )
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n")
    exe = tmp_path / "certificate.exe"
    exe.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00")
    completed = dt.date(2025, 3, 14)

    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/training/new/")
    page.get_by_label("Person").select_option(label="Olivia")
    page.get_by_label("Course").select_option(label=str(course))
    page.get_by_label("Completed").fill(completed.isoformat())
    page.get_by_label("Evidence", exact=True).set_input_files(exe)
    page.get_by_role("button", name="Create training record").click()

    expect(page.locator(".msg-error").first).to_contain_text("Nothing was saved")
    evidence_field = page.locator(".field.has-error", has=page.locator("#id_evidence"))
    expect(evidence_field.locator(".error")).to_contain_text("Files of type '.exe' are not accepted.")
    assert TrainingRecord.objects.count() == 0
    # The other entries are kept: only the file has to be chosen again.
    expect(page.get_by_label("Completed")).to_have_value(completed.isoformat())
    expect(page.get_by_label("Person").locator("option:checked")).to_have_text("Olivia")

    page.get_by_label("Evidence", exact=True).set_input_files(pdf)
    page.get_by_role("button", name="Create training record").click()
    reference = heading_reference(page, "TRN")
    expect(status(page)).to_contain_text(f"{reference} created.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Responsible AI basics: Olivia")
    expect(detail(page, "Expires")).to_have_text("2027-03-14")

    download_link = page.get_by_role("link", name="Download certificate.pdf")
    expect(download_link).to_be_visible()
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == "certificate.pdf"
    assert download.path().read_bytes() == pdf.read_bytes()
    record = TrainingRecord.objects.get(reference=reference)
    assert record.evidence_name == "certificate.pdf" and len(record.evidence_sha256) == 64
    assert (settings.PRIVATE_MEDIA_ROOT / record.evidence.name).read_bytes() == pdf.read_bytes()


def test_document_started_from_an_sop_template_is_prefilled_and_saved(page, live_server, manager):
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/documents/")
    page.get_by_role("link", name="Model development").click()

    expect(page).to_have_url(f"{live_server.url}/documents/new/?template=sop-model-development")
    expect(page.get_by_label("Title")).to_have_value("SOP: AI model development")
    expect(page.get_by_role("combobox", name="Type", exact=True)).to_have_value("sop")
    content = page.get_by_label("Content")
    expect(content).to_have_value(re.compile(r"^1\. Purpose\nDevelop AI models"))
    expect(content).to_have_value(re.compile(r"7\. Controls referenced\n- A\.6\.1\.2"))
    page.get_by_role("button", name="Create document").click()

    reference = heading_reference(page, "DOC")
    expect(status(page)).to_contain_text(f"{reference} created.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("SOP: AI model development")
    expect(detail(page, "Type")).to_have_text("Standard operating procedure")
    expect(detail(page, "Content")).to_contain_text("Hand over to validation with the evidence package")
    document = Document.objects.get(reference=reference)
    assert document.kind == Document.Kind.SOP
    # The browser sends a textarea's lines with CRLF; the words are the template's, none lost.
    template = SOP_TEMPLATES["sop-model-development"]["content"]
    assert document.content.replace("\r\n", "\n") == template.strip()
    assert document.owner == manager and document.status == Document.Status.DRAFT


def test_board_decision_past_its_due_date_shows_overdue_on_the_dashboard(page, live_server, board):
    due = timezone.localdate() - dt.timedelta(days=3)
    sign_in(page, live_server, board)
    page.goto(f"{live_server.url}/decisions/new/")
    page.get_by_label("Title").fill("Commission an external bias audit")
    page.get_by_role("textbox", name="Decision", exact=True).fill(
        "An external firm audits the credit model for bias."
    )
    page.get_by_label("Rationale").fill("Regulator expects independent evidence.")
    page.get_by_label("Due").fill(due.isoformat())
    page.get_by_role("button", name="Create board decision").click()
    reference = heading_reference(page, "DEC")
    expect(status(page)).to_contain_text(f"{reference} created.")

    page.goto(f"{live_server.url}/")
    panel = page.get_by_role("region", name=re.compile(r"^Open board decisions"))
    expect(panel.get_by_role("link", name="1 open")).to_be_visible()
    expect(panel.get_by_role("link", name="1 overdue")).to_be_visible()
    item = panel.get_by_role("listitem").filter(has_text=reference)
    expect(item).to_contain_text("Commission an external bias audit")
    expect(item).to_contain_text(f"overdue since {due.isoformat()}")
    item.get_by_role("link", name=reference).click()
    expect(page).to_have_url(f"{live_server.url}/decisions/{reference}/")
    decision = Decision.objects.get(reference=reference)
    assert decision.due_on == due and decision.status == Decision.Status.OPEN and decision.owner == board


def test_checkbox_lists_of_the_scope_and_policy_forms_are_named_groups(page, live_server, manager):
    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/scope/new/")
    expect(page.get_by_role("checkbox", name="AI provider")).to_be_visible()
    ai_roles = page.get_by_role("group", name="The organisation's AI roles")
    expect(ai_roles.get_by_role("checkbox", name="AI provider")).to_be_visible()
    page.goto(f"{live_server.url}/policies/new/")
    asked = page.get_by_role("group", name="Roles asked to acknowledge")
    expect(asked.get_by_role("checkbox", name="Auditor")).to_be_visible()

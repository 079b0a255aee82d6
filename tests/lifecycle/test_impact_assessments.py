"""AI system impact assessments (6.1.4, 8.4, A.5): roles, the approval lifecycle, harms on the page and in
the API, turning a harm into a risk, reassessment, filters, empty states and the demo."""

import pytest
from django.core.exceptions import ValidationError

from aims import publishing
from aims.models import Lifecycle
from aims.records import history
from lifecycle.models import AISystem, Harm, ImpactAssessment
from lifecycle.standard import ai_systems
from lifecycle.standard.impact_assessments.harms import add_harm, harm_to_risk
from lifecycle.standard.impact_assessments.services import approve, services
from registers.models import Risk
from tests.base import RegisterRoleMatrix, client_for, form_data_for

SYSTEM = {
    "title": "Credit scoring (Northbank Score v3)",
    "purpose": "Scores applications for consumer loans.",
    "kind": "ml",
    "origin": "in_house",
    "ai_role": "producer",
    "automation": "in_loop",
    "criticality": 5,
}
ASSESSMENT = {
    "title": "Impact assessment: credit scoring v3",
    "scope": "Consumer loan decisions in Portugal and Ireland.",
    "interested_parties": "Applicants; their households; the credit bureau.",
    "measures": "Monthly fairness check; human review of declines near the threshold.",
}
HARM = {
    "description": "Thin-file applicants are declined more often than their repayment record justifies.",
    "affected": "groups",
    "likelihood": 3,
    "severity": 4,
    "reversibility": "hard",
}


@pytest.fixture
def system(owner):
    return ai_systems.services.create(actor=owner, fields=SYSTEM)


@pytest.fixture
def make_assessment(owner, system):
    def make(actor=None, **overrides):
        return services.create(actor=actor or owner, fields={**ASSESSMENT, "system": system, **overrides})

    return make


def submitted_and_approved(record, owner, board, summary="First approval"):
    record = publishing.submit(record, actor=owner, expected_version=record.version)
    return approve(record, actor=board, expected_version=record.version, change_summary=summary)


def with_harm(record, owner, **overrides):
    return add_harm(record, actor=owner, expected_version=record.version, **{**HARM, **overrides})


class TestImpactAssessmentRoles(RegisterRoleMatrix):
    model = ImpactAssessment
    url_prefix = "impact-assessments"
    api_prefix = "/api/v1/impact-assessments/"

    @pytest.fixture
    def record(self, make_assessment):
        return make_assessment()

    @pytest.fixture
    def form_data(self):
        return form_data_for

    @pytest.fixture
    def api_create_payload(self, system):
        return {"title": "Chatbot assessment", "system": system.reference, "scope": "Customer chat."}


# -- lifecycle and versions --------------------------------------------------------------------------------
def test_the_board_approves_and_the_version_holds_the_harms(make_assessment, owner, board):
    record = with_harm(make_assessment(), owner)
    record = submitted_and_approved(record, owner, board)
    assert (record.status, record.version_number) == (Lifecycle.APPROVED, 1)
    [v1] = publishing.versions(record)
    content = {item["field"]: item["value"] for item in v1.content}
    assert "Thin-file applicants" in content["harms"] and "severity 4" in content["harms"]
    assert "reassessment_due" not in content and content["scope"] == ASSESSMENT["scope"]


def test_compare_shows_a_rescored_harm(make_assessment, owner, board, auditor):
    record = submitted_and_approved(with_harm(make_assessment(), owner), owner, board)
    record = publishing.revise(record, actor=owner, expected_version=record.version)
    Harm.objects.filter(assessment=record).update(severity=5)
    record = submitted_and_approved(record, owner, board, summary="Severity raised")
    page = (
        client_for(auditor).get(f"/impact-assessments/{record.reference}/compare/?a=1&b=2").content.decode()
    )
    assert "<del>4</del>" in page and "<ins>5</ins>" in page


def test_nobody_approves_their_own_assessment(make_assessment, owner):
    from django.core.exceptions import PermissionDenied

    record = publishing.submit(make_assessment(), actor=owner, expected_version=1)
    with pytest.raises(PermissionDenied, match="Four eyes"):
        approve(record, actor=owner, expected_version=record.version)


def test_approving_a_new_version_clears_reassessment_due(make_assessment, owner, board):
    record = submitted_and_approved(make_assessment(), owner, board)
    ImpactAssessment.objects.filter(pk=record.pk).update(reassessment_due=True)
    record.refresh_from_db()
    page = client_for(owner).get(f"/impact-assessments/{record.reference}/").content.decode()
    assert "Reassessment due" in page
    record = publishing.revise(record, actor=owner, expected_version=record.version)
    record = publishing.submit(record, actor=owner, expected_version=record.version)
    response = client_for(board).post(
        f"/impact-assessments/{record.reference}/approve/",
        {"version": record.version, "change_summary": "Redone"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.version_number == 2 and not record.reassessment_due
    assert history(record).first().note == "Reassessment done: v2 approved."
    assert (
        "Reassessment due"
        not in client_for(owner).get(f"/impact-assessments/{record.reference}/").content.decode()
    )


# -- harms -------------------------------------------------------------------------------------------------
def test_a_harm_added_on_the_page_is_listed_and_in_history(make_assessment, owner):
    record = make_assessment()
    client = client_for(owner)
    response = client.post(
        f"/impact-assessments/{record.reference}/harms/", {**HARM, "version": record.version}
    )
    assert response.status_code == 302
    page = client.get(f"/impact-assessments/{record.reference}/").content.decode()
    assert "Thin-file applicants" in page and "Hard to reverse" in page and "Turn into a risk" in page
    record.refresh_from_db()
    change = history(record).first()
    assert change.changes[0]["label"] == "Harm added" and "Thin-file" in change.changes[0]["new"]


def test_harm_form_errors_name_their_fields(make_assessment, owner):
    record = make_assessment()
    response = client_for(owner).post(
        f"/impact-assessments/{record.reference}/harms/",
        {"description": "", "affected": "groups", "likelihood": "9", "version": record.version},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count('class="error"') >= 4  # description, likelihood, severity, reversibility
    assert "Select a valid choice. 9 is not one of the available choices." in body
    assert not Harm.objects.exists()


def test_harms_change_only_in_a_draft_and_only_by_who_may_change_it(
    make_assessment, owner, board, other_owner
):
    record = make_assessment()
    page = client_for(other_owner).get(f"/impact-assessments/{record.reference}/").content.decode()
    assert "Add a harm" not in page
    refused = client_for(other_owner).post(
        f"/impact-assessments/{record.reference}/harms/", {**HARM, "version": record.version}
    )
    assert refused.status_code == 403
    record = submitted_and_approved(record, owner, board)
    page = client_for(owner).get(f"/impact-assessments/{record.reference}/").content.decode()
    assert "Add a harm" not in page and "start a revision to add or remove one" in page
    with pytest.raises(ValidationError, match="start a revision"):
        with_harm(record, owner)
    response = client_for(owner).post(
        f"/impact-assessments/{record.reference}/harms/", {**HARM, "version": record.version}
    )
    assert response.status_code == 400 and "start a revision" in response.content.decode()


def test_removing_a_harm_is_history(make_assessment, owner):
    record = with_harm(make_assessment(), owner)
    harm = record.harms.get()
    response = client_for(owner).post(
        f"/impact-assessments/{record.reference}/harms/{harm.pk}/remove/", {"version": record.version}
    )
    assert response.status_code == 302 and not Harm.objects.exists()
    assert history(record).first().changes[0]["label"] == "Harm removed"


def test_turn_a_harm_into_a_risk(make_assessment, owner, auditor):
    record = with_harm(make_assessment(), owner)
    harm = record.harms.get()
    response = client_for(owner).post(
        f"/impact-assessments/{record.reference}/harms/{harm.pk}/risk/", {"version": record.version}
    )
    assert response.status_code == 302
    harm.refresh_from_db()
    risk = harm.risk
    assert (
        [s.title for s in risk.systems.all()] == [SYSTEM["title"]]
        and risk.affects_groups
        and not risk.affects_individuals
    )
    assert (risk.inherent_likelihood, risk.inherent_impact) == (3, 4)
    assert (risk.residual_likelihood, risk.residual_impact) == (3, 4)
    assert risk.treatment == Risk.Treatment.MITIGATE and ASSESSMENT["measures"] in risk.treatment_plan
    assert record.reference in risk.treatment_plan and risk.owner == owner
    record.refresh_from_db()
    assert history(record).first().changes[0]["new"] == risk.reference
    page = client_for(auditor).get(f"/impact-assessments/{record.reference}/").content.decode()
    assert f'href="/risks/{risk.reference}/"' in page and "Turn into a risk" not in page
    with pytest.raises(ValidationError, match="already"):
        harm_to_risk(record, actor=owner, expected_version=record.version, harm=str(harm.pk))
    assert Risk.objects.count() == 1


def test_an_approved_assessment_still_turns_harms_into_risks(make_assessment, owner, board):
    record = submitted_and_approved(with_harm(make_assessment(), owner), owner, board)
    harm = record.harms.get()
    record = harm_to_risk(record, actor=owner, expected_version=record.version, harm=str(harm.pk))
    assert record.status == Lifecycle.APPROVED and Harm.objects.get().risk is not None


def test_api_adds_harms_names_bad_fields_and_lists_them(make_assessment, owner):
    record = make_assessment()
    api = client_for(owner)
    url = f"/api/v1/impact-assessments/{record.reference}"
    bad = api.post(
        f"{url}/add-harm/",
        {**HARM, "severity": "7", "version": record.version},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "severity" in bad.json()
    ok = api.post(
        f"{url}/add-harm/",
        {**HARM, "likelihood": "2", "version": record.version},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    [harm] = api.get(f"{url}/harms/").json()
    assert harm["likelihood"] == 2 and harm["risk"] is None
    made = api.post(
        f"{url}/harm-to-risk/",
        {"harm": harm["id"], "version": ok.json()["version"]},
        content_type="application/json",
    )
    assert made.status_code == 200, made.content
    assert api.get(f"{url}/harms/").json()[0]["risk"] == Risk.objects.get().reference


# -- ISO/IEC 42005: unintended uses, misuse and failures, frozen with the assessment ----------------------
MISUSE = "Scores read as final decisions by branch staff."
USES = {
    "unintended_uses": "Used to price loans as well as to decide them.",
    "failures": "Bureau outage: scores computed without bureau data decline thin-file applicants.",
}


def test_misuse_is_copied_from_the_system_and_frozen_once_approved(
    owner, board, auditor, system, make_assessment
):
    """ISO/IEC 42005: misuse and failures belong to the assessment; the approved version keeps what was approved."""
    system = ai_systems.services.update(system, actor=owner, expected_version=system.version,
                                        fields={"foreseeable_misuse": MISUSE})  # fmt: skip
    record = make_assessment(**USES)
    assert record.foreseeable_misuse == MISUSE and record.failures == USES["failures"]
    record = services.update(record, actor=owner, expected_version=record.version,
                             fields={"foreseeable_misuse": MISUSE + " Also used for small-business loans."})  # fmt: skip
    record = submitted_and_approved(record, owner, board)
    with pytest.raises(ValidationError, match="start a revision"):
        services.update(record, actor=owner, expected_version=record.version, fields={"failures": "Changed."})
    # The system's record changes afterwards; the approved assessment does not.
    system.refresh_from_db()
    ai_systems.services.update(system, actor=owner, expected_version=system.version,
                               fields={"foreseeable_misuse": "Something else entirely."})  # fmt: skip
    page = client_for(auditor).get(f"/impact-assessments/{record.reference}/").content.decode()
    assert "Also used for small-business loans." in page and "Something else entirely." not in page
    assert USES["unintended_uses"] in page and USES["failures"] in page
    [v1] = publishing.versions(record)
    content = {item["field"]: item["value"] for item in v1.content}
    assert content["foreseeable_misuse"].endswith("small-business loans.")
    assert content["unintended_uses"] == USES["unintended_uses"] and content["failures"] == USES["failures"]
    assert (content["sensitive_from"], content["restricted_from"]) == ("4", "5")


def test_misuse_written_on_a_new_assessment_is_kept(make_assessment, owner, system):
    ai_systems.services.update(system, actor=owner, expected_version=system.version,
                               fields={"foreseeable_misuse": MISUSE})  # fmt: skip
    assert make_assessment(foreseeable_misuse="Our own wording.").foreseeable_misuse == "Our own wording."


def test_uses_and_conclusion_save_from_the_form_and_show_in_the_api_and_export(owner, system):
    data = {**ASSESSMENT, **USES, "system": system.pk, "trigger": "new_system", "owner": owner.pk,
            "review_cadence": 365, "foreseeable_misuse": MISUSE, "use_conclusion": "sensitive",
            "use_conclusion_reason": "Credit decisions about individuals."}  # fmt: skip
    response = client_for(owner).post("/impact-assessments/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = ImpactAssessment.objects.get()
    body = client_for(owner).get(f"/api/v1/impact-assessments/{record.reference}/").json()
    assert body["foreseeable_misuse"] == MISUSE and body["failures"] == USES["failures"]
    assert (body["use_conclusion"], body["sensitive_from"], body["restricted_from"]) == ("sensitive", 4, 5)
    # The thresholds are the organisation's: what an API client sends for them is ignored.
    patched = client_for(owner).patch(
        f"/api/v1/impact-assessments/{record.reference}/",
        {"sensitive_from": 1, "unintended_uses": "Marketing.", "version": record.version},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["sensitive_from"] == 4
    assert patched.json()["unintended_uses"] == "Marketing."
    export = client_for(owner).get("/impact-assessments/?export=csv").content.decode("utf-8-sig")
    header, row = export.splitlines()[:2]
    for column in ("unintended_uses", "foreseeable_misuse", "failures", "use_conclusion", "sensitive_from"):
        assert column in header
    assert MISUSE in row and "Marketing." in row


# -- sensitive and restricted uses: the organisation's thresholds and the conclusion ------------------------
def test_only_the_aims_manager_sets_the_thresholds_with_history(manager, owner, auditor):
    page = client_for(auditor).get("/impact-assessments/thresholds/")
    assert page.status_code == 200
    assert "Sensitive from harm severity 4 (Major), restricted from 5 (Severe)" in page.content.decode()
    assert "Save thresholds" not in page.content.decode()
    refused = client_for(owner).post("/impact-assessments/thresholds/",
                                     {"sensitive_from": 3, "restricted_from": 4, "version": 1})  # fmt: skip
    assert refused.status_code == 403
    bad = client_for(manager).post("/impact-assessments/thresholds/",
                                   {"sensitive_from": 4, "restricted_from": 3, "version": 1})  # fmt: skip
    assert bad.status_code == 400 and "at least as severe as a sensitive one" in bad.content.decode()
    ok = client_for(manager).post("/impact-assessments/thresholds/",
                                  {"sensitive_from": 3, "restricted_from": 4, "version": 1})  # fmt: skip
    assert ok.status_code == 302
    page = client_for(auditor).get("/impact-assessments/thresholds/").content.decode()
    assert "sensitive from harm severity 3 (Moderate), restricted from 4 (Major)" in page
    assert (
        "sensitive from harm severity 4 (Major), restricted from 5 (Severe)" in page
    )  # the change's "before"
    stale = client_for(manager).post("/impact-assessments/thresholds/",
                                     {"sensitive_from": 2, "restricted_from": 4, "version": 1})  # fmt: skip
    assert stale.status_code == 400 and "Nothing was saved" in stale.content.decode()


def test_an_approved_assessment_keeps_the_thresholds_it_was_approved_with(manager, owner, board, auditor,
                                                                        make_assessment):  # fmt: skip
    from lifecycle.standard.impact_assessments.uses import thresholds_update

    approved = submitted_and_approved(
        with_harm(make_assessment(use_conclusion="sensitive"), owner), owner, board
    )
    draft = make_assessment(title="A draft")
    thresholds_update(actor=manager, expected_version=1, sensitive_from=2, restricted_from=4)
    page = client_for(auditor).get(f"/impact-assessments/{approved.reference}/").content.decode()
    assert "Sensitive from harm severity 4 (Major), restricted from 5 (Severe)" in page
    assert "severity 4: by the thresholds, sensitive use" in page and "changed since" not in page
    page = client_for(auditor).get(f"/impact-assessments/{draft.reference}/").content.decode()
    assert "changed since this draft was saved (now sensitive from harm severity 2 (Minor)" in page
    draft = services.update(draft, actor=owner, expected_version=draft.version, fields={"benefits": "Speed."})
    assert (draft.sensitive_from, draft.restricted_from) == (2, 4)
    approved.refresh_from_db()
    assert (approved.sensitive_from, approved.restricted_from) == (4, 5)


def test_a_conclusion_below_what_the_harms_reach_needs_reasons(owner, make_assessment):
    """A severity-5 harm reaches the restricted threshold: concluding "sensitive" needs its reasons."""
    record = with_harm(make_assessment(), owner, severity=5)
    response = client_for(owner).post(
        f"/impact-assessments/{record.reference}/edit/",
        {**form_data_for(record), "use_conclusion": "sensitive"},
    )
    assert response.status_code == 400
    assert "The harms reach severity 5 (Severe)" in response.content.decode()
    assert ImpactAssessment.objects.get().use_conclusion == ""
    record = services.update(record, actor=owner, expected_version=record.version,
                             fields={"use_conclusion": "sensitive",
                                     "use_conclusion_reason": "Declines are reviewed by an officer."})  # fmt: skip
    assert record.use_conclusion == "sensitive"
    page = client_for(owner).get(f"/impact-assessments/{record.reference}/").content.decode()
    assert "Declines are reviewed by an officer." in page and "Conclusion below the harms" not in page


def test_a_harm_added_after_the_conclusion_holds_the_draft_back(owner, make_assessment):
    record = make_assessment(use_conclusion="ordinary")
    record = with_harm(record, owner, severity=4)
    page = client_for(owner).get(f"/impact-assessments/{record.reference}/").content.decode()
    assert "Conclusion below the harms" in page
    with pytest.raises(ValidationError, match="cannot be submitted yet"):
        publishing.submit(record, actor=owner, expected_version=record.version)
    record = services.update(record, actor=owner, expected_version=record.version,
                             fields={"use_conclusion": "sensitive"})  # fmt: skip
    assert (
        publishing.submit(record, actor=owner, expected_version=record.version).status == Lifecycle.IN_REVIEW
    )


def test_the_dossier_states_the_assessments_uses_and_conclusion(owner, board, auditor, system, make_assessment,
                                                                tmp_path):  # fmt: skip
    import subprocess

    from aims.models import Job
    from lifecycle.dossier import KIND, system_dossier_pdf

    record = make_assessment(
        **USES, use_conclusion="sensitive", use_conclusion_reason="Decisions about credit."
    )
    submitted_and_approved(record, owner, board)
    client_for(auditor).post(f"/systems/{system.reference}/dossier/")
    name, data = system_dossier_pdf(Job.objects.get(kind=KIND), lambda p: None)
    (tmp_path / name).write_bytes(data)
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / name), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())  # fmt: skip
    assert USES["failures"] in text and USES["unintended_uses"] in text
    assert (
        "Sensitive use (thresholds: sensitive from harm severity 4, restricted from 5): Decisions about credit."
        in text
    )


# -- page, filters, empty states ---------------------------------------------------------------------------
def test_page_shows_the_art_27_note_and_the_empty_harms(make_assessment, owner, auditor):
    record = make_assessment()
    page = client_for(owner).get(f"/impact-assessments/{record.reference}/").content.decode()
    assert "EU fundamental rights (Art. 27)" in page and "deployers of high-risk AI systems" in page
    assert "No harms recorded yet." in page and "Add a harm" in page
    assert (
        "Add a harm"
        not in client_for(auditor).get(f"/impact-assessments/{record.reference}/").content.decode()
    )


def test_empty_list_says_what_to_do(owner):
    page = client_for(owner).get("/impact-assessments/").content.decode()
    assert "No impact assessments yet." in page


def test_filters(make_assessment, owner, system):
    due = make_assessment(title="Due one", trigger="material_change")
    ImpactAssessment.objects.filter(pk=due.pk).update(reassessment_due=True)
    other_system = ai_systems.services.create(actor=owner, fields={**SYSTEM, "title": "CV screening"})
    other = make_assessment(title="Other system", system=other_system)
    client = client_for(owner)

    def refs(query):
        return {r["reference"] for r in client.get(f"/api/v1/impact-assessments/?{query}").json()["results"]}

    assert refs("reassessment_due=true") == {due.reference}
    assert refs(f"system={other_system.reference}") == {other.reference}
    assert refs("trigger=material_change") == {due.reference}
    assert refs("status=draft") == {due.reference, other.reference}
    page = client.get("/impact-assessments/?reassessment_due=true").content.decode()
    assert due.reference in page and other.reference not in page


def test_art_27_fields_save_from_the_form(owner, system):
    data = {
        **ASSESSMENT, "system": system.pk, "trigger": "new_system", "fria_needed": "on",
        "fria_persons": "Loan applicants", "owner": owner.pk, "review_cadence": 365,
    }  # fmt: skip
    response = client_for(owner).post("/impact-assessments/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    record = ImpactAssessment.objects.get()
    assert record.fria_needed and record.fria_persons == "Loan applicants"
    page = client_for(owner).get(f"/impact-assessments/{record.reference}/").content.decode()
    assert "Categories of persons likely affected" in page


# -- demo --------------------------------------------------------------------------------------------------
def test_demo_seeds_once(manager, board, owner, other_owner, auditor):
    from aims import roles
    from lifecycle.demo_assessments import seed_assessments
    from tests.conftest import make_user

    users = {
        "manager": manager, "board": board, "board2": make_user("bianca", roles.BOARD), "owner": owner,
        "owner2": other_owner, "owner3": make_user("otto", roles.OWNER), "auditor": auditor,
    }  # fmt: skip
    assert seed_assessments(users) == 0  # no systems, nothing to assess
    ai_systems.services.create(actor=owner, fields=SYSTEM)
    ai_systems.services.create(actor=other_owner, fields={**SYSTEM, "title": "CV screening (hiring)"})
    assert seed_assessments(users) > 0
    credit = ImpactAssessment.objects.get(system__title=SYSTEM["title"])
    assert credit.status in (Lifecycle.APPROVED, Lifecycle.PUBLISHED) and credit.harms.count() == 3
    assert credit.harms.filter(risk__isnull=False).count() == 1
    assert ImpactAssessment.objects.get(system__title="CV screening (hiring)").status == Lifecycle.DRAFT
    from lifecycle.models import Dataset, ModelVersion

    assert (Dataset.objects.count(), ModelVersion.objects.count()) == (3, 2)
    # the second model version came after the approval: the assessment waits for its reassessment
    credit.refresh_from_db()
    assert credit.reassessment_due
    counts = (ImpactAssessment.objects.count(), Risk.objects.count(), Harm.objects.count())
    assert seed_assessments(users) == 0
    assert counts == (ImpactAssessment.objects.count(), Risk.objects.count(), Harm.objects.count())
    assert AISystem.objects.count() == 2

"""The evidence library's own rules: uploads and their versions, validity, links to records, crosswalks,
reminders, confidentiality per role, and the API."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from guardian.shortcuts import assign_perm
from openpyxl import load_workbook

from aims.models import Crosswalk, Notification, Requirement, Standard
from aims.records import history
from aims.reminders import sweep
from audits.evidence_services import evidence_attach, services
from audits.models import Evidence, EvidenceFile, EvidenceLink
from tests import clock
from tests.audits.conftest import PDF, pdf
from tests.base import client_for

PDF2 = PDF.replace(b"1.4", b"1.7")


def new_form(owner, **extra):
    return {"title": "AI policy sign-off minutes", "kind": "file", "nature": "record", "description": "",
            "url": "", "valid_until": "", "confidentiality": "internal", "origin": "internal",
            "owner": owner.pk, "review_cadence": 365, "next_review_on": "", **extra}  # fmt: skip


# -- uploads and file versions --------------------------------------------------------------------


def test_an_upload_is_hashed_measured_stored_privately_and_kept_as_version_1(owner, private_media):
    response = client_for(owner).post("/evidence/new/", new_form(owner, file=pdf("Board minutes.pdf")))
    assert response.status_code == 302, response.content.decode()[:3000]
    evidence = Evidence.objects.get()
    assert evidence.file_name == "Board minutes.pdf"
    assert evidence.file_sha256 == hashlib.sha256(PDF).hexdigest() and evidence.file_size == len(PDF)
    assert (private_media / evidence.file.name).read_bytes() == PDF
    first = evidence.files.get()
    assert (first.number, first.file_name, first.sha256, first.size) == (1, "Board minutes.pdf",
                                                                          evidence.file_sha256, len(PDF))  # fmt: skip
    assert first.file.name == evidence.file.name and first.uploaded_by == owner


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("minutes.exe", b"MZ\x90\x00", "Files of type &#x27;.exe&#x27; are not accepted"),
        ("minutes.pdf", b"<html><script>alert(1)</script></html>", "not a .pdf file"),
        ("minutes.pdf", PDF + b"x" * 200, "the limit"),
    ],
    ids=["wrong-type", "fake-content", "too-big"],
)
def test_a_bad_upload_is_refused_on_the_file_field_and_nothing_is_saved(
    name, content, message, owner, settings
):
    settings.MAX_UPLOAD_BYTES = len(PDF) + 100
    upload = pdf(name, content)
    response = client_for(owner).post("/evidence/new/", new_form(owner, file=upload))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and 'id="id_file"' in body
    assert not Evidence.objects.exists() and not EvidenceFile.objects.exists()


def test_file_evidence_needs_a_file_and_link_evidence_its_address(owner):
    response = client_for(owner).post("/evidence/new/", new_form(owner))
    assert response.status_code == 400
    assert "Upload the file, or choose kind" in response.content.decode()
    response = client_for(owner).post("/evidence/new/", new_form(owner, kind="link"))
    assert response.status_code == 400 and "A link needs its address." in response.content.decode()
    assert not Evidence.objects.exists()


def test_replacing_the_file_keeps_the_earlier_one_downloadable_and_in_history(make_evidence, owner, auditor):
    evidence = make_evidence(file=pdf("validation v1.pdf"))
    evidence = services.update(
        evidence, actor=owner, expected_version=1, fields={"file": pdf("validation v2.pdf", PDF2)}
    )
    assert list(evidence.files.values_list("number", "file_name")) == [(1, "validation v1.pdf"),
                                                                       (2, "validation v2.pdf")]  # fmt: skip
    assert evidence.file_name == "validation v2.pdf"
    latest = history(evidence).first()
    assert latest.note == "File version 2 uploaded: validation v2.pdf"
    assert {
        "field": "file",
        "label": "File",
        "old": "validation v1.pdf",
        "new": "validation v2.pdf",
    } in latest.changes

    client = client_for(auditor)
    page = client.get(evidence.get_absolute_url()).content.decode()
    assert "Files" in page and f"/evidence/{evidence.reference}/files/1/" in page and "Current" in page
    old = client.get(f"/evidence/{evidence.reference}/files/1/")
    assert old.status_code == 200 and b"".join(old.streaming_content) == PDF
    assert (
        old["Content-Disposition"].startswith("attachment")
        and "validation v1.pdf" in old["Content-Disposition"]
    )
    current = client.get(f"/evidence/{evidence.reference}/file/")
    assert b"".join(current.streaming_content) == PDF2
    assert client.get(f"/evidence/{evidence.reference}/files/3/").status_code == 404


def test_an_edit_without_a_new_file_adds_no_version(make_evidence, owner):
    evidence = make_evidence()
    services.update(evidence, actor=owner, expected_version=1, fields={"title": "Renamed"})
    assert evidence.files.count() == 1


# -- validity -------------------------------------------------------------------------------------


def test_expired_evidence_stops_counting_and_is_flagged_on_list_and_page(make_evidence, owner):
    expired = make_evidence(title="Penetration test 2023", valid_until=clock.today() - dt.timedelta(days=1))
    expiring = make_evidence(title="Supplier certificate", valid_until=clock.today() + dt.timedelta(days=10))
    lasting = make_evidence(title="Risk methodology", valid_until=None)
    assert set(Evidence.objects.current()) == {expiring, lasting}
    assert not expired.is_current() and expired.is_expired() and expiring.is_expiring()

    client = client_for(owner)
    listing = client.get("/evidence/").content.decode()
    assert "Expired</span> " + expired.valid_until.isoformat() in listing
    assert "Expiring</span> " + expiring.valid_until.isoformat() in listing
    page = client.get(expired.get_absolute_url()).content.decode()
    assert "no longer counts as current" in page
    only_expired = client.get("/evidence/?validity=expired").content.decode()
    assert expired.reference in only_expired and lasting.reference not in only_expired
    current = client.get("/evidence/?validity=current").content.decode()
    assert expired.reference not in current and lasting.reference in current
    soon = client.get("/evidence/?validity=expiring").content.decode()
    assert expiring.reference in soon and lasting.reference not in soon


def test_list_filters_by_kind_type_clause_and_attached_record_type(make_evidence, make_risk, owner):
    clause = Requirement.objects.mappable().get(code="6.1.2")
    mapped = make_evidence(title="Risk methodology", nature="document", requirements=[clause])
    link = make_evidence(title="Supplier contract", kind="link")
    evidence_attach(link, make_risk(), actor=owner)
    client = client_for(owner)

    def refs(query):
        return {
            e.reference
            for e in (mapped, link)
            if e.reference in client.get(f"/evidence/?{query}").content.decode()
        }

    assert refs("kind=link") == {link.reference}
    assert refs("nature=document") == {mapped.reference}
    assert refs("serves=iso42001:6.1.2") == {mapped.reference}
    assert refs("linked_type=registers.risk") == {link.reference}
    assert refs("search=methodology") == {mapped.reference}
    assert client.get("/evidence/?linked_type=nonsense").status_code == 200  # bad filter: a message, no 500
    export = client.get("/evidence/?export=csv&kind=link").content.decode()
    assert link.reference in export and mapped.reference not in export


# -- links to records ------------------------------------------------------------------------------


def test_an_owner_attaches_evidence_from_the_risk_page_and_its_history_says_so(
    make_evidence, make_risk, owner
):
    risk, evidence = make_risk(), make_evidence()
    client = client_for(owner)
    tab = client.get(f"/risks/{risk.reference}/?tab=evidence").content.decode()
    assert "No evidence attached" in tab and "Attach existing evidence" in tab
    response = client.post(
        f"/evidence/attach/registers.risk/{risk.reference}/", {"evidence": evidence.reference}
    )
    assert response.status_code == 302 and response["Location"].endswith("?tab=evidence")
    link = EvidenceLink.objects.get()
    assert (link.record, link.evidence, link.linked_by) == (risk, evidence, owner)
    tab = client.get(f"/risks/{risk.reference}/?tab=evidence").content.decode()
    assert evidence.reference in tab and f"/evidence/{evidence.reference}/file/" in tab
    assert history(evidence).first().note == f"Attached to {risk.reference}"
    risk.refresh_from_db()
    assert risk.version == 1  # nobody's open form of the risk goes stale
    again = client.post(
        f"/evidence/attach/registers.risk/{risk.reference}/", {"evidence": evidence.reference}
    )
    assert again.status_code == 302 and EvidenceLink.objects.count() == 1
    detached = client.post(f"/evidence/links/{link.pk}/detach/")
    assert detached.status_code == 302 and not EvidenceLink.objects.exists()


def test_only_people_who_may_change_the_record_attach_to_it(
    make_evidence, make_risk, other_owner, auditor, outsider
):
    risk, evidence = make_risk(), make_evidence()
    url = f"/evidence/attach/registers.risk/{risk.reference}/"
    assert client_for(other_owner).post(url, {"evidence": evidence.reference}).status_code == 403
    assert client_for(auditor).post(url, {"evidence": evidence.reference}).status_code == 403
    assert client_for(outsider).post(url, {"evidence": evidence.reference}).status_code == 404
    assert (
        client_for(auditor)
        .get(f"/risks/{risk.reference}/?tab=evidence")
        .content.decode()
        .count("Attach existing")
        == 0
    )
    assert client_for(other_owner).post("/evidence/attach/aims.user/1/", {"evidence": "x"}).status_code == 404
    assert not EvidenceLink.objects.exists()


def test_new_evidence_uploaded_for_a_record_is_attached_and_serves_its_clauses(make_risk, owner):
    controls = list(Requirement.objects.mappable().filter(code__in=["A.5.4", "6.1.2"]))
    risk = make_risk()
    risk.requirements.set(controls)
    client = client_for(owner)
    url = f"/evidence/new/?for=registers.risk:{risk.reference}"
    form = client.get(url).content.decode()
    assert "New evidence for" in form and risk.reference in form
    data = new_form(owner, title="Fairness test results Q3", file=pdf("fairness.pdf"),
                    requirements=[r.pk for r in controls])  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/risks/{risk.reference}/?tab=evidence"
    evidence = Evidence.objects.get()
    assert set(evidence.requirements.all()) == set(controls)
    assert EvidenceLink.objects.get().record == risk
    bad = client.post(url, new_form(owner, title="No file"))
    assert bad.status_code == 400 and Evidence.objects.count() == 1


# -- crosswalks on the catalogue -------------------------------------------------------------------


@pytest.fixture
def iso27001(db):
    standard = Standard.objects.create(key="isms-test", name="ISO/IEC 27001", title="Information security")
    return Requirement.objects.create(
        standard=standard,
        key="isms-test:7.5",
        code="7.5",
        kind="requirement",
        title="Documented information",
        position=1,
    )


def test_the_requirement_page_lists_evidence_mapped_to_it_and_through_crosswalks(
    make_evidence, iso27001, auditor
):
    ours = Requirement.objects.get(standard__key="iso42001", code="7.5.3")
    other_ours = Requirement.objects.get(standard__key="iso42001", code="7.5.2")
    direct = make_evidence(title="Document control procedure", requirements=[ours])
    crossed = make_evidence(title="ISMS document register", requirements=[iso27001])
    backwards = make_evidence(title="Records retention schedule", requirements=[iso27001])
    Crosswalk.objects.create(source=ours, target=iso27001, strength="related")
    Crosswalk.objects.create(source=iso27001, target=other_ours, strength="related")  # the other direction

    page = client_for(auditor).get(ours.get_absolute_url()).content.decode()
    assert direct.reference in page and crossed.reference in page
    assert "via ISO/IEC 27001 7.5" in page
    assert page.count(f">{direct.reference}</a>") == 1  # not listed again among the plain "records mapped"
    reverse = client_for(auditor).get(other_ours.get_absolute_url()).content.decode()
    assert backwards.reference in reverse and "via ISO/IEC 27001 7.5" in reverse
    assert direct.reference not in reverse


# -- reminders --------------------------------------------------------------------------------------


def test_lapsing_evidence_reminds_its_owner_once_per_period(make_evidence, owner):
    soon = make_evidence(title="Supplier ISO certificate", valid_until=clock.today() + dt.timedelta(days=20))
    make_evidence(
        title="Lasting",
        valid_until=clock.today() + dt.timedelta(days=200),
        next_review_on=clock.today() + dt.timedelta(days=200),
    )
    Notification.objects.all().delete()
    sweep(clock.today())
    first = Notification.objects.filter(user=owner, key__startswith="evidence-")
    assert [n.message for n in first] == [
        f"Evidence {soon.reference} Supplier ISO certificate expires on {soon.valid_until:%Y-%m-%d}: renew it or "
        "replace it, or it stops counting for the requirements it serves."
    ]
    assert sweep(clock.today())["notifications"] == 0  # a second run sends nothing twice
    sweep(clock.today() + dt.timedelta(days=25))  # now lapsed: one more, about the lapse
    assert Notification.objects.filter(user=owner, key__startswith="evidence-expired:").count() == 1
    sweep(clock.today() + dt.timedelta(days=26))
    assert Notification.objects.filter(user=owner, key__startswith="evidence-").count() == 2


# -- confidentiality --------------------------------------------------------------------------------

SEES_CONFIDENTIAL = {"manager": True, "board": True, "owner": True, "other_owner": False, "auditor": True,
                     "outsider": False}  # fmt: skip


@pytest.fixture
def people(manager, board, owner, other_owner, auditor, outsider):
    return {"manager": manager, "board": board, "owner": owner, "other_owner": other_owner, "auditor": auditor,
            "outsider": outsider}  # fmt: skip


@pytest.fixture
def confidential(make_evidence, make_risk, owner):
    clause = Requirement.objects.mappable().get(code="A.6.2.4")
    evidence = make_evidence(title="Credit model validation report", confidentiality="confidential",
                             requirements=[clause])  # fmt: skip
    risk = make_risk()
    evidence_attach(evidence, risk, actor=owner)
    return evidence, risk, clause


@pytest.mark.parametrize("role", list(SEES_CONFIDENTIAL))
def test_confidential_evidence_is_a_404_everywhere_to_those_who_may_not_see_it(role, people, confidential):
    evidence, risk, clause = confidential
    client = client_for(people[role])
    sees = SEES_CONFIDENTIAL[role]
    ref = evidence.reference
    for url in (f"/evidence/{ref}/", f"/evidence/{ref}/file/", f"/evidence/{ref}/files/1/",
                f"/evidence/{ref}/?tab=history", f"/api/v1/evidence/{ref}/"):  # fmt: skip
        assert client.get(url).status_code == (200 if sees else 404), url
    assert (ref in client.get("/evidence/").content.decode()) == sees
    assert (ref in client.get("/evidence/?export=csv").content.decode()) == sees
    sheet = load_workbook(io.BytesIO(client.get("/evidence/?export=xlsx").content)).active
    assert any(row[0] == ref for row in sheet.iter_rows(values_only=True)) == sees
    assert any(r["reference"] == ref for r in client.get("/api/v1/evidence/").json()["results"]) == sees
    if role != "outsider":
        assert (ref in client.get(clause.get_absolute_url()).content.decode()) == sees
        assert (ref in client.get(f"/risks/{risk.reference}/?tab=evidence").content.decode()) == sees


def test_a_view_grant_opens_one_confidential_piece_to_one_person(
    confidential, make_evidence, other_owner, owner
):
    evidence, _, _ = confidential
    other = make_evidence(title="Another confidential report", confidentiality="confidential")
    client = client_for(other_owner)
    assign_perm("audits.view_evidence", other_owner, evidence)
    assert client.get(evidence.get_absolute_url()).status_code == 200
    assert client.get(f"/evidence/{evidence.reference}/file/").status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(f"/evidence/{evidence.reference}/edit/").status_code == 403  # seeing is not changing


def test_others_cannot_attach_confidential_evidence_they_may_not_see(confidential, make_risk, other_owner):
    evidence, _, _ = confidential
    theirs = make_risk(actor=other_owner)
    with pytest.raises(Exception) as exc:
        evidence_attach(evidence, theirs, actor=other_owner)
    assert "cannot attach it" in str(exc.value)
    response = client_for(other_owner).post(
        f"/evidence/attach/registers.risk/{theirs.reference}/", {"evidence": evidence.reference}, follow=True
    )
    assert "that you may see" in response.content.decode()
    assert EvidenceLink.objects.filter(object_id=theirs.pk).count() == 0


# -- API --------------------------------------------------------------------------------------------


def test_api_creates_link_evidence_by_codes_and_refuses_bad_input_naming_the_field(owner):
    client = client_for(owner)
    good = {"title": "OCR supplier contract", "kind": "link", "link": "https://contracts.example.org/ocr",
            "nature": "document", "origin": "external", "requirements": ["A.10.3"], "valid_until": "2027-06-30"}  # fmt: skip
    response = client.post("/api/v1/evidence/", good, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["link"] == good["link"] and body["requirements"] == ["A.10.3"] and body["expired"] is False
    assert body["url"] == f"http://testserver/evidence/{body['reference']}/"  # links are absolute
    before = Evidence.objects.count()
    for bad, field in (
        ({**good, "link": ""}, "link"),
        ({**good, "link": "not a url"}, "link"),
        ({**good, "kind": "folder"}, "kind"),
        ({**good, "valid_until": "next year"}, "valid_until"),
        ({**good, "requirements": ["Z.9"]}, "requirements"),
        ({**good, "kind": "file", "link": ""}, "file"),
        ({**good, "confidentiality": "secret"}, "confidentiality"),
    ):
        response = client.post("/api/v1/evidence/", bad, content_type="application/json")
        assert response.status_code == 400 and field in response.json(), (bad, response.content)
    assert Evidence.objects.count() == before


def test_api_uploads_a_file_as_multipart_and_refuses_a_bad_one(owner):
    client = client_for(owner)
    response = client.post("/api/v1/evidence/", {"title": "Attendance", "kind": "file", "file": pdf("a.pdf")})
    assert response.status_code == 201, response.content
    assert response.json()["file_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert EvidenceFile.objects.get().number == 1
    bad = client.post("/api/v1/evidence/", {"title": "Bad", "kind": "file", "file": pdf("a.exe", b"MZ")})
    assert bad.status_code == 400 and "file" in bad.json()
    assert Evidence.objects.count() == 1


def test_services_refuse_attaching_archived_evidence(make_evidence, make_risk, owner):
    evidence = services.archive(make_evidence(), actor=owner, expected_version=1)
    with pytest.raises(ValidationError) as exc:
        evidence_attach(evidence, make_risk(), actor=owner)
    assert "archived" in str(exc.value)


# -- every record page --------------------------------------------------------------------------------


def test_every_register_but_the_library_itself_has_an_evidence_tab():
    from django.urls import resolve, reverse

    from aims.registry import registry

    for info in registry.registers:
        view = resolve(reverse(info.model.url_name("detail"), args=["X-1"])).func.view_class
        tabs = view().all_tabs({t.name: t for t in registry.record_tabs_for(info.model)})
        assert ("evidence" in tabs) == (info.model is not Evidence), info.model
        assert tabs[-1] == "history"


def test_a_plain_register_page_shows_its_evidence_tab(make_evidence, owner, auditor):
    from registers.standard.context_issues import services as issues

    issue = issues.create(
        actor=owner, fields={"title": "New EU AI Act guidance on credit scoring", "side": "external",
                             "category": "legal"},
    )  # fmt: skip
    evidence = make_evidence(title="Regulatory horizon scan")
    evidence_attach(evidence, issue, actor=owner)
    page = client_for(auditor).get(f"{issue.get_absolute_url()}?tab=evidence").content.decode()
    assert 'aria-current="page">Evidence</a>' in page and evidence.reference in page
    assert "Attach existing evidence" not in page  # auditors read; they do not attach

"""Raising improvement records where a problem shows: a nonconformity from an AI incident (page and API)
or a KPI in breach, a preventive action from an AI risk; each linked both ways."""

from aims.records import history
from reviews.models import Nonconformity, PreventiveAction
from tests.base import client_for

from .conftest import days


def test_raise_from_an_incident_on_its_page_prefilled_and_linked_both_ways(make_incident, owner, auditor):
    incident = make_incident()
    client = client_for(owner)
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert "Raise a nonconformity" in page and "No nonconformity raised" in page
    response = client.post(
        f"/incidents/{incident.reference}/raise-nonconformity/",
        {"version": incident.version, "grade": "major", "requirements": "8.1, A.6.2.6"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/incidents/{incident.reference}/")
    nc = Nonconformity.objects.get()
    assert nc.incident == incident and nc.source == "incident" and nc.grade == "major"
    assert nc.description == incident.description and nc.containment == incident.containment
    assert sorted(nc.requirements.values_list("code", flat=True)) == ["8.1", "A.6.2.6"]
    assert history(nc).first().actor == owner
    note = history(incident).first()
    assert note.note == f"Nonconformity {nc.reference} raised." and note.actor == owner
    shown = client_for(auditor).get(f"/incidents/{incident.reference}/").content.decode()
    assert nc.reference in shown and "Major" in shown


def test_raise_from_an_incident_through_the_api(make_incident, owner):
    incident = make_incident()
    client = client_for(owner)
    url = f"/api/v1/incidents/{incident.reference}/raise-nonconformity/"
    bad = client.post(url, {"version": incident.version, "grade": "major", "requirements": "8.1 Z.9"},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "Z.9" in str(bad.json()["requirements"])
    no_grade = client.post(
        url, {"version": incident.version, "requirements": "8.1"}, content_type="application/json"
    )
    assert no_grade.status_code == 400 and "grade" in no_grade.json()
    assert not Nonconformity.objects.exists()
    ok = client.post(url, {"version": incident.version, "grade": "minor", "requirements": "8.1",
                           "description": "The feed had no freshness check."}, content_type="application/json")  # fmt: skip
    assert ok.status_code == 200 and ok.json()["version"] == incident.version + 1
    listed = client.get(f"/api/v1/nonconformities/?incident={incident.reference}").json()["results"]
    assert [r["description"] for r in listed] == ["The feed had no freshness check."]


def test_who_may_raise_from_an_incident(make_incident, auditor, board):
    incident = make_incident()
    for person in (auditor, board):
        page = client_for(person).get(f"/incidents/{incident.reference}/").content.decode()
        assert "raise-nonconformity/" not in page
        response = client_for(person).post(
            f"/api/v1/incidents/{incident.reference}/raise-nonconformity/",
            {"version": incident.version, "grade": "major", "requirements": "8.1"},
            content_type="application/json",
        )
        assert response.status_code == 403
    assert not Nonconformity.objects.exists()


def test_raise_from_a_kpi_in_breach(breached_kpi, owner):
    client = client_for(owner)
    assert "raise-nonconformity/" in client.get(f"/kpis/{breached_kpi.reference}/").content.decode()
    response = client.post(
        f"/api/v1/kpis/{breached_kpi.reference}/raise-nonconformity/",
        {"version": breached_kpi.version, "grade": "minor", "requirements": "9.1"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    nc = Nonconformity.objects.get()
    assert nc.kpi == breached_kpi and nc.source == "kpi" and nc.measurement.value == 93.5
    assert "93.5 %" in nc.description
    assert nc.reference in client.get(f"/kpis/{breached_kpi.reference}/").content.decode()


def test_a_kpi_on_target_offers_no_nonconformity(breached_kpi, owner):
    from lifecycle.standard.kpis.services import record_measurement

    record_measurement(breached_kpi, actor=owner, value="99", source="ui")
    breached_kpi.refresh_from_db()
    assert (
        "raise-nonconformity/"
        not in client_for(owner).get(f"/kpis/{breached_kpi.reference}/").content.decode()
    )
    response = client_for(owner).post(
        f"/api/v1/kpis/{breached_kpi.reference}/raise-nonconformity/",
        {"version": breached_kpi.version, "grade": "minor", "requirements": "9.1"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "not in breach" in str(response.json())
    assert not Nonconformity.objects.exists()


def test_a_preventive_action_from_a_risk_page_and_api(make_risk, owner):
    risk = make_risk()
    client = client_for(owner)
    assert "Raise a preventive action" in client.get(f"/risks/{risk.reference}/").content.decode()
    response = client.post(
        f"/risks/{risk.reference}/raise-preventive-action/",
        {"version": risk.version, "description": "Quarterly back-test.", "due_on": days(30).isoformat()},
    )
    assert response.status_code == 302
    pa = PreventiveAction.objects.get()
    assert pa.risk == risk and pa.source == "risk" and pa.owner == owner and pa.due_on == days(30)
    assert history(risk).first().note == f"Preventive action {pa.reference} raised."
    risk.refresh_from_db()
    bad = client.post(
        f"/api/v1/risks/{risk.reference}/raise-preventive-action/",
        {"version": risk.version, "description": "x", "due_on": "soon"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "due_on" in bad.json()
    assert PreventiveAction.objects.count() == 1


def test_feedback_triaged_into_a_complaint_nonconformity(owner, manager):
    from reviews.standard.feedback import services

    item = services.create(actor=owner, fields={"title": "Rude chatbot", "channel": "phone",
                                                "received_on": days(0), "summary": "It was rude."})  # fmt: skip
    client = client_for(manager)
    url = f"/api/v1/feedback/{item.reference}/triage/"
    missing = client.post(url, {"version": 1, "outcome": "nonconformity", "reason": "Tone rules broken",
                                "grade": "minor"}, content_type="application/json")  # fmt: skip
    assert missing.status_code == 400 and "requirements" in missing.json()
    response = client.post(url, {"version": 1, "outcome": "nonconformity", "reason": "Tone rules broken",
                                 "grade": "minor", "requirements": "A.8.3"}, content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    nc = Nonconformity.objects.get()
    assert response.json()["nonconformity"] == nc.reference
    assert nc.source == "complaint" and list(nc.feedback.all()) == [item]  # linked, both ways
    again = client.post(
        url, {"version": 2, "outcome": "no_action", "reason": "r"}, content_type="application/json"
    )
    assert again.status_code == 400
    refused = client_for(owner).post(url, {"version": 2, "outcome": "no_action", "reason": "r"},
                                     content_type="application/json")  # fmt: skip
    assert refused.status_code == 403


def test_feedback_triaged_on_the_page_into_a_lesson_or_no_action(owner, manager):
    from reviews.models import Feedback, Lesson
    from reviews.standard.feedback import services

    def feedback(title):
        return services.create(actor=owner, fields={"title": title, "channel": "email", "received_on": days(-1),
                                                    "summary": "Please explain declines."})  # fmt: skip

    first, second = feedback("Explain declines"), feedback("Thanks for the call")
    client = client_for(manager)
    assert "Triage" in client.get(f"/feedback/{first.reference}/").content.decode()
    client.post(f"/feedback/{first.reference}/triage/",
                {"version": 1, "outcome": "lesson", "reason": "Decline letters must say why."})  # fmt: skip
    client.post(f"/feedback/{second.reference}/triage/",
                {"version": 1, "outcome": "no_action", "reason": "A thank-you; nothing to change."})  # fmt: skip
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.outcome == "lesson" and first.lesson == Lesson.objects.get()
    assert first.lesson.learned == "Decline letters must say why."
    assert second.outcome == "no_action" and second.lesson is None and second.nonconformity is None
    assert history(second).first().note == "A thank-you; nothing to change."
    assert Feedback.objects.filter(outcome="pending").count() == 0


def test_the_page_picks_requirements_from_the_picker_and_the_api_takes_a_list(make_incident, owner):
    """The form draws the requirement picker (options by code, grouped by clause); what it posts (one value
    per chosen requirement) raises the nonconformity with each, and the API takes codes as a list too."""
    import re

    incident = make_incident()
    client = client_for(owner)
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    picker = re.search(r'<select name="requirements"[^>]*data-picker="requirements"[^>]*>', page)
    assert picker and "multiple" in picker.group(0), page[page.find("raise-nonconformity") :][:800]
    assert '<option value="A.6.2.6">A.6.2.6 ' in page and "<optgroup" in page
    response = client.post(
        f"/incidents/{incident.reference}/raise-nonconformity/",
        {"version": incident.version, "grade": "major", "requirements": ["8.1", "A.6.2.6"]},
    )
    assert response.status_code == 302
    nc = Nonconformity.objects.get()
    assert sorted(nc.requirements.values_list("code", flat=True)) == ["8.1", "A.6.2.6"]

    other = make_incident()
    made = client.post(
        f"/api/v1/incidents/{other.reference}/raise-nonconformity/",
        {"version": other.version, "grade": "minor", "requirements": ["9.1", "A.6.2.6"]},
        content_type="application/json",
    )
    assert made.status_code == 200, made.content
    raised = Nonconformity.objects.get(incident=other)
    assert sorted(raised.requirements.values_list("code", flat=True)) == ["9.1", "A.6.2.6"]

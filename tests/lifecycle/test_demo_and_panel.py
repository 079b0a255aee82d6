"""Demo AI systems and the dashboard's AI systems panel."""

from django.core.management import call_command

from aims.records import history
from lifecycle import eu_ai_act
from lifecycle.demo_systems import seed_systems
from lifecycle.models import AISystem
from tests.base import client_for


def _users():
    from aims.models import User

    return {u.username: u for u in User.objects.all()}


def test_five_demo_systems_at_different_stages_and_tiers(db):
    call_command("seed_demo", verbosity=0)  # seeds the life cycle too (lifecycle.demo_all)
    users = _users()
    systems = {s.title: s for s in AISystem.objects.all()}
    assert len({s.stage for s in systems.values()}) >= 4
    credit = systems["Credit scoring (Northbank Score v3)"]
    assert credit.eu_tier == "high" and credit.stage == "operation"
    for system in systems.values():  # every question answered by the owner, confirmed by the board
        if system.eu_tier != "unclassified":
            assert system.classification_status == "confirmed" and system.classified_by == users["board"]
            assert system.eu_classification["answered_by"] == str(system.owner) != str(system.classified_by)
            assert set(system.eu_classification["answers"]) == set(eu_ai_act.question_keys())
    assert {"Art. 49(1)", "Art. 4"} <= set(credit.eu_classification["articles"])
    assert systems["Customer-support chatbot (Ask Northbank)"].eu_tier == "limited"
    assert systems["Loan document OCR"].eu_tier == "unclassified" and systems["Loan document OCR"].supplier
    assert len(systems) == 5
    notes = [c.note for c in history(credit).order_by("version")]  # obligations follow the confirmation
    confirmed = next(i for i, n in enumerate(notes) if n.startswith("EU AI Act classification confirmed"))
    assert notes[confirmed + 1].startswith("EU AI Act: 15 provider obligations")
    assert systems["CV screening (hiring)"].supplier.title == "TalentRank screening"
    assert seed_systems(users) == 0


def test_the_panel_counts_systems_by_stage_and_tier_with_links(db, django_assert_max_num_queries):
    call_command("seed_demo", verbosity=0)
    users = _users()
    seed_systems(users)
    client = client_for(users["board"])
    with django_assert_max_num_queries(6):
        page = client.get("/dashboard/panels/systems_panel/").content.decode()
    assert 'href="/systems/?in_scope=true&amp;stage=operation&amp;eu_tier=high">1</a>' in page
    assert "AI systems in scope" in page and "/systems/priority/" in page


def test_an_empty_inventory_panel_says_what_to_do(board):
    page = client_for(board).get("/dashboard/panels/systems_panel/").content.decode()
    assert "No AI system recorded yet" in page


def test_the_dossier_pdf_traces_the_system(db, tmp_path):
    import subprocess

    from aims.models import Job
    from lifecycle.dossier import KIND, system_dossier_pdf

    call_command("seed_demo", verbosity=0)
    users = _users()
    seed_systems(users)
    credit = AISystem.objects.get(title="Credit scoring (Northbank Score v3)")
    response = client_for(users["auditor"]).post(f"/systems/{credit.reference}/dossier/")
    job = Job.objects.get(kind=KIND)
    assert response.status_code == 302 and job.params == {"reference": credit.reference}
    name, data = system_dossier_pdf(job, lambda p: None)
    pdf = tmp_path / name
    pdf.write_bytes(data)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "System dossier" in text and credit.reference in text and "High-risk (Art. 6)" in text
    assert "Postcode acts as a proxy" in text  # a demo risk that names the system
    assert "No gate reviews yet." in text or "Stage gates" in text
    # The same facts as the system's page: every record of every section the page shows is in the
    # dossier, those added by later apps (audits that covered it, nonconformities) included.
    from aims.links import relations_for

    shown = {relation.label: list(relation.records(credit)) for relation in relations_for(AISystem)}
    assert shown["Audits that covered it"] and shown["AI risks"]
    for label, records in shown.items():
        missing = [r.reference for r in records if r.reference not in text]
        assert not missing, (label, missing)

from django.core.management import call_command

from aims.records import history
from registers.models import ContextIssue, InterestedParty, Objective, Obligation, Opportunity, PlannedChange


def test_demo_covers_the_context_and_planning_registers_once(db):
    call_command("seed_demo", verbosity=0)
    counts = {
        m: m.objects.count()
        for m in (ContextIssue, InterestedParty, Obligation, Opportunity, Objective, PlannedChange)
    }
    assert all(counts.values()), counts
    assert ContextIssue.objects.filter(climate_relevant=True).exists()
    assert ContextIssue.objects.filter(risks__isnull=False).exists()
    assert Obligation.objects.filter(applicability="not_applicable").exclude(applicability_note="").exists()
    approved = PlannedChange.objects.get(status="approved")
    assert approved.approved_by.has_role("Governance board") and approved.approved_by != approved.owner
    assert history(approved).first().note.startswith("Approved")
    assert Opportunity.objects.filter(objectives__isnull=False).exists()
    call_command("seed_demo", verbosity=0)
    assert counts == {m: m.objects.count() for m in counts}

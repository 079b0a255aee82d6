from django.core.management import call_command

from aims.records import history
from registers.models import ContextIssue, InterestedParty, Objective, Obligation, Opportunity, PlannedChange


def test_demo_covers_the_context_and_planning_registers_once(demo, db):
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


def test_demo_scope_policies_and_readiness_show_versions_acknowledgements_and_progress(demo, db):
    from aims import publishing
    from registers import readiness
    from registers.models import (
        Acknowledgement,
        ImplementationAction,
        Policy,
        ReadinessAssessment,
        ScopeStatement,
    )

    scope = ScopeStatement.objects.get()
    assert scope.status == "published" and scope.version_number == 2
    assert publishing.published_version(scope).number == 2
    statuses = dict(Policy.objects.values_list("kind", "status"))
    assert statuses["ai_policy"] == "published" and statuses["acceptable_use"] == "in_review"
    ai_policy = Policy.objects.get(kind="ai_policy")
    acks = Acknowledgement.objects.filter(policy=ai_policy)
    assert (
        acks.filter(acknowledged_at__isnull=False).count() == 2
        and acks.filter(acknowledged_at__isnull=True).exists()
    )
    first, second = ReadinessAssessment.objects.order_by("assessed_on")
    assert readiness.readiness_percent(second) > readiness.readiness_percent(first)
    assert ImplementationAction.objects.filter(status="done").count() == 6
    assert ImplementationAction.objects.filter(status="open").exists()
    call_command("seed_demo", verbosity=0)
    assert ScopeStatement.objects.count() == 1 and ReadinessAssessment.objects.count() == 2

"""The Northbank Credit demo (seed_demo): its people, risks and history, a second run that adds
nothing, and a report of every kind to time. Seeded once for the module (tests.conftest.demo)."""

import pytest
from django.utils import timezone

from aims import roles
from aims.models import Change, Notification, User
from aims.records import history
from registers.models import Risk, RiskCategory, RiskCriteria
from tests.registers.test_seed import run, usernames

pytestmark = pytest.mark.django_db


# -- seed_demo ----------------------------------------------------------------------------------------
def test_demo_has_a_named_user_for_every_role_who_can_sign_in(demo):
    assert usernames(roles.MANAGER) == {"manager"}
    assert usernames(roles.BOARD) == {"board", "board2"}
    assert usernames(roles.OWNER) == {"owner", "owner2", "owner3"}
    assert usernames(roles.AUDITOR) == {"auditor"}
    sofia = User.objects.get(username="owner2")
    assert str(sofia) == "Sofia Marin" and sofia.email == "sofia.marin@northbank.example"
    assert sofia.check_password("aims-demo-2026")


def test_demo_risks_cover_every_level_category_and_source(demo):
    risks = list(Risk.objects.prefetch_related("requirements"))
    criteria = RiskCriteria.current()
    assert 25 <= len(risks) <= 35
    assert {criteria.level(r.residual_score).name for r in risks} == {"Low", "Medium", "High", "Critical"}
    assert {r.category.slug for r in risks} == set(RiskCategory.objects.values_list("slug", flat=True))
    assert {r.risk_source for r in risks} == {code for code, _ in Risk.RiskSource.choices}
    # Every demo risk names a system of the inventory, linked (lifecycle.system_links), or is AIMS-wide.
    systems = " ".join({s.title for r in risks for s in r.systems.all()})
    for system in ("Credit scoring", "Fraud detection", "chatbot", "CV screening", "OCR"):
        assert system in systems
    assert not any(r.system_note for r in risks), [r.system_note for r in risks if r.system_note]
    assert all(r.requirements.all() for r in risks), "every demo risk links clauses or controls"
    postcode = next(r for r in risks if "Postcode" in r.title)
    assert {"A.5.4", "A.7.4", "6.1.2"} <= {req.code for req in postcode.requirements.all()}


def test_demo_has_overdue_accepted_and_above_appetite_risks(demo):
    today = timezone.localdate()
    overdue = Risk.objects.filter(next_review_on__lt=today)
    assert overdue.count() >= 3
    assert sum((today - r.next_review_on).days > 30 for r in overdue) >= 2

    accepted = list(Risk.objects.filter(status=Risk.Status.ACCEPTED).select_related("accepted_by"))
    assert len(accepted) >= 4
    assert all(r.accepted_by_id and r.accepted_by_id != r.owner_id for r in accepted), "never one's own"
    acceptors = {r.accepted_by.username for r in accepted}
    assert acceptors & {"board", "board2"} and acceptors & {"owner", "owner2", "owner3"}
    appetite = RiskCriteria.current().appetite_max
    for risk in accepted:  # an owner accepts only within the appetite
        if risk.accepted_by.username.startswith("owner"):
            assert risk.residual_score <= appetite

    above = Risk.objects.filter(residual_score__gt=appetite)
    assert above.count() >= 5 and above.exclude(status=Risk.Status.ACCEPTED).exists()
    board = User.objects.get(username="board")
    assert Notification.objects.filter(user=board, kind=Notification.Kind.ABOVE_APPETITE).count() >= 5


def test_demo_history_is_written_by_the_services(demo):
    reassessed = Risk.objects.get(title__startswith="OCR misreads income")
    changes = list(history(reassessed).order_by("version"))
    # Created naming its system in text, reassessed, and linked once the inventory holds the system.
    assert [c.action for c in changes] == ["created", "updated", "updated"]
    updates = {frozenset(c["field"] for c in change.changes) for change in changes[1:]}
    assert updates == {
        frozenset({"systems", "system_note"}),
        frozenset({"residual_likelihood", "residual_impact"}),
    }
    accepted = Risk.objects.get(title__startswith="Solely automated credit declines")
    assert history(accepted).get(action="accepted").actor.username == "owner2"


def test_running_the_demo_twice_creates_nothing_new(demo):
    before = [m.objects.count() for m in (User, Risk, Change, Notification)]
    out = run("seed_demo")
    assert [m.objects.count() for m in (User, Risk, Change, Notification)] == before
    assert "0 new users, 0 new risks" in out


def test_print_logins_shows_users_roles_and_the_demo_password(demo):
    out = run("seed_demo", "--print-logins")
    for username in ("manager", "board", "board2", "owner", "owner2", "owner3", "auditor"):
        assert f"\n{username} " in out
    assert "Governance board" in out and "Helen Fairweather" in out
    assert "aims-demo-2026" in out and "demo only" in out


def test_bench_measures_every_pdf_report_of_the_demo(demo):
    """`bench --only reports` times each report of the demo against 1 s: a new kind of report is measured
    as soon as it is registered, and the demo holds a record for every report of one record."""
    from aims.registry import registry
    from reviews import bench as report_bench

    kinds = report_bench.reports(registry.job_runners)
    samples = report_bench.samples()
    assert "risk_register_pdf" in kinds and "evidence_pack" not in kinds and "risk_import" not in kinds
    assert set(kinds) == set(samples)
    assert all(params is not None for params in samples.values()), samples

"""The demo management review: held, signed off by a board member who did not chair it, inputs frozen
from the demo registers, four actions (one done, one overdue), the next review planned; idempotent."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from aims.records import history
from reviews.demo_review import HELD_TITLE, NEXT_TITLE
from reviews.models import ManagementReview, ReviewAction

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_signed_off_review_with_frozen_inputs_and_actions_and_the_next_one_planned():
    call_command("seed_demo", stdout=io.StringIO())
    held = ManagementReview.objects.get(title=HELD_TITLE)
    assert held.status == "signed_off" and held.signed_off_by.username == "board2"
    assert held.chair.username == "board" and held.owner.username == "manager"
    assert held.attendees_present.count() == 6

    sections = {s["key"]: s for s in held.current_inputs.sections}
    # Compiled from the demo registers: its KPIs with a year of measurements, its risks above the appetite.
    assert len(sections["monitoring"]["items"]) >= 4 and "falling (worsening)" in str(sections["monitoring"])
    assert any("above appetite" in i["detail"] for i in sections["risks"]["items"])
    # The Check and Act registers fill their sections too (the demo's records date from the seed's day).
    for key in ("nonconformities", "audit_results", "feedback"):
        assert sections[key]["available"] is True and sections[key]["summary"]
    assert [a.action for a in reversed(history(held))] == ["created", "updated", "updated", "approved"]

    actions = list(held.actions.all())
    today = timezone.localdate()
    assert len(actions) == 4
    assert [a.status for a in actions].count("done") == 1
    assert [a.reference for a in actions if a.is_overdue(today)] == [
        a.reference for a in actions if a.kind == "resources"
    ]

    upcoming = ManagementReview.objects.get(title=NEXT_TITLE)
    assert upcoming.status == "planned" and upcoming.scheduled_on > today

    counts = (ManagementReview.objects.count(), ReviewAction.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (ManagementReview.objects.count(), ReviewAction.objects.count()) == counts == (2, 4)

"""The demo audit cycle: a programme for this year, one audit closed with its findings answered by their
owners, one in fieldwork whose finding waits for Sofia Marin (who was told), one planned; a second run
creates nothing."""

from django.core.management import call_command
from django.utils import timezone

from aims.models import Notification, User
from audits.demo_audits import DONE_TITLE, FIELDWORK_TITLE, PLANNED_TITLE, seed_audits
from audits.models import Audit, AuditProgramme, Finding
from tests.base import client_for


def test_the_demo_has_one_completed_cycle(db):
    call_command("seed_demo", verbosity=0)
    users = {u.username: u for u in User.objects.all()}
    programme = AuditProgramme.objects.get(year=timezone.localdate().year)
    assert programme.items.count() >= 8 and programme.items.filter(override_reason__gt="").exists()
    done, planned = Audit.objects.get(title=DONE_TITLE), Audit.objects.get(title=PLANNED_TITLE)
    assert (done.status, planned.status) == ("closed", "planned")
    assert done.checklist.count() >= 5 and not done.checklist.filter(result="").exists()
    grades = dict(Finding.objects.filter(audit=done).values_list("grade", "owner__username"))
    assert grades == {"minor_nc": "owner", "observation": "owner", "ofi": "manager"}
    assert all(f.response and f.answered_by == f.owner for f in Finding.objects.filter(audit=done))
    fieldwork = Audit.objects.get(title=FIELDWORK_TITLE)
    waiting = Finding.objects.get(audit=fieldwork)
    assert (fieldwork.status, waiting.status, waiting.owner.username) == ("in_progress", "open", "owner2")
    assert Notification.objects.filter(user=waiting.owner, key=f"finding-raised:{waiting.pk}").exists()
    assert seed_audits(users) == 0
    page = client_for(users["board"]).get(f"/audits/{done.reference}/").content.decode()
    assert "Minor nonconformity" in page and "Opportunity for improvement" in page

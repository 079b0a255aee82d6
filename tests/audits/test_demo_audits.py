"""The demo audit cycle: a programme for this year, one audit closed with its findings answered by their
owners, one in fieldwork whose finding waits for Sofia Marin (who was told), one planned; the
certification body's stage 1 and stage 2 audits and the certificate; a second run creates nothing."""

from django.core.management import call_command
from django.utils import timezone

from aims.models import Notification, User
from audits.certification_checks import internal_audits
from audits.demo_audits import DONE_TITLE, FIELDWORK_TITLE, PLANNED_TITLE, seed_audits
from audits.demo_certification import BODY, BODY_AUDITOR, STAGE_1, STAGE_2, seed_certification
from audits.models import Audit, AuditProgramme, Certificate, Finding
from audits.programme import coverage
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
    assert seed_audits(users) == 0 and seed_certification(users) == 0
    page = client_for(users["board"]).get(f"/audits/{done.reference}/").content.decode()
    assert "Minor nonconformity" in page and "Opportunity for improvement" in page
    _the_certification(users, programme)


def _the_certification(users, programme):
    """A named certification body's stage 1 and stage 2 audits, the certificate the second granted with its
    expiry, the body's minor finding raised as a nonconformity, and a cycle with real gaps (9.2.2)."""
    stage_1, stage_2 = Audit.objects.get(title=STAGE_1), Audit.objects.get(title=STAGE_2)
    assert (stage_1.certification_body, stage_1.outcome, stage_1.status) == (
        BODY,
        "ready_for_stage_2",
        "closed",
    )
    assert (stage_2.stage, stage_2.outcome, stage_2.body_auditor) == ("stage_2", "recommended", BODY_AUDITOR)
    certificate = Certificate.objects.get(granted_by=stage_2)
    assert certificate.current_status() == "valid" and certificate.expires_on > timezone.localdate()
    assert certificate.audits.get().stage == "surveillance"
    minor = Finding.objects.get(audit=stage_2, grade="minor_nc")
    assert minor.nonconformities.get().audit == stage_2
    found = coverage(programme)
    assert 0 < found["counts"]["not_reached"] < found["total"] and found["counts"]["audited"] > 0
    readiness = internal_audits(timezone.localdate())
    assert readiness.status == "partial" and "7.4" in dict(readiness.links)

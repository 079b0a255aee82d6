"""The auditee is told (9.2.2): a finding raised on their record notifies them at once in the app and in
their next email digest, reminds them every two weeks while it waits for their answer -- never twice for
one period, never with a review reminder as well -- and waits on their dashboard under "Findings to
answer"."""

import datetime as dt

from django.core import mail
from django.utils import timezone

from aims.models import Notification
from aims.reminders import sweep
from audits import checklist
from audits.models import Finding
from audits.reminders import ANSWER_WITHIN_DAYS
from audits.services import answer_finding
from tests.base import client_for


def _raise(audit, auditor, auditee, result="minor_nc"):
    checklist.generate(audit, actor=auditor)
    item = audit.checklist.first()
    checklist.save_item(item, actor=auditor, expected_version=item.version, question=item.question,
                        result=result, notes="The risk register was not reviewed after the model changed.",
                        auditee=auditee)  # fmt: skip
    return Finding.objects.get(checklist_item=item)


def test_the_auditee_is_notified_in_the_app_and_in_the_next_digest_once(make_audit, auditor, owner):
    finding = _raise(make_audit(), auditor, owner)

    note = Notification.objects.get(user=owner)
    assert note.kind == Notification.Kind.FINDING_RAISED and note.url == finding.get_absolute_url()
    assert finding.reference in note.message and finding.audit.reference in note.message
    assert not Notification.objects.filter(user=auditor, kind=Notification.Kind.FINDING_RAISED).exists()
    assert mail.outbox == []  # the digest carries it, not a mail of its own
    notifications_page = client_for(owner).get("/notifications/").content.decode()
    assert finding.reference in notifications_page

    result = sweep(timezone.localdate())

    assert result["emails"] == 1 and [m.to for m in mail.outbox] == [[owner.email]]
    body = mail.outbox[0].body
    assert finding.reference in body and finding.get_absolute_url() in body
    note.refresh_from_db()
    assert note.emailed_at is not None and not note.email_pending
    sweep(timezone.localdate())
    assert len(mail.outbox) == 1  # told once
    # Recording the item again (a new wording) does not tell the auditee again.
    item = finding.checklist_item
    checklist.save_item(item, actor=auditor, expected_version=item.version, question=item.question,
                        result="major_nc", notes="Worse than first thought.", auditee=owner)  # fmt: skip
    assert Notification.objects.filter(user=owner).count() == 1


def test_a_new_auditee_is_told_too(make_audit, auditor, owner, other_owner):
    finding = _raise(make_audit(), auditor, owner)
    item = finding.checklist_item
    checklist.save_item(item, actor=auditor, expected_version=item.version, question=item.question,
                        result="minor_nc", notes=item.notes, auditee=other_owner)  # fmt: skip
    assert Notification.objects.filter(user=other_owner, key=f"finding-raised:{finding.pk}").exists()


def test_an_unanswered_finding_reminds_every_period_and_never_doubles(make_audit, auditor, owner):
    finding = _raise(make_audit(), auditor, owner)
    sweep(timezone.localdate())  # the raise itself goes out
    mail.outbox.clear()
    # Its review is due as well: the open finding reminds its auditee to answer, not to review it.
    Finding.objects.filter(pk=finding.pk).update(next_review_on=timezone.localdate())
    today = timezone.localdate()
    raised = timezone.now() - dt.timedelta(days=ANSWER_WITHIN_DAYS + 1)
    Finding.objects.filter(pk=finding.pk).update(created_at=raised)

    sweep(today)
    sweep(today)

    reminders = Notification.objects.filter(user=owner).exclude(key__startswith="finding-raised")
    assert [n.key for n in reminders] == [f"finding-unanswered:{finding.pk}:1"]
    assert "waited 15 days for your answer" in reminders[0].message
    assert len(mail.outbox) == 1 and finding.reference in mail.outbox[0].body
    sweep(today + dt.timedelta(days=ANSWER_WITHIN_DAYS))  # still unanswered two weeks on: reminded again
    assert Notification.objects.filter(user=owner, key=f"finding-unanswered:{finding.pk}:2").exists()

    answer_finding(finding, actor=owner, expected_version=finding.version, response="Agreed.")
    sweep(today + dt.timedelta(days=3 * ANSWER_WITHIN_DAYS))
    keys = set(Notification.objects.filter(user=owner).values_list("key", flat=True))
    assert not any(k.startswith(f"finding-unanswered:{finding.pk}:3") for k in keys)  # answered: no more
    assert f"review:audits.finding:{finding.pk}:{today.isoformat()}" in keys  # its review, once answered


def test_the_auditees_dashboard_lists_the_findings_to_answer(make_audit, auditor, owner, other_owner):
    from tests.base import dashboard_html

    finding = _raise(make_audit(), auditor, owner)
    page = dashboard_html(client_for(owner))
    assert "Findings waiting for your answer" in page and 'data-count="1"' in page
    assert f'<a href="{finding.get_absolute_url()}">{finding.reference}</a>' in page
    listing_url = "/findings/?mine=true&amp;status=open"
    assert listing_url in page
    listing = client_for(owner).get(listing_url.replace("&amp;", "&")).content.decode()
    assert finding.reference in listing and "1 audit finding" in listing  # the list behind the count
    assert "Findings to answer" not in dashboard_html(client_for(other_owner))

"""The improvement part of the demo organisation (10.1, 10.2), written through the services so history
is real: a major nonconformity from the serious bureau-data incident taken through five whys, done
actions and an effective check to closure; a minor one from the chatbot KPI breach still open with an
overdue action; a preventive action from the credit drift risk; three lessons; two pieces of feedback.
Entered in the demo ledger (aims.demo), so a second run creates nothing and leaves what people did alone."""

import datetime as dt

from django.utils import timezone

from aims import demo
from audits.models import Audit, Finding
from lifecycle.models import KPI, Incident
from registers.models import InterestedParty, Risk

from .improvement import (
    add_action,
    ca_services,
    check_effectiveness,
    complete_action,
    start_corrective_action,
)
from .models import CorrectiveAction, Feedback, ImprovementAction, Lesson, Nonconformity, PreventiveAction
from .raising import nc_from_finding, nc_from_incident, nc_from_kpi, pa_from_risk
from .standard.feedback import services as feedback_services
from .standard.feedback import triage
from .standard.lessons import services as lesson_services

BUREAU_INCIDENT = "Stale bureau data declined 312 credit applicants"
CHATBOT_KPI = "Chatbot grounded-answer rate"
DRIFT_RISK = "Credit scores drift as interest rates and living costs change"
BUREAU_CA = "Bureau feed freshness monitoring"
CHATBOT_CA = "Catalogue grounding after product changes"
RELEASE_CA = "Block model release until the fairness evaluation is filed"

WHYS = {
    "why_1": "Why were 312 applicants declined wrongly?",
    "because_1": "The credit model scored them on bureau files up to a month old.",
    "why_2": "Why were the files a month old?",
    "because_2": "A bureau delivery failed and the previous files stayed in use.",
    "why_3": "Why did nobody notice for two days?",
    "because_3": "The pipeline checks that a file arrives, not how old its records are.",
    "why_4": "Why does the pipeline not check freshness?",
    "because_4": "Freshness was never written into the supplier data requirements.",
    "cause_category": "data",
}


def _bureau_nc(users) -> int:
    incident = demo.find(Incident, BUREAU_INCIDENT)
    if incident is None or Nonconformity.objects.filter(incident=incident).exists():
        return 0
    if not demo.first_time("reviews:bureau-nonconformity"):
        return 0
    owner, manager = users["owner"], users["manager"]
    incident = nc_from_incident(
        incident,
        actor=owner,
        expected_version=incident.version,
        grade="major",
        requirements="8.1 A.7.4 A.10.3",
    )
    nc = Nonconformity.objects.get(incident=incident)
    nc = start_corrective_action(nc, actor=owner, expected_version=nc.version, title=BUREAU_CA)
    ca = CorrectiveAction.objects.get(nonconformity=nc)
    ca = ca_services.update(
        ca, actor=owner, expected_version=ca.version, fields={**WHYS, "check_after_days": 7}
    )
    today = timezone.localdate()
    for text, days in (
        ("Reject bureau files whose newest record is older than 48 hours", -10),
        ("Add data freshness to the bureau's data requirements and contract schedule", -9),
    ):
        ca = add_action(ca, actor=owner, expected_version=ca.version, description=text, owner="owner",
                        due_on=(today + dt.timedelta(days=days)).isoformat())  # fmt: skip
    for number in (1, 2):
        ca = complete_action(ca, actor=owner, expected_version=ca.version, action=str(number))
    # The demo's past: the actions were done eight days ago, so the seven-day check is due today.
    done_on = today - dt.timedelta(days=8)
    CorrectiveAction.objects.filter(pk=ca.pk).update(actions_done_on=done_on)
    ImprovementAction.objects.filter(corrective_action=ca).update(done_on=done_on)
    ca.refresh_from_db()
    check_effectiveness(
        ca, actor=manager, expected_version=ca.version, result="effective",
        notes="Two test deliveries with stale records were rejected and alerted within an hour; no decline "
        "since used a file older than 48 hours.",
    )  # fmt: skip
    return 2


def _chatbot_nc(users) -> int:
    kpi = demo.find(KPI, CHATBOT_KPI)
    if kpi is None or kpi.state != KPI.State.BREACH or Nonconformity.objects.filter(kpi=kpi).exists():
        return 0
    if not demo.first_time("reviews:chatbot-nonconformity"):
        return 0
    owner = users["owner2"]
    kpi = nc_from_kpi(
        kpi, actor=owner, expected_version=kpi.version, grade="minor", requirements="9.1 A.6.2.6"
    )
    nc = Nonconformity.objects.get(kpi=kpi)
    nc = start_corrective_action(nc, actor=owner, expected_version=nc.version, title=CHATBOT_CA)
    ca = CorrectiveAction.objects.get(nonconformity=nc)
    ca = ca_services.update(ca, actor=owner, expected_version=ca.version, fields={
        "why_1": "Why did grounded answers fall below 94%?",
        "because_1": "New savings products were launched without updating the chatbot's product catalogue.",
        "cause_category": "process",
    })  # fmt: skip
    add_action(
        ca, actor=owner, expected_version=ca.version, owner="owner2",
        description="Add the chatbot catalogue update to the product launch checklist",
        due_on=(timezone.localdate() - dt.timedelta(days=5)).isoformat(),
    )  # fmt: skip
    return 2


def _preventive(users) -> int:
    risk = demo.find(Risk, DRIFT_RISK)
    if risk is None or PreventiveAction.objects.filter(risk=risk).exists():
        return 0
    if not demo.first_time("reviews:drift-preventive-action"):
        return 0
    pa_from_risk(
        risk, actor=users["owner"], expected_version=risk.version,
        title="Quarterly back-test of credit scores against realised defaults",
        description="Back-test the score against 2024-2025 defaults each quarter and retrain when the gap "
        "passes two points.",
        due_on=(timezone.localdate() + dt.timedelta(days=45)).isoformat(),
    )  # fmt: skip
    return 1


LESSONS = [
    ("Check how old data is, not only that it arrived",
     "A failed bureau delivery left month-old files in use for two days.",
     "Arrival checks do not catch stale data; every input feed needs a freshness check.",
     "All data pipelines feeding AI systems now reject files past a freshness limit."),
    ("Product launches change what the chatbot must know",
     "Grounded answers fell after new products launched without catalogue updates.",
     "Launch checklists must include every AI system that talks about products.",
     "The launch checklist names the chatbot catalogue owner."),
    ("Human review on request is used and valued",
     "Customers asked for human review of 4% of automated declines; 9% of those were overturned.",
     "The safeguard works, and overturns show where the model is weak.",
     "Overturned decisions feed the quarterly model review."),
]  # fmt: skip


def _lessons(users) -> int:
    made = 0
    incident = demo.find(Incident, BUREAU_INCIDENT)
    for title, happened, learned, changed in LESSONS:
        if demo.seeded(Lesson, title):
            continue
        fields = {"title": title, "what_happened": happened, "learned": learned, "changed": changed}
        if incident is not None and made == 0 and "data" in title:
            fields["incidents"] = [incident]
            fields["nonconformities"] = list(Nonconformity.objects.filter(incident=incident))
        demo.remember(lesson_services.create(actor=users["manager"], fields=fields), title)
        made += 1
    return made


def _feedback(users) -> int:
    made = 0
    party = InterestedParty.objects.live().order_by("reference").first()
    specs = [
        ("Declined applicant asks why", "email", 6,
         "An applicant declined during the bureau incident asked why and whether the decision was automated.",
         ("lesson", "Decline letters must say plainly when a decision was automated and how to ask for review.")),
        ("Broker praises faster decisions", "meeting", 2,
         "A broker partner said decisions now arrive within minutes, and asked for reason codes on declines.",
         None),
    ]  # fmt: skip
    for title, channel, days_ago, summary, outcome in specs:
        if demo.seeded(Feedback, title):
            continue
        item = feedback_services.create(
            actor=users["owner2"],
            fields={"title": title, "channel": channel, "summary": summary, "party": party,
                    "received_on": timezone.localdate() - dt.timedelta(days=days_ago)},
        )  # fmt: skip
        demo.remember(item, title)
        if outcome:
            triage(
                item,
                actor=users["manager"],
                expected_version=item.version,
                outcome=outcome[0],
                reason=outcome[1],
            )
        made += 1
    return made


def _audit_nc(users) -> int:
    """The internal audit's minor nonconformity (model released before its fairness evaluation) carried
    into 10.2, with a corrective action under way."""
    finding = (
        Finding.objects.live()
        .filter(grade="minor_nc", audit__status=Audit.Status.CLOSED, nonconformities__isnull=True)
        .first()
    )  # the closed audit's, answered; the audit in fieldwork still waits for its auditee
    if finding is None or not demo.first_time("reviews:audit-nonconformity"):
        return 0
    owner = users["owner"]
    finding = nc_from_finding(finding, actor=owner, expected_version=finding.version)
    nc = Nonconformity.objects.get(finding=finding)
    nc = start_corrective_action(nc, actor=owner, expected_version=nc.version, title=RELEASE_CA)
    ca = CorrectiveAction.objects.get(nonconformity=nc)
    ca = ca_services.update(ca, actor=owner, expected_version=ca.version, fields={
        "why_1": "Why did the model go live before its fairness evaluation was filed?",
        "because_1": "The release checklist lists the evaluation but does not block release without it.",
        "why_2": "Why does the checklist not block release?",
        "because_2": "The gate was written before bias assessments became a stage-gate check.",
        "cause_category": "process",
    })  # fmt: skip
    add_action(
        ca, actor=owner, expected_version=ca.version, owner="owner",
        description="Make a passed bias assessment a blocking check of the deployment gate",
        due_on=(timezone.localdate() + dt.timedelta(days=21)).isoformat(),
    )  # fmt: skip
    return 2


AUDIT_LESSON = "A release gate must block, not remind"


def _audit_lesson(users) -> int:
    """What the internal audit taught, linked to the audit, its nonconformity and the corrective action."""
    nc = Nonconformity.objects.filter(finding__isnull=False).select_related("audit").first()
    if nc is None or demo.seeded(Lesson, AUDIT_LESSON):
        return 0
    lesson = lesson_services.create(
        actor=users["manager"],
        fields={
            "title": AUDIT_LESSON,
            "what_happened": "A model version went live a week before its fairness evaluation was filed.",
            "learned": "A checklist item that only reminds is skipped under release pressure.",
            "changed": "Release gates now block until the evidence they ask for is attached.",
            "audits": [nc.audit],
            "nonconformities": [nc],
            "corrective_actions": list(nc.corrective_actions.all()),
        },
    )
    demo.remember(lesson, AUDIT_LESSON)
    return 1


def seed_improvement(users) -> int:
    return (
        _bureau_nc(users) + _chatbot_nc(users) + _audit_nc(users) + _audit_lesson(users) + _preventive(users)
        + _lessons(users) + _feedback(users)
    )  # fmt: skip

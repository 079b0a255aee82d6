"""The implementation roadmap: the nine steps of an AIMS implementation, each judged from the records
(never self-declared), with what is still missing and where to fix it."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from aims.models import Lifecycle

from .models import (
    AimsRole,
    BoardMeeting,
    Communication,
    CompetenceRequirement,
    Concern,
    Decision,
    Document,
    ImplementationAction,
    Objective,
    Policy,
    ReadinessAssessment,
    Risk,
    ScopeStatement,
    TrainingRecord,
)
from .selectors import risks_awaiting_acceptance

DONE, IN_PROGRESS, NOT_STARTED = "Done", "In progress", "Not started"


@dataclass
class Step:
    number: int
    title: str
    purpose: str
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # (what, met, url to fix it)

    @property
    def status(self) -> str:
        met = sum(1 for _, ok, _ in self.checks if ok)
        if met == len(self.checks):
            return DONE
        return IN_PROGRESS if met else NOT_STARTED

    @property
    def missing(self):
        return [(what, url) for what, ok, url in self.checks if not ok]


def _url(name: str, query: str = "") -> str:
    return reverse(name) + (f"?{query}" if query else "")


def steps() -> list[Step]:
    today = timezone.localdate()
    live = {
        m: m.objects.live() for m in (ReadinessAssessment, Policy, ScopeStatement, AimsRole, Objective, Risk)
    }
    readiness = live[ReadinessAssessment]
    published = Q(status=Lifecycle.PUBLISHED)
    risks = live[Risk]
    risk_counts = risks.aggregate(
        total=Count("pk"),
        with_controls=Count("pk", filter=Q(requirements__code__startswith="A."), distinct=True),
    )
    competence = CompetenceRequirement.objects.live()
    trained_people = TrainingRecord.objects.live().filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )
    return [
        Step(1, "Readiness assessment", "Know where you stand against the standard.", [
            ("A readiness assessment", readiness.exists(), _url("readinessassessment-add")),
            ("A completed readiness assessment", readiness.filter(status="complete").exists(),
             _url("readinessassessment-list")),
            ("Implementation actions raised from its gaps", ImplementationAction.objects.live().exists(),
             _url("readinessassessment-list")),
        ]),
        Step(2, "Strategy and policy", "Say what the organisation wants from AI and how it will use it.", [
            ("A published AI policy", live[Policy].filter(published, kind=Policy.Kind.AI_POLICY).exists(),
             _url("policy-add", "template=ai-policy")),
            ("AI objectives", live[Objective].exists(), _url("objective-add")),
        ]),
        Step(3, "Governance structure", "Decide who decides: scope, roles, the board.", [
            ("A published scope statement", live[ScopeStatement].filter(published).exists(),
             _url("scopestatement-list")),
            ("AIMS roles with people in them", live[AimsRole].filter(people__isnull=False).exists(),
             _url("aimsrole-list")),
            ("A board meeting held", BoardMeeting.objects.live().filter(status="held").exists(),
             _url("boardmeeting-add")),
        ]),
        Step(4, "Prioritised AI systems", "Bring the highest-impact systems under the AIMS first.", [
            ("AI systems named in the scope", live[ScopeStatement].exclude(systems_in_scope="").exists(),
             _url("scopestatement-list")),
            ("Risks assessed for AI systems", risks.filter(systems__isnull=False).exists(), _url("risk-add")),
        ]),
        Step(5, "Controls", "Treat the risks with Annex A controls.", [
            ("No risk above appetite awaits the board's decision",
             bool(risk_counts["total"]) and not risks_awaiting_acceptance(risks).exists(),
             _url("risk-list", "above_appetite=true&accepted=false")),
            ("Risks linked to Annex A controls", bool(risk_counts["with_controls"]), _url("risk-list")),
        ]),
        Step(6, "Metrics", "Measure whether the AIMS and the AI systems do what they should.", [
            ("Objectives with a measure and a target",
             live[Objective].exclude(measure="").exclude(target="").exists(), _url("objective-list")),
            ("Objectives being tracked (progress above 0%)", live[Objective].filter(progress__gt=0).exists(),
             _url("objective-list")),
        ]),
        Step(7, "Training and awareness", "Make people competent for their AIMS roles.", [
            ("Competence requirements for AIMS roles", competence.exists(), _url("competencerequirement-add")),
            ("Current training records", trained_people.exists(), _url("trainingrecord-add")),
            ("A communication plan", Communication.objects.live().exists(), _url("communication-add")),
        ]),
        Step(8, "Continual learning", "Learn from concerns, decisions and results.", [
            ("Concerns triaged", Concern.objects.live().exclude(outcome="pending").exists(), _url("concern-list")),
            ("Board decisions followed through", Decision.objects.live().filter(status="done").exists(),
             _url("decision-list")),
        ]),
        Step(9, "Scaling and integration", "Run the AIMS as part of how the organisation works.", [
            ("Approved procedures and SOPs", Document.objects.live().filter(
                kind__in=["procedure", "sop"], status="approved").exists(), _url("document-add")),
            ("All implementation actions done", ImplementationAction.objects.live().exists()
             and not ImplementationAction.objects.live().filter(status__in=["open", "in_progress"]).exists(),
             _url("implementationaction-list", "status=open&status=in_progress")),
        ]),
    ]  # fmt: skip

from .choices import AimsProcess, AiRole
from .context import ContextIssue, InterestedParty, Obligation
from .leadership import Acknowledgement, AimsRole, BoardMeeting, Concern, Decision, Policy, RaciAssignment
from .planning import Objective, Opportunity, PlannedChange
from .risk import IMPACT_LABELS, LIKELIHOOD_LABELS, Band, Risk, RiskCategory, RiskCriteria
from .treatment_plan import TreatmentPlanApproval

__all__ = [
    "IMPACT_LABELS",
    "LIKELIHOOD_LABELS",
    "Band",
    "ContextIssue",
    "InterestedParty",
    "Objective",
    "Obligation",
    "Opportunity",
    "PlannedChange",
    "Risk",
    "RiskCategory",
    "RiskCriteria",
    "TreatmentPlanApproval",
]
from .scope import ScopeStatement  # noqa: E402
from .support import (  # noqa: E402
    Communication,
    CommunicationLog,
    CompetenceRequirement,
    Course,
    Document,
    Resource,
    TrainingRecord,
)

__all__ += [
    "Acknowledgement", "AiRole", "AimsProcess", "AimsRole", "BoardMeeting", "Communication", "CommunicationLog",
    "CompetenceRequirement", "Concern", "Course", "Decision", "Document", "Policy", "RaciAssignment", "Resource",
    "ScopeStatement", "TrainingRecord",
]  # fmt: skip
from .readiness import ImplementationAction, Maturity, ReadinessAnswer, ReadinessAssessment  # noqa: E402

__all__ += ["ImplementationAction", "Maturity", "ReadinessAnswer", "ReadinessAssessment"]

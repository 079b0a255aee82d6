from .context import ContextIssue, InterestedParty, Obligation
from .planning import Objective, Opportunity, PlannedChange
from .risk import IMPACT_LABELS, LIKELIHOOD_LABELS, Band, Risk, RiskCategory, RiskCriteria

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
]

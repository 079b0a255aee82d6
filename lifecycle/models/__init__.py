from .assessments import Harm, ImpactAssessment, ImpactThresholds, UseLevel
from .bias import BiasAssessment
from .data import Dataset, ModelVersion
from .gates import GateCriteria, GateReview
from .incidents import Incident, IncidentLog
from .monitoring import KPI, Measurement
from .obligations import HighRiskObligation
from .soa import SoAEntry, Statement
from .suppliers import Supplier
from .systems import AISystem, ClassificationStatus, Stage, Tier, prohibited_not_stopped_q, prohibited_q

__all__ = [
    "AISystem", "BiasAssessment", "ClassificationStatus", "Dataset", "GateCriteria", "GateReview", "Harm",
    "HighRiskObligation", "ImpactAssessment", "ImpactThresholds", "Incident", "IncidentLog", "KPI", "Measurement", "ModelVersion",
    "SoAEntry", "Stage", "Statement", "Supplier", "Tier", "UseLevel", "prohibited_not_stopped_q", "prohibited_q",
]  # fmt: skip

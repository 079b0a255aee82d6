from .assessments import Harm, ImpactAssessment
from .bias import BiasAssessment
from .data import Dataset, ModelVersion
from .gates import GateCriteria, GateReview
from .incidents import Incident, IncidentLog
from .monitoring import KPI, Measurement
from .obligations import HighRiskObligation
from .soa import SoAEntry, Statement
from .suppliers import Supplier
from .systems import AISystem, Stage, Tier

__all__ = [
    "AISystem", "BiasAssessment", "Dataset", "GateCriteria", "GateReview", "Harm", "HighRiskObligation",
    "ImpactAssessment", "Incident", "IncidentLog", "KPI", "Measurement", "ModelVersion", "SoAEntry", "Stage", "Statement", "Supplier", "Tier",
]  # fmt: skip

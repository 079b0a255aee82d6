from .incidents import Incident, IncidentLog
from .monitoring import KPI, Measurement
from .suppliers import Supplier
from .systems import AISystem, Stage, Tier

__all__ = ["AISystem", "Incident", "IncidentLog", "KPI", "Measurement", "Stage", "Supplier", "Tier"]

from .audit import (
    NOT_CONFORMING,
    Audit,
    AuditProgramme,
    ChecklistItem,
    Finding,
    Frequency,
    ProgrammeItem,
    Result,
)
from .evidence import Evidence, EvidenceFile, EvidenceLink

__all__ = [
    "NOT_CONFORMING",
    "Audit",
    "AuditProgramme",
    "ChecklistItem",
    "Evidence",
    "EvidenceFile",
    "EvidenceLink",
    "Finding",
    "Frequency",
    "ProgrammeItem",
    "Result",
]

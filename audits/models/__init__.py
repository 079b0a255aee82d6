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
from .packs import EvidencePack, PackSigningKey

__all__ = [
    "NOT_CONFORMING",
    "Audit",
    "AuditProgramme",
    "ChecklistItem",
    "Evidence",
    "EvidenceFile",
    "EvidenceLink",
    "EvidencePack",
    "Finding",
    "Frequency",
    "PackSigningKey",
    "ProgrammeItem",
    "Result",
]

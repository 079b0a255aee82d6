from .audit import (
    NOT_CONFORMING,
    Audit,
    AuditProgramme,
    ChecklistItem,
    Finding,
    Frequency,
    ProgrammeItem,
    Result,
    audited_by,
)
from .certification import Certificate
from .evidence import Evidence, EvidenceFile, EvidenceLink
from .guests import GuestAccess, GuestVisit
from .packs import EvidencePack, PackSigningKey

__all__ = [
    "NOT_CONFORMING",
    "Audit",
    "AuditProgramme",
    "Certificate",
    "ChecklistItem",
    "Evidence",
    "EvidenceFile",
    "EvidenceLink",
    "EvidencePack",
    "Finding",
    "Frequency",
    "GuestAccess",
    "GuestVisit",
    "PackSigningKey",
    "ProgrammeItem",
    "Result",
    "audited_by",
]

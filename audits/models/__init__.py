from .evidence import Evidence, EvidenceFile, EvidenceLink
from .packs import EvidencePack

__all__ = ["Evidence", "EvidenceFile", "EvidenceLink", "EvidencePack"]

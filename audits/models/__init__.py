from .evidence import Evidence, EvidenceFile, EvidenceLink

__all__ = ["Evidence", "EvidenceFile", "EvidenceLink"]

"""Every figure a pack states, worked out once after its folders are written: index.pdf (cover, index,
readiness) and manifest.json read them from here, so no two places in a pack can disagree.

Two things an auditor might both call a gap are kept apart by name:
- an *empty folder*: a clause or control folder with no record and no evidence mapped at the date;
- a *readiness gap*: a certification-readiness check not met (missing or partly met, aims.certification).
An index that said "0 gaps" on one page and listed 40 on the next was counting the first and listing the
second."""

from dataclasses import dataclass, field

from django.utils import timezone

from aims.certification import readiness


@dataclass
class Figures:
    sections: list  # scope.Section, each with its records and evidence_files
    systems: list  # systems.SystemFolder
    registers: list  # (register label, folder, records)
    records: int  # distinct records in the pack (a record in several folders counts once)
    record_rows: int  # rows across every records file (a record once per folder it is in)
    readiness: dict = field(default_factory=dict)  # aims.certification.readiness on the pack's date

    @property
    def empty(self) -> list:
        return [s for s in self.sections if s.is_empty]

    @property
    def folder_records(self) -> int:
        return sum(s.records for s in self.sections)

    @property
    def folder_evidence(self) -> int:
        return sum(s.evidence_files for s in self.sections)

    @property
    def system_records(self) -> int:
        return sum(s.records for s in self.systems)

    @property
    def system_evidence(self) -> int:
        return sum(s.evidence_files for s in self.systems)

    @property
    def register_records(self) -> int:
        return sum(n for _, _, n in self.registers)

    @property
    def readiness_gaps(self) -> list:
        return self.readiness.get("gaps", [])

    def as_manifest(self) -> dict:
        counts = self.readiness.get("counts", {})
        return {
            "folders": {
                "count": len(self.sections),
                "records": self.folder_records,
                "evidence_files": self.folder_evidence,
                "empty": [s.requirement.code for s in self.empty],
            },
            "systems": {
                "count": len(self.systems),
                "records": self.system_records,
                "evidence_files": self.system_evidence,
            },
            "registers": {"count": len(self.registers), "records": self.register_records},
            "records": self.records,
            "record_rows": self.record_rows,
            "readiness": {
                "percent": self.readiness.get("percent", 0),
                "met": counts.get("met", 0),
                "partial": counts.get("partial", 0),
                "missing": counts.get("missing", 0),
                "gaps": len(self.readiness_gaps),
            },
        }


def figures_of(ctx, sections, systems, registers, moment) -> Figures:
    """The pack's figures from what its writing counted (`ctx`: content.Context)."""
    day = timezone.localdate(moment) if moment else timezone.localdate()
    return Figures(
        sections=sections,
        systems=systems,
        registers=registers,
        records=len(ctx.records),
        record_rows=ctx.record_rows,
        readiness=readiness(today=day),
    )

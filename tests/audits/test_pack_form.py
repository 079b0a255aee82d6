"""The new-pack form lists ISO/IEC 42001's clauses and controls before the other standards' entries,
grouped by clause and Annex A control objective as every requirement picker is."""

from audits.pack.forms import requirement_choices


def test_iso_42001_comes_first_then_the_other_standards_by_name(db):
    groups = [label for label, _ in requirement_choices()]
    assert groups[0] == "4 Context of the organization" and "A.6 AI system life cycle" in groups
    primary = [g for g in groups if ": " not in g]
    assert groups[: len(primary)] == primary  # ISO/IEC 42001 first
    standards = [g.split(": ")[0] for g in groups[len(primary) :]]
    assert standards == sorted(standards) and "EU AI Act" in standards

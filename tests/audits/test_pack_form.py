"""The new-pack form lists ISO/IEC 42001's clauses and controls before the other standards' entries."""

from audits.pack.forms import requirement_choices


def test_iso_42001_comes_first_then_the_other_standards_by_name(db):
    groups = [label for label, _ in requirement_choices()]
    assert groups[:2] == ["ISO/IEC 42001:2023 Clauses 4-10", "ISO/IEC 42001:2023 Annex A controls"]
    assert groups[2:] == sorted(groups[2:]) and "EU AI Act" in groups[2:]

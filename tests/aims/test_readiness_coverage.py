"""Certification readiness covers every clause that has a register (ISO/IEC 42001 clauses 4 to 10): a
leaf clause whose records some register keeps (`serves`) is judged from them, never left out."""

from aims.models import Requirement
from aims.registry import registry


def test_every_leaf_clause_4_to_10_a_register_serves_has_a_readiness_row(db):
    leaves = {
        code
        for code in Requirement.objects.mappable()
        .filter(kind=Requirement.Kind.REQUIREMENT)
        .values_list("code", flat=True)
        if 4 <= int(code.split(".")[0]) <= 10
    }
    served = {
        code for info in registry.registers for code in getattr(info.model, "serves", ()) if code in leaves
    }
    judged = {check.code for check in registry.readiness_checks.values()}
    assert {"4.1", "5.3", "7.4", "10.1"} <= served  # the registers are found, with what they serve
    assert sorted(served - judged, key=lambda c: [int(p) for p in c.split(".")]) == []


def test_the_clauses_without_a_register_of_their_own_are_judged_too(db):
    """4.3, 4.4, 5.2 and 7.3 are read from the scope, documents, policies and acknowledgements."""
    judged = {check.code for check in registry.readiness_checks.values()}
    assert {"4.3", "4.4", "5.2", "7.3"} <= judged
